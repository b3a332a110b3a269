import { describe, expect, it } from 'vitest';
import {
  buildSnapshot,
  isScheduled,
  numFeasibleNodesToFind,
  scoreNodes,
  schedulePod,
  selectHost,
  type NodeScore,
  type ScheduleResult,
  type SnapshotInput,
} from '../../src/scheduler/index.ts';
import { scores } from '../../src/scheduler/index.ts';
import type { ScorePlugin } from '../../src/scheduler/types.ts';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { boundTo, makeNode, makePod, noRand, seededRand } from './builders.ts';

/** One plugin's normalized (unweighted) scores over all nodes of the snapshot. */
function pluginScores(plugin: ScorePlugin, pod: Pod, input: SnapshotInput): Record<string, number> {
  const snapshot = buildSnapshot(input);
  const result = scoreNodes(pod, snapshot, snapshot.nodes, [{ plugin, weight: 1 }]);
  return Object.fromEntries(result.map((s) => [s.name, s.byPlugin[plugin.name] ?? 0]));
}

function scheduled(r: ScheduleResult) {
  if (!isScheduled(r)) throw new Error(`expected a node, got ${JSON.stringify(r)}`);
  return r;
}

describe('normalization helpers', () => {
  it('DefaultNormalizeScore scales by the max with integer division, optionally reversed', () => {
    expect(scores.defaultNormalizeScore(100, false, [0, 1, 3])).toEqual([0, 33, 100]);
    expect(scores.defaultNormalizeScore(100, true, [0, 1, 3])).toEqual([100, 67, 0]);
    expect(scores.defaultNormalizeScore(100, true, [0, 0])).toEqual([100, 100]);
    expect(scores.defaultNormalizeScore(100, false, [0, 0])).toEqual([0, 0]);
  });
  it('LeastAllocated and BalancedAllocation formulas', () => {
    expect(scores.leastRequestedScore(2000, 4000)).toBe(50);
    expect(scores.leastRequestedScore(5000, 4000)).toBe(0);
    expect(scores.leastAllocatedScore([2000, 3], [4000, 8])).toBe(56); // (50 + 62) / 2
    expect(scores.balancedResourceScore([2000, 3], [4000, 8])).toBe(93); // (1 − |0.5 − 0.375| / 2) × 100
  });
});

describe('individual score plugins', () => {
  it('TaintToleration prefers fewer intolerable PreferNoSchedule taints', () => {
    const soft = (k: string) => ({ key: k, effect: 'PreferNoSchedule' });
    const nodes = [makeNode('clean'), makeNode('one', { taints: [soft('a')] }), makeNode('two', { taints: [soft('a'), soft('b')] })];
    expect(pluginScores(scores.taintTolerationScorePlugin, makePod('p'), { nodes })).toEqual({ clean: 100, one: 50, two: 0 });
    const tolerant = makePod('t', { tolerations: [{ key: 'a', operator: 'Exists' }] });
    expect(pluginScores(scores.taintTolerationScorePlugin, tolerant, { nodes })).toEqual({ clean: 100, one: 100, two: 0 });
  });

  it('NodeAffinity sums matching preferred weights, normalized by the best node', () => {
    const nodes = [makeNode('a', { labels: { disk: 'ssd', zone: 'z1' } }), makeNode('b', { labels: { disk: 'ssd' } }), makeNode('c')];
    const pod = makePod('p', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
          ],
        },
      },
    });
    expect(pluginScores(scores.nodeAffinityScorePlugin, pod, { nodes })).toEqual({ a: 100, b: 75, c: 0 });
  });

  it('PodTopologySpread (ScheduleAnyway) favours hosts with fewer matching pods', () => {
    const nodes = ['n1', 'n2', 'n3'].map((n) => makeNode(n));
    const web = (name: string, node: string) => boundTo(makePod(name, { labels: { app: 'web' } }), node);
    const pod = makePod('new', {
      labels: { app: 'web' },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } },
      ],
    });
    // raw = round(count × ln(3 + 2)) = 3, 2, 0; normalized 100 × (max + min − s) / max.
    expect(pluginScores(scores.podTopologySpreadScorePlugin, pod, { nodes, pods: [web('w1', 'n1'), web('w2', 'n1'), web('w3', 'n2')] })).toEqual({
      n1: 0,
      n2: 33,
      n3: 100,
    });
  });

  it('PodTopologySpread system defaults spread pods of one ReplicaSet by hostname', () => {
    const nodes = ['n1', 'n2'].map((n) => makeNode(n));
    const owned = (name: string): Pod => {
      const p = makePod(name, { labels: { app: 'api' } });
      p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-1', uid: 'rs', controller: true }];
      return p;
    };
    const rs: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'api-1', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'api' } }, template: {} } };
    const input = { nodes, pods: [boundTo(owned('a'), 'n1')], replicaSets: [rs] };
    // hostname: maxSkew 3, weight ln(4): n1 = round(1×1.386 + 2) = 3, n2 = 2 → 100×(3+2−3)/3 = 66, 100.
    expect(pluginScores(scores.podTopologySpreadScorePlugin, owned('b'), input)).toEqual({ n1: 66, n2: 100 });
    // Without the ReplicaSet object there is no default selector, so nothing to spread.
    expect(pluginScores(scores.podTopologySpreadScorePlugin, owned('b'), { nodes, pods: input.pods })).toEqual({ n1: 0, n2: 0 });
  });

  it('InterPodAffinity preferred terms score whole topology domains, min–max normalized', () => {
    const nodes = [makeNode('a1', { labels: { zone: 'a' } }), makeNode('a2', { labels: { zone: 'a' } }), makeNode('b1', { labels: { zone: 'b' } })];
    const db = boundTo(makePod('db', { labels: { app: 'db' } }), 'a1');
    const pod = makePod('web', {
      affinity: {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' } }],
        },
      },
    });
    expect(pluginScores(scores.interPodAffinityScorePlugin, pod, { nodes, pods: [db] })).toEqual({ a1: 100, a2: 100, b1: 0 });
    const anti = makePod('web2', {
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' } }],
        },
      },
    });
    expect(pluginScores(scores.interPodAffinityScorePlugin, anti, { nodes, pods: [db] })).toEqual({ a1: 0, a2: 0, b1: 100 });
  });

  it('ImageLocality: size × share of nodes with the image, clamped and scaled', () => {
    const MB = 1024 * 1024;
    const nodes = [makeNode('warm', { images: [{ names: ['nginx:1.25'], sizeBytes: 500 * MB }] }), makeNode('cold')];
    // 500MB × 1/2 = 250MB → 100 × (250 − 23) / (1000 − 23) = 23.
    expect(pluginScores(scores.imageLocalityScorePlugin, makePod('p', { image: 'nginx:1.25' }), { nodes })).toEqual({ warm: 23, cold: 0 });
    expect(scores.normalizedImageName('nginx')).toBe('nginx:latest');
    expect(scores.normalizedImageName('localhost:5000/app')).toBe('localhost:5000/app:latest');
  });
});

describe('weighted totals (hand-computed)', () => {
  // n-a already runs 1 cpu / 2Gi; the pod asks 1 cpu / 1Gi; both nodes 4 cpu / 8Gi.
  //   LeastAllocated   n-a: cpu 50, mem (5/8)→62 → 56     n-b: cpu 75, mem (7/8)→87 → 81
  //   Balanced         n-a: |.5 − .375|/2 → 93            n-b: |.25 − .125|/2 → 93
  //   TaintToleration  no taints → 100 each, weight 3 → 300
  //   others skip or score 0 (no preferences, no spreading selector, no images)
  const existing = boundTo(makePod('e', { cpu: '1', memory: '2Gi' }), 'n-a');
  const pod = makePod('p', { cpu: '1', memory: '1Gi' });

  it('picks the emptier node: 449 vs 474', () => {
    const snapshot = buildSnapshot({ nodes: [makeNode('n-a'), makeNode('n-b')], pods: [existing] });
    const r = scheduled(schedulePod(pod, snapshot, noRand));
    expect(r.node).toBe('n-b');
    expect(r.scores!.map((s) => [s.name, s.total])).toEqual([
      ['n-a', 449],
      ['n-b', 474],
    ]);
    // NodeAffinity and PodTopologySpread skip at PreScore (nothing to prefer or spread by).
    expect(r.scores![0].byPlugin).toEqual({
      TaintToleration: 300,
      NodeResourcesFit: 56,
      InterPodAffinity: 0,
      NodeResourcesBalancedAllocation: 93,
      ImageLocality: 0,
    });
  });

  it('weights flip the choice: a PreferNoSchedule taint (×3) and a preferred term (×2) on n-b', () => {
    const nodes = [makeNode('n-a'), makeNode('n-b', { labels: { disk: 'ssd' }, taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] })];
    const picky: Pod = {
      ...pod,
      spec: {
        ...pod.spec!,
        affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } },
      },
    };
    const r = scheduled(schedulePod(picky, buildSnapshot({ nodes, pods: [existing] }), noRand));
    // n-a: 300 + 0 + 56 + 93 = 449; n-b: 0 + 200 + 81 + 93 = 374.
    expect(r.scores!.map((s) => [s.name, s.total])).toEqual([
      ['n-a', 449],
      ['n-b', 374],
    ]);
    expect(r.node).toBe('n-a');
  });

  it('a single feasible node is chosen without scoring or a random draw', () => {
    const r = scheduled(schedulePod(pod, buildSnapshot({ nodes: [makeNode('only'), makeNode('tiny', { cpu: '100m' })] }), noRand));
    expect(r).toMatchObject({ node: 'only', feasibleNodes: 1, evaluatedNodes: 2 });
    expect(r.scores).toBeUndefined();
  });
});

describe('selectHost', () => {
  const s = (name: string, total: number): NodeScore => ({ name, total, byPlugin: {} });
  it('takes the strict maximum without drawing', () => {
    expect(selectHost([s('a', 1), s('b', 5), s('c', 3)], noRand)).toBe('b');
  });
  it('reservoir-samples ties uniformly using the supplied draw', () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const rand = seededRand(7);
    for (let i = 0; i < 3000; i++) counts[selectHost([s('a', 9), s('b', 9), s('c', 9), s('d', 1)], rand)]++;
    for (const n of ['a', 'b', 'c']) expect(counts[n]).toBeGreaterThan(850);
    // Draw sequence decides: always 0 keeps replacing, so the last tie wins; always 0.99 keeps the first.
    expect(selectHost([s('a', 9), s('b', 9), s('c', 9)], () => 0)).toBe('c');
    expect(selectHost([s('a', 9), s('b', 9), s('c', 9)], () => 0.99)).toBe('a');
  });
});

describe('numFeasibleNodesToFind', () => {
  it('all nodes below 100, then the adaptive percentage with a floor of 100 nodes', () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(150)).toBe(100); // 49% of 150 = 73 → floor 100
    expect(numFeasibleNodesToFind(1000)).toBe(420); // 50 − 8 = 42%
    expect(numFeasibleNodesToFind(6000)).toBe(300); // 50 − 48 = 2% → at least 5%
  });
});

describe('node scan rotation (large clusters)', () => {
  it('stops after numFeasibleNodesToFind feasible nodes and resumes where it stopped', () => {
    const nodes = Array.from({ length: 150 }, (_, i) => makeNode(`n${String(i).padStart(3, '0')}`));
    const snapshot = buildSnapshot({ nodes });
    const first = scheduled(schedulePod(makePod('p'), snapshot, seededRand(1)));
    expect(first).toMatchObject({ feasibleNodes: 100, evaluatedNodes: 100, nextStartNodeIndex: 100 });
    const second = scheduled(schedulePod(makePod('q'), snapshot, seededRand(1), { nextStartNodeIndex: first.nextStartNodeIndex }));
    expect(second.nextStartNodeIndex).toBe(50);
    // The second scan covered n100..n149 then n000..n049.
    expect(second.scores!.map((s) => s.name).slice(48, 52)).toEqual(['n148', 'n149', 'n000', 'n001']);
  });
});
