// An informer whose link from the apiserver loses, repeats and reorders messages (the simulated network's
// own faults, on every message: list answers and watch batches alike) still ends with a cache equal to the
// server's once the faults stop — because a gap in a watch stream's `seq` breaks the stream and the informer
// watches again from the last resourceVersion it processed. With the gap ignored (the planted bug
// `ignore-watch-gaps`) a lost event is missed for good, and the same property fails.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LinkModel } from '../../src/bus/network.ts';
import { metaNamespaceKey, type Delta, type InformerOptions, type KubeObject } from '../../src/client/index.ts';
import { numRuns } from '../fc.ts';
import { APISERVER, cachedObjects, informerContext, informerSim, pod, serverObjects } from './helpers.ts';

const RUNS = numRuns(20);
const CLIENT = 'client-0';
const NAMES = ['p0', 'p1', 'p2', 'p3'];

interface LinkFaults {
  drop: number;
  duplicate: number;
  reorder: boolean;
  /** The client → apiserver direction too (watch requests and cancels lost or repeated). */
  bothWays: boolean;
}

interface Step {
  kind: 'put' | 'delete';
  name: string;
  version: number;
  gapMs: number;
}

interface Scenario {
  seed: number;
  faults: LinkFaults;
  steps: Step[];
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom<Step['kind']>('put', 'put', 'delete'),
  name: fc.constantFrom(...NAMES),
  version: fc.integer({ min: 0, max: 9 }),
  gapMs: fc.integer({ min: 0, max: 300 }),
});

const faultsArb: fc.Arbitrary<LinkFaults> = fc.record({
  drop: fc.constantFrom(0, 0.05, 0.2, 0.4),
  duplicate: fc.constantFrom(0, 0.1, 0.4),
  reorder: fc.boolean(),
  bothWays: fc.boolean(),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  faults: faultsArb,
  steps: fc.array(stepArb, { minLength: 1, maxLength: 30 }),
});

const INFORMER: Partial<Omit<InformerOptions, 'apiserver' | 'idPrefix'>> = {
  stallTimeoutMs: 2_000,
  listTimeoutMs: 2_000,
  backoff: { initialMs: 100, maxMs: 1_000, factor: 2, resetAfterMs: 10_000 },
};

/** What a handler would hold if it applied every delta to its own map. */
function mirror(deltas: readonly Delta<KubeObject>[]): KubeObject[] {
  const map = new Map<string, KubeObject>();
  for (const d of deltas) {
    if (d.type === 'deleted') map.delete(metaNamespaceKey(d.object));
    else map.set(metaNamespaceKey(d.object), d.object);
  }
  return [...map.keys()].sort().map((k) => map.get(k)!);
}

function run(s: Scenario, plant?: InformerOptions['plant']) {
  const { sim, fake, command, startInformer } = informerSim({
    seed: s.seed, fake: { bookmarkIntervalMs: 500 }, informer: { ...INFORMER, ...(plant ? { plant } : {}) },
  });
  // Latencies that vary enough for reordering to happen when it is on.
  const link: Partial<LinkModel> = { ...s.faults, latency: { kind: 'uniform', minMs: 1, maxMs: 40 } };
  sim.network.addLayer('faults', APISERVER, CLIENT, link);
  if (s.faults.bothWays) sim.network.addLayer('faults-back', CLIENT, APISERVER, link);
  const client = startInformer();
  sim.runFor(20);
  for (const step of s.steps) {
    if (step.kind === 'delete') command({ type: 'fake.delete', resource: 'pods', namespace: 'default', name: step.name });
    else command({ type: 'fake.put', resource: 'pods', object: pod(step.name, { v: String(step.version) }) });
    sim.runFor(step.gapMs);
  }
  sim.network.removeLayer('faults');
  sim.network.removeLayer('faults-back');
  // Enough for a stalled watch to be noticed (2 s), a back-off (≤ 1 s) and a list and watch to follow.
  sim.runFor(8_000);
  const server = serverObjects(fake, 'pods');
  const { informer, deltas } = informerContext(client);
  return { server, cache: cachedObjects(client), handlers: mirror(deltas), stats: informer.stats };
}

const converged = (o: ReturnType<typeof run>) =>
  JSON.stringify(o.cache) === JSON.stringify(o.server) && JSON.stringify(o.handlers) === JSON.stringify(o.server);

describe('informer over a lossy, duplicating, reordering link (property)', () => {
  it('ends with the server state in its cache and its handlers once the faults stop', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const o = run(s);
        expect(o.cache).toEqual(o.server);
        expect(o.handlers).toEqual(o.server);
      }),
      { numRuns: RUNS },
    );
  });

  it('breaks streams at gaps and drops repeats (the faults were really exercised)', () => {
    const o = run({
      seed: 7, faults: { drop: 0.2, duplicate: 0.3, reorder: true, bothWays: false },
      steps: Array.from({ length: 30 }, (_, i) => ({ kind: 'put' as const, name: NAMES[i % 4], version: i, gapMs: 50 })),
    });
    expect(o.cache).toEqual(o.server);
    expect(o.stats.brokenStreams).toBeGreaterThan(0);
    expect(o.stats.duplicateMessages).toBeGreaterThan(0);
  });

  it('planted bug: an informer that ignores gaps misses events for good, and the property catches it', () => {
    const lossy = scenarioArb.map((s) => ({ ...s, faults: { ...s.faults, drop: Math.max(s.faults.drop, 0.2) } }));
    const outcome = fc.check(fc.property(lossy, (s) => converged(run(s, 'ignore-watch-gaps'))), { numRuns: Math.max(RUNS, 40), seed: 4242 });
    expect(outcome.failed).toBe(true);
    const [counterexample] = outcome.counterexample!;
    expect(converged(run(counterexample, 'ignore-watch-gaps'))).toBe(false);
    expect(converged(run(counterexample))).toBe(true);
  });
});
