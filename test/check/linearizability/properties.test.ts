import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
// Exercised through the public entry point.
import { checkLinearizable, simulateKvHistory } from '../../../src/check/linearizability/index.ts';
import type { KvOpKind, KvSimulationConfig, Operation } from '../../../src/check/linearizability/index.ts';
import { createRng } from '../../../src/check/linearizability/prng.ts';
import { bruteForceLinearizable } from './helpers.ts';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 100);

const weight = fc.integer({ min: 0, max: 4 });
const mixArb = (kinds: KvOpKind[]) =>
  fc.tuple(...kinds.map(() => weight)).map((weights) => {
    const mix: Partial<Record<KvOpKind, number>> = { get: 0, put: 0, cas: 0, delete: 0, range: 0 };
    kinds.forEach((kind, i) => (mix[kind] = weights[i]));
    if (weights.every((w) => w === 0)) mix.put = 1;
    return mix;
  });

const configArb = (overrides: { ops?: fc.Arbitrary<number>; kinds?: KvOpKind[] } = {}): fc.Arbitrary<KvSimulationConfig> =>
  fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    clients: fc.integer({ min: 1, max: 6 }),
    ops: overrides.ops ?? fc.integer({ min: 1, max: 120 }),
    keys: fc.integer({ min: 1, max: 4 }),
    mix: mixArb(overrides.kinds ?? ['get', 'put', 'cas', 'delete', 'range']),
    unknownRate: fc.constantFrom(0, 0.05, 0.2),
    failRate: fc.constantFrom(0, 0.05),
    latency: fc.constantFrom<[number, number]>([1, 5], [1, 20], [5, 60]),
    report: fc.record({ versions: fc.boolean(), revisions: fc.boolean() }),
  });

/** Change one recorded response into another plausible one, deterministically from `seed`. */
function mutateOneResponse(history: Operation[], seed: number): Operation[] {
  const rng = createRng(seed);
  const completed = history.filter((op) => op.return !== undefined && op.output?.ok);
  if (completed.length === 0) return history;
  const target = rng.pick(completed);
  const written = history.flatMap((op) => (op.input.op === 'put' || op.input.op === 'cas' ? [op.input.value] : []));
  const output = { ...target.output! } as Extract<Operation['output'], { ok: true }>;
  switch (target.input.op) {
    case 'get':
      if (output.version !== undefined && rng.chance(0.3)) output.version += rng.chance(0.5) ? 1 : -1;
      else output.value = rng.chance(0.3) ? null : written.length > 0 ? rng.pick(written) : 'unseen';
      break;
    case 'cas':
      output.succeeded = !output.succeeded;
      break;
    case 'delete':
      output.deleted = output.deleted ? 0 : 1;
      break;
    case 'put':
      if (output.revision !== undefined) output.revision += rng.chance(0.5) ? 1 : -1;
      break;
    case 'range':
      output.kvs = output.kvs && output.kvs.length > 0 ? output.kvs.slice(1) : [{ key: 'key0', value: written[0] ?? 'unseen' }];
      break;
  }
  return history.map((op) => (op === target ? { ...op, output } : op));
}

describe('linearizability checker properties', () => {
  test.prop([configArb()], { numRuns: NUM_RUNS })('histories of a correct store are always linearizable', (config) => {
    const { history } = simulateKvHistory(config);
    const result = checkLinearizable(history);
    expect(result.ok, result.ok === false ? result.message : '').toBe(true);
  });

  test.prop([configArb({ ops: fc.integer({ min: 1, max: 40 }) })], { numRuns: NUM_RUNS })(
    'per-key partitioning agrees with checking the whole history at once (P-compositionality)',
    (config) => {
      const history = mutateOneResponse(simulateKvHistory(config).history, config.seed);
      const whole = checkLinearizable(history, { partition: false }).ok;
      const partitioned = checkLinearizable(history).ok;
      // One shared revision bound sees slightly more than per-key bounds plus the global pass.
      if (config.report?.revisions) expect(whole === true ? partitioned : true).toBe(true);
      else expect(partitioned).toBe(whole);
    },
  );

  test.prop([configArb({ kinds: ['get', 'put', 'cas', 'delete'] }), fc.nat()], { numRuns: NUM_RUNS })(
    'a read of a value never written is always caught, and its window contains it',
    (config, pick) => {
      const { history } = simulateKvHistory({ ...config, mix: { ...config.mix, get: 2 } });
      const reads = history.filter((op) => op.input.op === 'get' && op.return !== undefined && op.output?.ok);
      fc.pre(reads.length > 0);
      const victim = reads[pick % reads.length];
      const mutated = history.map((op) => (op === victim ? { ...op, output: { ok: true as const, value: 'never-written' } } : op));
      const result = checkLinearizable(mutated);
      expect(result.ok).toBe(false);
      if (result.ok !== false) return;
      expect(result.window.map((op) => op.id)).toContain(victim.id);
      expect(result.failingOp?.return).toBe(victim.return);
    },
  );

  test.prop([configArb({ ops: fc.integer({ min: 1, max: 7 }) })], { numRuns: NUM_RUNS })(
    'never rejects what the brute-force oracle accepts',
    (config) => {
      for (const history of [simulateKvHistory(config).history, mutateOneResponse(simulateKvHistory(config).history, config.seed)]) {
        if (bruteForceLinearizable(history)) expect(checkLinearizable(history).ok).toBe(true);
      }
    },
  );

  test.prop(
    [
      fc.oneof(
        // Values only, lost writes allowed (cas excluded: its version compares make versions inexact).
        configArb({ ops: fc.integer({ min: 1, max: 7 }), kinds: ['get', 'put', 'delete', 'range'] }).map((c) => ({
          ...c,
          report: { versions: false, revisions: false },
        })),
        // Everything but revisions (gaps are allowed by design), no lost writes: versions are exact.
        configArb({ ops: fc.integer({ min: 1, max: 7 }) }).map((c) => ({ ...c, unknownRate: 0, report: { versions: true, revisions: false } })),
      ),
    ],
    { numRuns: NUM_RUNS },
  )('agrees exactly with the brute-force oracle where the model is exact', (config) => {
    const history = mutateOneResponse(simulateKvHistory(config).history, config.seed ^ 0x5bd1e995);
    expect(checkLinearizable(history).ok).toBe(bruteForceLinearizable(history));
  });

  test.prop(
    [configArb({ ops: fc.integer({ min: 20, max: 150 }), kinds: ['get', 'put', 'cas'] }), fc.constantFrom(0.2, 0.6), fc.boolean()],
    { numRuns: NUM_RUNS },
  )('a store serving stale reads is caught whenever it served one', (config, staleReadRate, revisions) => {
    const { history, staleReads } = simulateKvHistory({ ...config, staleReadRate, report: { versions: true, revisions } });
    const result = checkLinearizable(history);
    if (staleReads > 0) expect(result.ok).toBe(false);
    else expect(result.ok).toBe(true);
  });
});

describe('planted bug: reads served by a lagging replica', () => {
  const base = { clients: 5, ops: 300, keys: 3, unknownRate: 0.05, mix: { get: 4, put: 3, cas: 2, delete: 0, range: 0 } };

  test('the bug actually fires and every such history is flagged, with or without revisions', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 20; seed++) {
      for (const revisions of [true, false]) {
        const { history, staleReads } = simulateKvHistory({ ...base, seed, staleReadRate: 0.1, report: { revisions } });
        expect(staleReads).toBeGreaterThan(0);
        const result = checkLinearizable(history);
        expect(result.ok).toBe(false);
        if (result.ok === false) {
          flagged++;
          expect(result.kind).toBe(revisions ? 'revision-order' : 'not-linearizable');
        }
      }
    }
    expect(flagged).toBe(40);
  });

  test('the same clients against a correct store pass', () => {
    for (let seed = 1; seed <= 20; seed++) {
      expect(checkLinearizable(simulateKvHistory({ ...base, seed }).history).ok).toBe(true);
    }
  });
});
