import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../../src/check/linearizability/checker.ts';
import type { CheckFailure } from '../../../src/check/linearizability/checker.ts';
import { layoutFailure, renderFailureHtml, renderFailureText } from '../../../src/check/linearizability/render.ts';
import { simulateKvHistory } from '../../../src/check/linearizability/simulate.ts';
import { get, history, ok, put } from './helpers.ts';

const stale = history(
  ['writer', 0, 10, put('x', 'a'), ok()],
  ['writer', 11, 20, put('x', 'b'), ok()],
  ['reader', 30, 40, get('x'), ok({ value: 'a' })],
  ['lost', 5, undefined, put('y', 'q')],
  ['other', 12, 35, get('x'), ok({ value: 'b' })],
);

function failureOf(h: typeof stale): CheckFailure {
  const result = checkLinearizable(h);
  if (result.ok !== false) throw new Error('expected a failure');
  return result;
}

describe('layoutFailure', () => {
  it('puts each client in its own lane and stacks overlapping ops of one client in rows', () => {
    const h = history(
      ['c1', 0, undefined, put('x', 'a')],
      ['c1', 10, 20, get('x'), ok({ value: 'zz' })],
      ['c2', 5, 15, put('x', 'b'), ok()],
    );
    const layout = layoutFailure(failureOf(h), { history: h });
    expect(layout.lanes.map((lane) => lane.client)).toEqual(['c1', 'c2']);
    expect(layout.lanes[0].rows).toBe(2);
    expect(layout.ops.find((op) => op.op.id === 0)?.pending).toBe(true);
    expect(layout.ops.find((op) => op.op.id === 1)?.failing).toBe(true);
  });
});

describe('renderFailureText', () => {
  const failure = failureOf(stale);
  const text = renderFailureText(failure, { history: stale });

  it('names the clients, the failing operation and the window', () => {
    expect(text).toContain('LINEARIZABILITY VIOLATION');
    for (const client of ['writer', 'reader']) expect(text).toMatch(new RegExp(`^${client}\\s+\\|`, 'm'));
    expect(text).toContain('#2');
    expect(text).toContain('get("x") → "a"  <== FAILING');
    expect(text).toContain('Illegal window: 3 operations, from t=11 to t=40.');
    expect(text).toMatch(/\[!*#2!*\]/);
  });

  it('shows other operations on the same keys as context, but not unrelated keys', () => {
    expect(text).toContain('put("x", "a") → ok\n');
    expect(text).toMatch(/^writer\s+\|<\]/m);
    expect(text).not.toContain('put("y"');
  });

  it('lists the longest partial linearization', () => {
    expect(text).toContain('Longest partial linearization (2 of 3 window operations)');
    expect(text).toContain('cannot be added: #2');
  });

  it('marks operations with unknown outcome as open-ended', () => {
    const h = history(['c1', 0, undefined, put('x', 'a')], ['c2', 10, 20, get('x'), ok({ value: 'a' })], ['c2', 30, 40, get('x'), ok({ value: null })]);
    const out = renderFailureText(failureOf(h), { history: h });
    expect(out).toMatch(/^c1\s+\|.*>$/m);
    expect(out).toContain('[0 → ?]');
  });
});

describe('renderFailureHtml', () => {
  it('is a complete standalone document containing every window operation', () => {
    const failure = failureOf(stale);
    const html = renderFailureHtml(failure, { history: stale });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    for (const tag of ['<head>', '</head>', '<body>', '</body>', '<style>', '<script>']) expect(html).toContain(tag);
    for (const op of failure.window) expect(html).toContain(`data-id="${op.id}"`);
    expect(html).toContain('get(&quot;x&quot;) → &quot;a&quot;');
    expect(html).toContain('class="op window failing');
    // No external assets.
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('highlights the longest partial linearization and offers the others', () => {
    const failure = failureOf(stale);
    const html = renderFailureHtml(failure, { history: stale });
    const [longest] = failure.partialLinearization;
    expect(longest.map((op) => op.id).sort()).toEqual([1, 4]);
    for (const [i, op] of longest.entries()) {
      expect(html).toMatch(new RegExp(`class="op window linearized"[^>]*data-id="${op.id}"`));
      expect(html).toContain(`<span class="order">${i + 1}</span>#${op.id}`);
    }
    expect(html).toMatch(/class="op window failing stuck"[^>]*data-id="2"/);
    expect(html).toContain(`#1: 2 of 3 ops`);
  });

  it('escapes recorded values so they cannot inject markup', () => {
    const h = history(['c<1>', 0, 10, put('x', '</script><img onerror=alert(1)>'), ok()], ['c2', 20, 30, get('x'), ok({ value: null })]);
    const html = renderFailureHtml(failureOf(h), { history: h });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</script><');
    expect(html).toContain('c&lt;1&gt;');
  });

  it('renders a large failing history without trouble', () => {
    const { history: h } = simulateKvHistory({
      seed: 3,
      clients: 8,
      ops: 2000,
      keys: 4,
      mix: { get: 4, put: 3, cas: 2, delete: 1, range: 0 },
      unknownRate: 0.05,
      staleReadRate: 0.01,
      report: { revisions: false },
    });
    const result = checkLinearizable(h);
    expect(result.ok).toBe(false);
    if (result.ok !== false) return;
    const html = renderFailureHtml(result, { history: h });
    for (const op of result.window) expect(html).toContain(`data-id="${op.id}"`);
    expect(renderFailureText(result, { history: h })).toContain(`#${result.failingOp!.id}`);
  });
});
