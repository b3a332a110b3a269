// PodTopologySpread's score keeps upstream 1.30's arithmetic while it skips work: its PreScore counts
// only the domains Score reads, keyed by topology key then value. Checked against a direct transcription
// of 1.30's initPreScoreState/PreScore/Score (one map over "key\0value" pairs, every node counted),
// over generated nodes with and without the zone label (and with it set to ""), several constraints on
// one key, node affinity under nodeAffinityPolicy, and the system-default constraints.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { buildSnapshot, scores, type NodeInfo, type Snapshot } from '../../src/scheduler/index.ts';
import { requiredNodeAffinity } from '../../src/scheduler/node-selector.ts';
import { podNamespace } from '../../src/scheduler/pod-info.ts';
import { nodeLabels } from '../../src/scheduler/snapshot.ts';
import {
  LABEL_HOSTNAME, countPodsMatchSelector, matchNodeInclusionPolicies, nodeLabelsMatchSpreadConstraints, spreadConstraints, topologyPair,
} from '../../src/scheduler/plugins/topology-spread-common.ts';
import { scoreForCount, topologyNormalizingWeight } from '../../src/scheduler/plugins/scores/pod-topology-spread.ts';
import { numRuns } from '../fc.ts';
import { boundTo, makeNode, makePod } from './builders.ts';

const ZONE = 'topology.kubernetes.io/zone';

/**
 * 1.30's raw Score per feasible node, computed the long way (the reference). `plantOnlyFeasible`: a
 * planted bug, domains counted over the feasible nodes only instead of every node.
 */
function referenceRawScores(pod: Pod, snapshot: Snapshot, feasible: readonly NodeInfo[], plantOnlyFeasible = false): number[] | undefined {
  const { constraints, systemDefaulted } = spreadConstraints(pod, snapshot, 'ScheduleAnyway');
  if (constraints.length === 0) return undefined;
  const requireAll = !systemDefaulted;
  const ignored = new Set<string>();
  const pairs = new Map<string, number>();
  const topoSize = constraints.map(() => 0);
  for (const info of feasible) {
    const labels = nodeLabels(info);
    if (requireAll && !nodeLabelsMatchSpreadConstraints(labels, constraints)) {
      ignored.add(info.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      const k = topologyPair(c.topologyKey, labels[c.topologyKey] ?? '');
      if (!pairs.has(k)) {
        pairs.set(k, 0);
        topoSize[i]++;
      }
    });
  }
  const weights = constraints.map((c, i) => topologyNormalizingWeight(c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignored.size : topoSize[i]));
  const required = requiredNodeAffinity(pod);
  for (const info of plantOnlyFeasible ? feasible : snapshot.nodes) {
    const labels = nodeLabels(info);
    if (requireAll && !nodeLabelsMatchSpreadConstraints(labels, constraints)) continue;
    for (const c of constraints) {
      if (c.topologyKey === LABEL_HOSTNAME) continue;
      const k = topologyPair(c.topologyKey, labels[c.topologyKey] ?? '');
      const current = pairs.get(k);
      if (current === undefined || !matchNodeInclusionPolicies(c, pod, info, required)) continue;
      pairs.set(k, current + countPodsMatchSelector(info.pods, c.selector, podNamespace(pod)));
    }
  }
  return feasible.map((node) => {
    if (ignored.has(node.name)) return 0;
    const labels = nodeLabels(node);
    let score = 0;
    constraints.forEach((c, i) => {
      const value = labels[c.topologyKey];
      if (value === undefined) return;
      const cnt = c.topologyKey === LABEL_HOSTNAME
        ? countPodsMatchSelector(node.pods, c.selector, podNamespace(pod))
        : (pairs.get(topologyPair(c.topologyKey, value)) ?? 0);
      score += scoreForCount(cnt, c.maxSkew, weights[i]);
    });
    return Math.round(score);
  });
}

const zoneLabel = fc.constantFrom<string | undefined>(undefined, '', 'z1', 'z2', 'z3');
const rackLabel = fc.constantFrom<string | undefined>(undefined, 'r1', 'r2');
const constraint: fc.Arbitrary<TopologySpreadConstraint> = fc.record({
  topologyKey: fc.constantFrom(LABEL_HOSTNAME, ZONE, 'rack'),
  maxSkew: fc.integer({ min: 1, max: 4 }),
  app: fc.constantFrom('a', 'b'),
  nodeAffinityPolicy: fc.constantFrom<'Honor' | 'Ignore'>('Honor', 'Ignore'),
}).map(({ app, ...c }) => ({ ...c, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app } } }));

const scenario = fc.record({
  nodes: fc.array(fc.record({ zone: zoneLabel, rack: rackLabel, gpu: fc.boolean() }), { minLength: 1, maxLength: 8 }),
  pods: fc.array(fc.record({ node: fc.nat(7), app: fc.constantFrom('a', 'b'), ns: fc.constantFrom('default', 'other') }), { maxLength: 20 }),
  // undefined: the system defaults, selected through the pod's ReplicaSet.
  constraints: fc.option(fc.array(constraint, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  needsGpu: fc.boolean(),
  feasibleMask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The plugin's raw scores equal the reference's (or both skip). */
function agrees(s: Scenario, plantOnlyFeasible = false): boolean {
  const nodes = s.nodes.map((n, i) => makeNode(`n${i}`, {
    labels: { ...(n.zone !== undefined ? { [ZONE]: n.zone } : {}), ...(n.rack !== undefined ? { rack: n.rack } : {}), ...(n.gpu ? { gpu: 'yes' } : {}) },
  }));
  const rs: ReplicaSet = { metadata: { name: 'web', namespace: 'default', uid: 'rs-1' }, spec: { selector: { matchLabels: { app: 'a' } }, template: {} } };
  const owned = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-1', controller: true }] };
  const pods = s.pods.map((p, i) => {
    const pod = boundTo(makePod(`p${i}`, { namespace: p.ns, labels: { app: p.app } }), `n${p.node % nodes.length}`);
    return { ...pod, metadata: { ...pod.metadata, ...owned } };
  });
  const incoming = makePod('incoming', {
    labels: { app: 'a' },
    ...(s.constraints ? { topologySpreadConstraints: s.constraints } : {}),
    ...(s.needsGpu ? { nodeSelector: { gpu: 'yes' } } : {}),
  });
  const pod: Pod = { ...incoming, metadata: { ...incoming.metadata, ...owned } };
  const snapshot = buildSnapshot({ nodes, pods, replicaSets: [rs] });
  const feasible = snapshot.nodes.filter((_, i) => s.feasibleMask[i]);
  const outcome = scores.podTopologySpreadScorePlugin.preScore(pod, snapshot, feasible);
  const reference = referenceRawScores(pod, snapshot, feasible, plantOnlyFeasible);
  if (reference === undefined || outcome.kind === 'skip') return reference === undefined && outcome.kind === 'skip';
  return JSON.stringify(feasible.map((n) => outcome.score(n))) === JSON.stringify(reference);
}

describe('PodTopologySpread score', () => {
  it("equals 1.30's pair-map computation on every node", () => {
    fc.assert(fc.property(scenario, (s) => agrees(s)), { numRuns: numRuns(300) });
  });

  it('the comparison catches domains counted over the feasible nodes only (planted)', () => {
    const result = fc.check(fc.property(scenario, (s) => agrees(s, true)), { numRuns: numRuns(300), seed: 1 });
    expect(result.failed).toBe(true);
  });
});
