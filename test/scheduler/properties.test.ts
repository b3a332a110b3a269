// Properties of one scheduling cycle and of a run of cycles with the assume cache, over generated
// clusters (capacity, labels, taints, cordons) and pods (requests, nodeSelector, tolerations, host ports).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import {
  assumedPods,
  assumePod,
  buildSnapshot,
  confirmPod,
  createAssumeCache,
  filterNode,
  filters,
  isScheduled,
  podRequests,
  resourceFromList,
  schedulePod,
  type ScheduleOptions,
} from '../../src/scheduler/index.ts';
import { numRuns } from '../fc.ts';
import { boundTo, makeNode, makePod, seededRand } from './builders.ts';

const RUNS = numRuns(100);

const TAINTS: Taint[] = [
  { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
  { key: 'maintenance', effect: 'NoExecute' },
  { key: 'spot', value: 'true', effect: 'PreferNoSchedule' },
];
const TOLERATIONS: Toleration[] = [
  { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
  { key: 'maintenance', operator: 'Exists' },
  { key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

const nodeSpecArb = fc.record({
  cpuMilli: fc.integer({ min: 200, max: 4000 }),
  memMi: fc.integer({ min: 128, max: 4096 }),
  pods: fc.integer({ min: 1, max: 6 }),
  zone: fc.constantFrom('a', 'b', 'c'),
  disk: fc.constantFrom('ssd', 'hdd'),
  taints: fc.subarray(TAINTS),
  unschedulable: fc.constantFrom(false, false, false, true),
});

const nodesArb = fc.array(nodeSpecArb, { minLength: 1, maxLength: 4 }).map((specs) =>
  specs.map(
    (s, i): Node =>
      makeNode(`n${i}`, {
        cpu: `${s.cpuMilli}m`,
        memory: `${s.memMi}Mi`,
        pods: String(s.pods),
        labels: { zone: s.zone, disk: s.disk },
        taints: s.taints,
        unschedulable: s.unschedulable,
      }),
  ),
);

const podSpecArb = fc.record({
  cpuMilli: fc.option(fc.integer({ min: 0, max: 2500 }), { nil: undefined }),
  memMi: fc.option(fc.integer({ min: 0, max: 2048 }), { nil: undefined }),
  zone: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
  disk: fc.option(fc.constantFrom('ssd', 'hdd'), { nil: undefined }),
  tolerations: fc.subarray(TOLERATIONS),
  hostPort: fc.option(fc.constantFrom(80, 443), { nil: undefined, freq: 4 }),
});

type PodSpecGen = typeof podSpecArb extends fc.Arbitrary<infer T> ? T : never;

function podsFrom(specs: PodSpecGen[]): Pod[] {
  return specs.map((s, i) => {
    const nodeSelector: Record<string, string> = {};
    if (s.zone !== undefined) nodeSelector.zone = s.zone;
    if (s.disk !== undefined) nodeSelector.disk = s.disk;
    return makePod(`p${i}`, {
      cpu: s.cpuMilli === undefined ? undefined : `${s.cpuMilli}m`,
      memory: s.memMi === undefined ? undefined : `${s.memMi}Mi`,
      nodeSelector: Object.keys(nodeSelector).length > 0 ? nodeSelector : undefined,
      tolerations: s.tolerations,
      ports: s.hostPort === undefined ? undefined : [{ containerPort: s.hostPort, hostPort: s.hostPort }],
    });
  });
}

const podsArb = (min: number, max: number) => fc.array(podSpecArb, { minLength: min, maxLength: max }).map(podsFrom);

/** A cluster with some pods already bound (to arbitrary nodes, possibly overfull: the informer is the truth). */
const clusterArb = fc
  .tuple(nodesArb, podsArb(0, 6), fc.array(fc.nat(), { maxLength: 6 }))
  .map(([nodes, existing, where]) => ({
    nodes,
    bound: existing.map((p, i) => boundTo({ ...p, metadata: { ...p.metadata, name: `e${i}`, uid: `uid-e${i}` } }, nodes[(where[i] ?? i) % nodes.length].metadata!.name!)),
  }));

describe('scheduling properties', () => {
  it('the chosen node passes every filter, and a pod is unschedulable only if no node passes', () => {
    fc.assert(
      fc.property(clusterArb, podsArb(1, 1), fc.integer(), ({ nodes, bound }, [pod], seed) => {
        const snapshot = buildSnapshot({ nodes, pods: bound });
        const passing = nodes.map((n) => n.metadata!.name!).filter((name) => filterNode(pod, snapshot, name) === undefined);
        const result = schedulePod(pod, snapshot, seededRand(seed));
        if (isScheduled(result)) {
          expect(passing).toContain(result.node);
        } else {
          expect(passing).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('scheduling a sequence with assume never exceeds any node’s allocatable', () => {
    fc.assert(
      fc.property(sequenceArb, (s) => {
        expect(overbooked(runSequence(s, {}))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('planted bug: ignoring the assume cache double-books, and the property catches it', () => {
    const outcome = fc.check(
      fc.property(sequenceArb, (s) => overbooked(runSequence(s, { ignoreAssumedPods: true })).length === 0),
      { numRuns: Math.max(RUNS, 200), seed: 20240501 },
    );
    expect(outcome.failed).toBe(true);
    // The counterexample really is an overbooked node, not some other failure.
    const [counterexample] = outcome.counterexample!;
    expect(overbooked(runSequence(counterexample, { ignoreAssumedPods: true })).length).toBeGreaterThan(0);
    expect(overbooked(runSequence(counterexample, {}))).toEqual([]);
  });
});

const sequenceArb = fc.record({
  nodes: nodesArb,
  pods: podsArb(2, 8),
  confirms: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  seed: fc.integer(),
});

type Sequence = { nodes: Node[]; pods: Pod[]; confirms: boolean[]; seed: number };

/** Schedules pods one by one; each chosen node is assumed, and some binds are seen by the informer. */
function runSequence(s: Sequence, options: ScheduleOptions): { nodes: Node[]; placed: Pod[] } {
  const rand = seededRand(s.seed);
  let cache = createAssumeCache();
  const informer: Pod[] = [];
  let next = 0;
  s.pods.forEach((pod, i) => {
    const snapshot = buildSnapshot({ nodes: s.nodes, pods: informer, assumedPods: assumedPods(cache) });
    const r = schedulePod(pod, snapshot, rand, { ...options, nextStartNodeIndex: next });
    next = r.nextStartNodeIndex;
    if (!isScheduled(r)) return;
    const assumed = assumePod(cache, pod, r.node);
    if (!assumed.ok) throw new Error(assumed.error);
    cache = assumed.cache;
    if (s.confirms[i]) {
      const bound = boundTo(pod, r.node);
      informer.push(bound);
      cache = confirmPod(cache, bound);
    }
  });
  return { nodes: s.nodes, placed: [...informer, ...assumedPods(cache)] };
}

/** Nodes whose placed pods exceed allocatable cpu, memory or pod count, or share a host port. */
function overbooked({ nodes, placed }: { nodes: Node[]; placed: Pod[] }): string[] {
  const bad: string[] = [];
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const alloc = resourceFromList(node.status!.allocatable);
    const here = placed.filter((p) => p.spec!.nodeName === name);
    const cpu = here.reduce((acc, p) => acc + podRequests(p).milliCPU, 0);
    const mem = here.reduce((acc, p) => acc + podRequests(p).memory, 0);
    const ports = here.flatMap((p) => filters.wantedHostPorts(p).map((hp) => `${hp.protocol}/${hp.port}`));
    if (cpu > alloc.milliCPU || mem > alloc.memory || here.length > alloc.allowedPodNumber || new Set(ports).size !== ports.length) bad.push(name);
  }
  return bad;
}
