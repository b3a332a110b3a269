import { describe, expect, it } from 'vitest';
import type { Model, SearchOp } from '../../../src/check/linearizability/search-types.ts';
import { createBudget } from '../../../src/check/linearizability/search-types.ts';
import { createSearch, searchLinearization } from '../../../src/check/linearizability/search.ts';

// A single integer register: the search is generic, this keeps its tests independent of the KV model.
type RegisterInput = { write: number } | { read: true };
const register: Model<number, RegisterInput, number> = {
  init: () => 0,
  step: (state, input, output) => ('write' in input ? [true, input.write] : [output === undefined || output === state, state]),
  hash: (state) => state,
  equal: (a, b) => a === b,
  describe: (input, output) => ('write' in input ? `write(${input.write})` : `read → ${output}`),
};

const write = (value: number, call: number, ret: number): SearchOp<RegisterInput, number> => ({ input: { write: value }, output: undefined, call, ret });
const read = (value: number, call: number, ret: number): SearchOp<RegisterInput, number> => ({ input: { read: true }, output: value, call, ret });

function replays(ops: SearchOp<RegisterInput, number>[], order: number[]): boolean {
  let state = register.init();
  for (const i of order) {
    const [ok, next] = register.step(state, ops[i].input, ops[i].output);
    if (!ok) return false;
    state = next;
  }
  return true;
}

function respectsRealTime(ops: SearchOp<RegisterInput, number>[], order: number[]): boolean {
  return order.every((a, i) => order.slice(i + 1).every((b) => !(ops[b].ret < ops[a].call)));
}

describe('searchLinearization', () => {
  it('finds a linearization that respects real time and replays through the model', () => {
    const ops = [write(1, 0, 10), read(2, 5, 30), write(2, 12, 20), read(1, 1, 8), read(2, 25, 40)];
    const outcome = searchLinearization(register, ops, register.init(), createBudget());
    expect(outcome.kind).toBe('linearizable');
    if (outcome.kind !== 'linearizable') return;
    expect([...outcome.order].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(replays(ops, outcome.order)).toBe(true);
    expect(respectsRealTime(ops, outcome.order)).toBe(true);
  });

  it('treats touching intervals as concurrent', () => {
    // The read is called exactly when the write returns: it may still be ordered first.
    expect(searchLinearization(register, [write(1, 0, 10), read(0, 10, 20)], 0, createBudget()).kind).toBe('linearizable');
    expect(searchLinearization(register, [write(1, 0, 10), read(0, 11, 20)], 0, createBudget()).kind).toBe('illegal');
  });

  it('may leave unbounded operations out, or place them anywhere after their call', () => {
    const lost = write(7, 0, Number.POSITIVE_INFINITY);
    const never = searchLinearization(register, [lost, read(0, 50, 60)], 0, createBudget());
    expect(never).toEqual({ kind: 'linearizable', order: [1] });
    const late = searchLinearization(register, [lost, read(0, 50, 60), read(7, 70, 80), read(7, 90, 95)], 0, createBudget());
    expect(late.kind).toBe('linearizable');
    const flapping = searchLinearization(register, [lost, read(7, 50, 60), read(0, 70, 80)], 0, createBudget());
    expect(flapping.kind).toBe('illegal');
    // Not before its call.
    expect(searchLinearization(register, [read(7, 0, 5), write(7, 10, Number.POSITIVE_INFINITY)], 0, createBudget()).kind).toBe('illegal');
  });

  it('copes with many interchangeable lost writes without blowing up', () => {
    const lost = Array.from({ length: 40 }, (_, i) => write(9, i, Number.POSITIVE_INFINITY));
    const ops = [...lost, read(9, 100, 110), write(1, 120, 130), read(9, 140, 150), write(2, 160, 170), read(3, 180, 190)];
    const budget = createBudget();
    expect(searchLinearization(register, ops, 0, budget).kind).toBe('illegal');
    expect(budget.used).toBeLessThan(20_000);
  });

  it('reports the longest partial linearizations when asked', () => {
    const ops = [write(1, 0, 10), write(2, 20, 30), read(1, 40, 50)];
    const outcome = searchLinearization(register, ops, 0, createBudget(), { trackPartial: true });
    expect(outcome).toEqual({ kind: 'illegal', longest: [[0, 1]], frontier: 50 });
  });

  it('stops when the budget runs out, and says so', () => {
    const ops = Array.from({ length: 12 }, (_, i) => write(i, 0, 100));
    ops.push(read(99, 0, 100));
    const budget = createBudget(50);
    expect(searchLinearization(register, ops, 0, budget).kind).toBe('exhausted');
    expect(budget.used).toBe(51);
    let polls = 0;
    const stopping = createBudget(Number.POSITIVE_INFINITY, () => ++polls > 0);
    expect(searchLinearization(register, ops, 0, stopping).kind).toBe('exhausted');
  });

  it('resumes where it ran out of budget', () => {
    const ops = [write(1, 0, 100), read(0, 1, 100), read(1, 2, 100), write(2, 3, 100), read(2, 4, 100), read(9, 200, 210)];
    for (const expected of ['illegal', 'linearizable'] as const) {
      const input = expected === 'illegal' ? ops : ops.slice(0, -1);
      const search = createSearch(register, input, 0);
      // One step per round: a search that restarted instead of resuming would never finish.
      let outcome = search.run(createBudget(1));
      let rounds = 1;
      while (outcome.kind === 'exhausted' && rounds < 1000) {
        outcome = search.run(createBudget(1));
        rounds++;
      }
      expect(outcome.kind).toBe(expected);
      const oneShot = createBudget();
      expect(searchLinearization(register, input, 0, oneShot).kind).toBe(expected);
      expect(rounds).toBeGreaterThanOrEqual(oneShot.used);
    }
  });

  it('tries preferred candidates first without changing the verdict', () => {
    const ops = [write(1, 0, 100), read(0, 1, 100), read(1, 2, 100), write(2, 3, 100), read(2, 4, 100)];
    const readsFirst = searchLinearization(register, ops, 0, createBudget(), { tryFirst: (op) => 'read' in op.input });
    const inOrder = searchLinearization(register, ops, 0, createBudget());
    expect(readsFirst.kind).toBe('linearizable');
    expect(inOrder.kind).toBe('linearizable');
  });

  it('is iterative: a long history does not overflow the stack', () => {
    const ops: SearchOp<RegisterInput, number>[] = [];
    for (let i = 0; i < 30_000; i++) ops.push(write(i, 3 * i, 3 * i + 2), read(i, 3 * i + 1, 3 * i + 2));
    const outcome = searchLinearization(register, ops, 0, createBudget());
    expect(outcome.kind).toBe('linearizable');
  });
});
