import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../../src/check/linearizability/checker.ts';
import type { CheckFailure, CheckResult } from '../../../src/check/linearizability/checker.ts';
import { MalformedHistoryError } from '../../../src/check/linearizability/prepare.ts';
import { bruteForceLinearizable, cas, del, failed, get, history, ok, put, range } from './helpers.ts';

function expectFailure(result: CheckResult): CheckFailure {
  expect(result.ok).toBe(false);
  return result as CheckFailure;
}

const ids = (ops: { id: number }[]) => ops.map((op) => op.id).sort((a, b) => a - b);

describe('checkLinearizable on hand-written histories', () => {
  it('accepts a sequential history', () => {
    const h = history(
      ['c1', 0, 10, put('x', 'a'), ok({ revision: 2 })],
      ['c1', 20, 30, get('x'), ok({ value: 'a', version: 1, modRevision: 2, revision: 2 })],
      ['c2', 40, 50, del('x'), ok({ deleted: 1, revision: 3 })],
      ['c2', 60, 70, get('x'), ok({ value: null, version: 0, modRevision: 0, revision: 3 })],
    );
    expect(checkLinearizable(h)).toEqual({ ok: true, partitions: 1, ops: 4, steps: expect.any(Number) });
  });

  it('accepts a read concurrent with a write seeing either the old or the new value', () => {
    for (const seen of [null, 'a']) {
      const h = history(['c1', 0, 100, put('x', 'a'), ok()], ['c2', 10, 20, get('x'), ok({ value: seen })]);
      expect(checkLinearizable(h).ok).toBe(true);
    }
  });

  it('rejects a stale read after a completed write', () => {
    const h = history(
      ['c1', 0, 10, put('x', 'a'), ok()],
      ['c1', 11, 20, put('x', 'b'), ok()],
      ['c2', 30, 40, get('x'), ok({ value: 'a' })],
    );
    const failure = expectFailure(checkLinearizable(h));
    expect(failure.kind).toBe('not-linearizable');
    expect(failure.key).toBe('x');
    expect(failure.failingOp?.id).toBe(2);
    // Smallest illegal window: whatever the store held before, nothing writes "a" after "b".
    expect(ids(failure.window)).toEqual([1, 2]);
    expect(failure.windowTime).toEqual({ from: 11, to: 40 });
    expect(failure.partialLinearization[0].map((op) => op.id)).toEqual([1]);
  });

  it('rejects two concurrent writes observed in contradictory orders', () => {
    const h = history(
      ['w1', 0, 100, put('x', 'a'), ok()],
      ['w2', 0, 100, put('x', 'b'), ok()],
      ['r1', 10, 20, get('x'), ok({ value: 'a' })],
      ['r1', 30, 40, get('x'), ok({ value: 'b' })],
      ['r2', 10, 20, get('x'), ok({ value: 'b' })],
      ['r2', 30, 40, get('x'), ok({ value: 'a' })],
    );
    const failure = expectFailure(checkLinearizable(h));
    expect(failure.window.length).toBeGreaterThanOrEqual(4);
    expect(failure.message).toContain('not linearizable');
    // Either order alone is fine.
    expect(checkLinearizable(h.slice(0, 4)).ok).toBe(true);
    expect(checkLinearizable([...h.slice(0, 2), ...h.slice(4)]).ok).toBe(true);
  });

  it('rejects a lost update: two compare-and-swaps on the same value both succeed', () => {
    const rows = (secondSucceeded: boolean) =>
      history(
        ['c0', 0, 5, put('n', '0'), ok()],
        ['c1', 10, 15, get('n'), ok({ value: '0' })],
        ['c2', 10, 15, get('n'), ok({ value: '0' })],
        ['c1', 20, 30, cas('n', { expectValue: '0' }, '1'), ok({ succeeded: true })],
        ['c2', 20, 30, cas('n', { expectValue: '0' }, '1b'), ok({ succeeded: secondSucceeded })],
        ['c3', 40, 50, get('n'), ok({ value: '1' })],
      );
    expect(checkLinearizable(rows(false)).ok).toBe(true);
    const failure = expectFailure(checkLinearizable(rows(true)));
    expect(ids(failure.window)).toEqual(expect.arrayContaining([3, 4]));
  });

  it('rejects a lost update detected through versions', () => {
    const h = history(
      ['c1', 0, 10, put('n', 'a'), ok()],
      ['c1', 20, 30, cas('n', { expectVersion: 1 }, 'b'), ok({ succeeded: true })],
      ['c2', 20, 30, cas('n', { expectVersion: 1 }, 'c'), ok({ succeeded: true })],
    );
    expectFailure(checkLinearizable(h));
  });

  it('accepts a write with unknown outcome that later becomes visible', () => {
    const h = history(
      ['c1', 0, undefined, put('x', 'a')],
      ['c2', 5, 8, get('x'), ok({ value: null })],
      ['c2', 50, 60, get('x'), ok({ value: 'a' })],
      ['c2', 70, 80, get('x'), ok({ value: 'a' })],
    );
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('accepts a write with unknown outcome that never becomes visible', () => {
    const h = history(['c1', 0, undefined, put('x', 'a')], ['c2', 50, 60, get('x'), ok({ value: null })]);
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('rejects a write with unknown outcome that is observed and then un-observed', () => {
    const h = history(
      ['c1', 0, undefined, put('x', 'a')],
      ['c2', 10, 20, get('x'), ok({ value: 'a' })],
      ['c2', 30, 40, get('x'), ok({ value: null })],
    );
    const failure = expectFailure(checkLinearizable(h));
    expect(failure.failingOp?.id).toBe(2);
    expect(ids(failure.window)).toEqual([0, 1, 2]);
  });

  it('treats a definite failure as never applied', () => {
    const write = ['c1', 0, 10, put('x', 'a'), failed()] as const;
    expect(checkLinearizable(history([...write], ['c2', 20, 30, get('x'), ok({ value: null })])).ok).toBe(true);
    expectFailure(checkLinearizable(history([...write], ['c2', 20, 30, get('x'), ok({ value: 'a' })])));
  });

  it('drops reads with unknown outcome', () => {
    const h = history(['c1', 0, 10, put('x', 'a'), ok()], ['c2', 20, undefined, get('x')]);
    expect(checkLinearizable(h)).toMatchObject({ ok: true, ops: 2 });
  });

  it('checks the deleted count of a delete', () => {
    const deletes = (deleted: number) =>
      history(['c1', 0, 10, put('x', 'a'), ok()], ['c1', 20, 30, del('x'), ok({ deleted })], ['c1', 40, 50, del('x'), ok({ deleted: 0 })]);
    expect(checkLinearizable(deletes(1)).ok).toBe(true);
    expectFailure(checkLinearizable(deletes(0)));
  });

  it('checks compare-and-swap on mod_revision', () => {
    const h = (succeeded: boolean) =>
      history(
        ['c1', 0, 10, put('x', 'a'), ok({ revision: 5 })],
        ['c1', 20, 30, cas('x', { expectModRevision: 5 }, 'b'), ok({ succeeded, revision: succeeded ? 6 : 5 })],
        ['c1', 40, 50, get('x'), ok({ value: succeeded ? 'b' : 'a', modRevision: succeeded ? 6 : 5 })],
      );
    expect(checkLinearizable(h(true)).ok).toBe(true);
    expect(checkLinearizable(h(false)).ok).toBe(false);
  });

  it('rejects a read whose mod_revision disagrees with the write it observed', () => {
    const h = history(['c1', 0, 10, put('x', 'a'), ok({ revision: 5 })], ['c1', 20, 30, get('x'), ok({ value: 'a', modRevision: 4 })]);
    expectFailure(checkLinearizable(h));
  });

  it('rejects revisions that go backwards in real time across keys', () => {
    const h = history(['c1', 0, 10, put('x', 'a'), ok({ revision: 7 })], ['c2', 20, 30, get('y'), ok({ value: null, revision: 3 })]);
    const failure = expectFailure(checkLinearizable(h));
    expect(failure.kind).toBe('revision-order');
    expect(ids(failure.window)).toEqual([0, 1]);
    expect(failure.keys).toEqual(['x', 'y']);
  });

  it('rejects two writes on different keys creating the same revision', () => {
    const h = history(['c1', 0, 10, put('x', 'a'), ok({ revision: 7 })], ['c2', 0, 10, put('y', 'b'), ok({ revision: 7 })]);
    expect(expectFailure(checkLinearizable(h)).kind).toBe('revision-order');
  });

  it('allows revision gaps: writers outside the history also bump the revision', () => {
    const h = history(['c1', 0, 10, put('x', 'a'), ok({ revision: 7 })], ['c1', 20, 30, put('x', 'b'), ok({ revision: 12 })]);
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('checks a range read as one snapshot across keys', () => {
    const h = history(
      ['w1', 0, 100, put('k/a', '1'), ok()],
      ['w2', 0, 100, put('k/b', '1'), ok()],
      ['r1', 10, 20, range('k/'), ok({ kvs: [{ key: 'k/a', value: '1' }] })],
      ['r2', 10, 20, range('k/'), ok({ kvs: [{ key: 'k/b', value: '1' }] })],
    );
    const failure = expectFailure(checkLinearizable(h));
    expect(failure.keys).toEqual(['k/a', 'k/b']);
    expect(failure.key).toBeUndefined();
    // The same observations as independent gets are linearizable: ranges must not be split per key.
    const asGets = history(
      ['w1', 0, 100, put('k/a', '1'), ok()],
      ['w2', 0, 100, put('k/b', '1'), ok()],
      ['r1', 10, 20, get('k/a'), ok({ value: '1' })],
      ['r1', 10, 20, get('k/b'), ok({ value: null })],
      ['r2', 10, 20, get('k/a'), ok({ value: null })],
      ['r2', 10, 20, get('k/b'), ok({ value: '1' })],
    );
    expect(checkLinearizable(asGets).ok).toBe(true);
  });

  it('rejects a range that returns a key outside its prefix or a key never written', () => {
    expectFailure(checkLinearizable(history(['r', 0, 10, range('a/'), ok({ kvs: [{ key: 'b/x', value: '1' }] })])));
    expectFailure(checkLinearizable(history(['r', 0, 10, range('a/'), ok({ kvs: [{ key: 'a/x', value: '1' }] })])));
    expect(checkLinearizable(history(['r', 0, 10, range('a/'), ok({ kvs: [] })])).ok).toBe(true);
  });

  it('partitions per key but agrees with the unpartitioned check', () => {
    const h = history(
      ['c1', 0, 10, put('x', 'a'), ok()],
      ['c2', 5, 15, put('y', 'b'), ok()],
      ['c1', 20, 30, get('y'), ok({ value: 'b' })],
      ['c2', 20, 30, get('x'), ok({ value: 'a' })],
    );
    expect(checkLinearizable(h)).toMatchObject({ ok: true, partitions: 2 });
    expect(checkLinearizable(h, { partition: false })).toMatchObject({ ok: true, partitions: 1 });
  });

  it('returns unknown when the step budget is exhausted', () => {
    const h = history(
      ['c1', 0, 100, put('x', 'a'), ok()],
      ['c2', 0, 100, put('x', 'b'), ok()],
      ['c3', 0, 100, get('x'), ok({ value: 'b' })],
      ['c4', 0, 100, get('x'), ok({ value: 'a' })],
    );
    expect(checkLinearizable(h, { maxSteps: 2 })).toMatchObject({ ok: 'unknown', partition: 'x', key: 'x' });
    expect(checkLinearizable(h, { shouldStop: () => true, maxSteps: 1e6 }).ok).not.toBe(false);
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('rejects malformed histories', () => {
    expect(() => checkLinearizable(history(['c1', 10, 5, get('x'), ok({ value: null })]))).toThrow(MalformedHistoryError);
    expect(() => checkLinearizable(history(['c1', Number.NaN, 5, get('x'), ok({ value: null })]))).toThrow(MalformedHistoryError);
  });

  it('agrees with the brute-force oracle on every hand-written case above', () => {
    const cases = [
      history(['c1', 0, 10, put('x', 'a'), ok()], ['c2', 30, 40, get('x'), ok({ value: null })]),
      history(['c1', 0, undefined, put('x', 'a')], ['c2', 10, 20, get('x'), ok({ value: 'a' })], ['c2', 30, 40, get('x'), ok({ value: null })]),
      history(['c1', 0, undefined, put('x', 'a')], ['c2', 5, 8, get('x'), ok({ value: null })], ['c2', 50, 60, get('x'), ok({ value: 'a' })]),
    ];
    for (const h of cases) expect(checkLinearizable(h).ok).toBe(bruteForceLinearizable(h));
  });
});
