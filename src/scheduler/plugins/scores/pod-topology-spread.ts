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
  spreadConstraints,
  topologyPair,
} from '../topology-spread-common.ts';

export { POD_TOPOLOGY_SPREAD };

export function topologyNormalizingWeight(size: number): number {
  return Math.log(size + 2);
}

export function scoreForCount(cnt: number, maxSkew: number, tpWeight: number): number {
  return cnt * tpWeight + (maxSkew - 1);
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
    const pairCounts = new Map<string, number>();
    const topoSize = constraints.map(() => 0);
    for (const info of feasible) {
      const labels = nodeLabels(info);
      if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(labels, constraints)) {
        ignored.add(info.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return; // per-node counts are taken in Score
        const k = topologyPair(c.topologyKey, labels[c.topologyKey] ?? '');
        if (!pairCounts.has(k)) {
          pairCounts.set(k, 0);
          topoSize[i]++;
        }
      });
    }
    const weights = constraints.map((c, i) =>
      topologyNormalizingWeight(c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignored.size : topoSize[i]),
    );
    const required = requiredNodeAffinity(pod);
    const ns = podNamespace(pod);
    for (const info of snapshot.nodes) {
      const labels = nodeLabels(info);
      if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(labels, constraints)) continue;
      for (const c of constraints) {
        if (c.topologyKey === LABEL_HOSTNAME) continue; // per-node counts are taken in Score
        const k = topologyPair(c.topologyKey, labels[c.topologyKey] ?? '');
        const current = pairCounts.get(k);
        if (current === undefined) continue; // not a domain of any candidate node
        if (!matchNodeInclusionPolicies(c, pod, info, required)) continue;
        pairCounts.set(k, current + countPodsMatchSelector(info.pods, c.selector, ns));
      }
    }
    return {
      kind: 'score',
      score: (node: NodeInfo) => {
        if (ignored.has(node.name)) return 0;
        const labels = nodeLabels(node);
        let score = 0;
        constraints.forEach((c, i) => {
          const value = labels[c.topologyKey];
          if (value === undefined) return;
          const cnt =
            c.topologyKey === LABEL_HOSTNAME
              ? countPodsMatchSelector(node.pods, c.selector, ns)
              : (pairCounts.get(topologyPair(c.topologyKey, value)) ?? 0);
          score += scoreForCount(cnt, c.maxSkew, weights[i]);
        });
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
