import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../../src/check/linearizability/checker.ts';
import type { CheckFailure } from '../../../src/check/linearizability/checker.ts';
import { kvModel, modelOptionsFor } from '../../../src/check/linearizability/model.ts';
import { partitionByKey } from '../../../src/check/linearizability/partition.ts';
import { prepareHistory } from '../../../src/check/linearizability/prepare.ts';
import { createBudget } from '../../../src/check/linearizability/search-types.ts';
import { searchLinearization } from '../../../src/check/linearizability/search.ts';
import { simulateKvHistory } from '../../../src/check/linearizability/simulate.ts';
import { cutBefore, truncateAt } from '../../../src/check/linearizability/window.ts';
import { get, history, ok, put } from './helpers.ts';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 100);
const INF = Number.POSITIVE_INFINITY;

describe('window cuts', () => {
  const ops = prepareHistory(
    history(
      ['a', 0, 10, put('x', '1'), ok()], // returns before 20: summarized by the starting state
      ['b', 5, 25, put('x', '2'), ok()], // running at 20: may have taken effect on either side
      ['c', 8, 30, get('x'), ok({ value: '2' })], // a read running at 20: dropped
      ['d', 20, 40, get('x'), ok({ value: '2' })],
      ['e', 35, 60, put('x', '3'), ok()], // running at 50
      ['f', 55, 70, get('x'), ok({ value: '3' })], // called after 50
    ),
  );
  const summary = (cut: typeof ops) => cut.map((op) => [op.source.id, op.ret === INF ? 'lost' : op.ret]);

  it('truncateAt keeps what was known at that time', () => {
    expect(summary(truncateAt(ops, 50))).toEqual([
      [0, 10],
      [1, 25],
      [2, 30],
      [3, 40],
      [4, 'lost'],
    ]);
  });

  it('cutBefore summarizes earlier operations by the starting state', () => {
    expect(summary(cutBefore(ops, 20))).toEqual([
      [1, 'lost'],
      [3, 40],
      [4, 60],
      [5, 70],
    ]);
  });

  const configs = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    clients: fc.integer({ min: 1, max: 5 }),
    ops: fc.integer({ min: 1, max: 60 }),
    keys: fc.integer({ min: 1, max: 3 }),
    unknownRate: fc.constantFrom(0, 0.1, 0.3),
    report: fc.record({ versions: fc.boolean(), revisions: fc.boolean() }),
  });

  test.prop([configs, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })], { numRuns: NUM_RUNS })(
    'every cut of a linearizable history is linearizable (so an illegal window is a real violation)',
    (config, toFraction, fromFraction) => {
      const prepared = prepareHistory(simulateKvHistory(config).history);
      fc.pre(prepared.length > 0);
      const end = Math.max(...prepared.map((op) => (op.ret === INF ? op.call : op.ret)));
      const to = Math.round(end * toFraction);
      const from = Math.round(to * fromFraction);
      for (const partition of partitionByKey(prepared)) {
        const model = kvModel(modelOptionsFor(partition.ops));
        const truncated = truncateAt(partition.ops, to);
        expect(searchLinearization(model, truncated, model.init(), createBudget()).kind).toBe('linearizable');
        expect(searchLinearization(model, cutBefore(truncated, from), model.initOpenWorld(), createBudget()).kind).toBe('linearizable');
      }
    },
  );
});

describe('smallest illegal window', () => {
  const failure = (h: ReturnType<typeof history>) => {
    const result = checkLinearizable(h);
    expect(result.ok).toBe(false);
    return result as CheckFailure;
  };

  it('stays small when the violation comes late in a long history', () => {
    const rows: Parameters<typeof history> = [];
    for (let i = 0; i < 200; i++) {
      rows.push(['w', 100 * i, 100 * i + 10, put('x', `v${i}`), ok()]);
      rows.push(['r', 100 * i + 20, 100 * i + 30, get('x'), ok({ value: `v${i}` })]);
    }
    rows.push(['r', 20_000, 20_010, get('x'), ok({ value: 'v150' })]);
    const f = failure(history(...rows));
    expect(f.failingOp?.id).toBe(400);
    expect(f.window.length).toBeLessThanOrEqual(3);
    expect(f.window.map((op) => op.id)).toContain(400);
    expect(f.windowTime.to).toBe(20_010);
  });

  it('starts from the empty store when only the initial state explains the failure', () => {
    const f = failure(history(['r', 0, 10, get('x'), ok({ value: 'ghost' })]));
    expect(f.windowTime.from).toBe(Number.NEGATIVE_INFINITY);
    expect(f.window.map((op) => op.id)).toEqual([0]);
    expect(f.message).toContain('from the empty store');
  });

  it('keeps a write with unknown outcome that may still take effect inside the window', () => {
    const f = failure(
      history(
        ['a', 0, undefined, put('x', 'late')],
        ['b', 10, 20, put('x', 'b'), ok()],
        ['c', 100, 110, get('x'), ok({ value: 'late' })],
        ['c', 120, 130, get('x'), ok({ value: 'b' })],
      ),
    );
    expect(f.window.map((op) => op.id).sort()).toEqual([0, 2, 3]);
    expect(f.failingOp?.id).toBe(3);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: NUM_RUNS })(
    'the window holds the failing response and lies within its reported time span',
    (seed) => {
      const { history: h } = simulateKvHistory({ seed, clients: 4, ops: 80, keys: 2, unknownRate: 0.1, staleReadRate: 0.5, report: { revisions: false } });
      const result = checkLinearizable(h);
      fc.pre(result.ok === false);
      const f = result as CheckFailure;
      expect(f.failingOp).toBeDefined();
      expect(f.window).toContain(f.failingOp);
      expect(f.failingOp!.return).toBe(f.windowTime.to);
      for (const op of f.window) expect(op.call).toBeLessThanOrEqual(f.windowTime.to);
      expect(f.partialLinearization.length).toBeGreaterThan(0);
      for (const sequence of f.partialLinearization) expect(sequence.every((op) => f.window.includes(op))).toBe(true);
    },
  );
});
