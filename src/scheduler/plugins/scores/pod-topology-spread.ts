// PodTopologySpread (score): for ScheduleAnyway constraints (or the system defaults), a node's raw
// score is Σ count(domain) × log(domains + 2) + (maxSkew − 1); fewer matching pods is better, so
// NormalizeScore maps s to 100 × (max + min − s) / max. Nodes lacking a topology key score 0.
import { requiredNodeAffinity } from '../../node-selector.ts';
import { podNamespace } from '../../pod-info.ts';
import { nodeLabels, type NodeInfo } from '../../snapshot.ts';
import { MAX_NODE_SCORE, idiv, type ScorePlugin } from '../../types.ts';
import {
  LABEL_HOSTNAME,
  POD_TOPOLOGY_SPREAD,
  countPodsMatchSelector,
  matchNodeInclusionPolicies,
  nodeLabelsMatchSpreadConstraints,
  podCounter,
  spreadConstraints,
} from '../topology-spread-common.ts';

export { POD_TOPOLOGY_SPREAD };

export function topologyNormalizingWeight(size: number): number {
  return Math.log(size + 2);
}

export function scoreForCount(cnt: number, maxSkew: number, tpWeight: number): number {
  return cnt * tpWeight + (maxSkew - 1);
}

/**
 * Matching pods per topology domain, keyed by topology key then value: upstream 1.30's
 * TopologyPairToPodCounts (one map over {key, value} pairs, so two constraints on one key share it),
 * without building a pair string per node and constraint on every cycle.
 */
type DomainCounts = Map<string, Map<string, number>>;

function domainOf(counts: DomainCounts, key: string): Map<string, number> {
  let values = counts.get(key);
  if (values === undefined) {
    values = new Map();
    counts.set(key, values);
  }
  return values;
}

export const podTopologySpreadScorePlugin: ScorePlugin = {
  name: POD_TOPOLOGY_SPREAD,
  preScore: (pod, snapshot, feasible) => {
    if (snapshot.nodes.length === 0) return { kind: 'skip' };
    const { constraints, systemDefaulted } = spreadConstraints(pod, snapshot, 'ScheduleAnyway');
    if (constraints.length === 0) return { kind: 'skip' };
    // Only explicit constraints require every topology key; system defaults still spread by
    // hostname on nodes without a zone label.
    const requireAllTopologies = !systemDefaulted;
    const ignored = new Set<string>();
    const pairCounts: DomainCounts = new Map();
    // The pairs Score will read: those of feasible nodes that carry the key. A feasible node without
    // the key still opens the pair (key, "") and counts as a domain, as upstream's map lookup of a
    // missing label gives "", but Score never reads that count unless a node has the label set to "".
    const read: DomainCounts = new Map();
    const topoSize = constraints.map(() => 0);
    for (const info of feasible) {
      const labels = nodeLabels(info);
      if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(labels, constraints)) {
        ignored.add(info.name);
        continue;
      }
      for (let i = 0; i < constraints.length; i++) {
        const key = constraints[i].topologyKey;
        if (key === LABEL_HOSTNAME) continue; // per-node counts are taken in Score
        const value = labels[key];
        const values = domainOf(pairCounts, key);
        if (!values.has(value ?? '')) {
          values.set(value ?? '', 0);
          topoSize[i]++;
        }
        if (value !== undefined) domainOf(read, key).set(value, 0);
      }
    }
    const weights = constraints.map((c, i) =>
      topologyNormalizingWeight(c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignored.size : topoSize[i]),
    );
    const ns = podNamespace(pod);
    // Count only into pairs Score reads: the others' sums are never looked at (skipping them changes no score).
    if (read.size > 0) {
      const required = requiredNodeAffinity(pod);
      for (const info of snapshot.nodes) {
        const labels = nodeLabels(info);
        if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(labels, constraints)) continue;
        for (const c of constraints) {
          if (c.topologyKey === LABEL_HOSTNAME) continue; // per-node counts are taken in Score
          const values = read.get(c.topologyKey);
          const value = labels[c.topologyKey] ?? '';
          const current = values?.get(value);
          if (current === undefined) continue; // not a domain Score reads
          if (!matchNodeInclusionPolicies(c, pod, info, required)) continue;
          values!.set(value, current + countPodsMatchSelector(info.pods, c.selector, ns));
        }
      }
    }
    const counters = constraints.map((c) => podCounter(c.selector, ns));
    return {
      kind: 'score',
      score: (node: NodeInfo) => {
        if (ignored.has(node.name)) return 0;
        const labels = nodeLabels(node);
        let score = 0;
        for (let i = 0; i < constraints.length; i++) {
          const c = constraints[i];
          const value = labels[c.topologyKey];
          if (value === undefined) continue;
          const cnt =
            c.topologyKey === LABEL_HOSTNAME
              ? counters[i](node.pods)
              : (read.get(c.topologyKey)?.get(value) ?? 0);
          score += scoreForCount(cnt, c.maxSkew, weights[i]);
        }
        return Math.round(score);
      },
      normalize: (scores, nodes) => {
        let min = Number.MAX_SAFE_INTEGER;
        let max = 0;
        scores.forEach((s, i) => {
          if (ignored.has(nodes[i].name)) return;
          min = Math.min(min, s);
          max = Math.max(max, s);
        });
        return scores.map((s, i) => {
          if (ignored.has(nodes[i].name)) return 0;
          if (max === 0) return MAX_NODE_SCORE;
          return idiv(MAX_NODE_SCORE * (max + min - s), max);
        });
      },
    };
  },
};
