// InterPodAffinity (score): per topology domain, + weight for each existing pod matching one of
// the incoming pod's preferred affinity terms, − weight for preferred anti-affinity, + the
// hardPodAffinityWeight (1) for existing pods whose *required* affinity matches the incoming pod,
// ± weight for existing pods' preferred terms matching it; then min–max normalized to 0–100.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../../../api/labels.ts';
import { affinityTermMatches, podInfoOf, podNamespace, type AffinityTerm, type PodInfo, type WeightedAffinityTerm } from '../../pod-info.ts';
import { nodeLabels, type NodeInfo } from '../../snapshot.ts';
import { MAX_NODE_SCORE, type ScorePlugin } from '../../types.ts';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
/** InterPodAffinityArgs.hardPodAffinityWeight default. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

/** topologyKey → topologyValue → score. */
type ScoreMap = Map<string, Map<string, number>>;

function processTerm(m: ScoreMap, term: AffinityTerm, weight: number, pod: Pod, nsLabels: Labels | undefined, node: Node, multiplier: number): void {
  if (!affinityTermMatches(term, pod, nsLabels)) return;
  const value = node.metadata?.labels?.[term.topologyKey];
  if (value === undefined) return;
  let byValue = m.get(term.topologyKey);
  if (byValue === undefined) m.set(term.topologyKey, (byValue = new Map()));
  byValue.set(value, (byValue.get(value) ?? 0) + weight * multiplier);
}

function processTerms(m: ScoreMap, terms: readonly WeightedAffinityTerm[], pod: Pod, nsLabels: Labels | undefined, node: Node, multiplier: number): void {
  for (const t of terms) processTerm(m, t, t.weight, pod, nsLabels, node, multiplier);
}

export const interPodAffinityScorePlugin: ScorePlugin = {
  name: INTER_POD_AFFINITY,
  preScore: (pod, snapshot) => {
    const incoming = podInfoOf(pod);
    const hasConstraints = incoming.preferredAffinityTerms.length > 0 || incoming.preferredAntiAffinityTerms.length > 0;
    const incomingNs = snapshot.namespaceLabels(podNamespace(pod));
    const topologyScore: ScoreMap = new Map();
    for (const info of snapshot.nodes) {
      const node = info.node;
      if (Object.keys(nodeLabels(info)).length === 0) continue;
      // Without preferred terms of its own, only existing pods with affinity can contribute.
      const pods: readonly PodInfo[] = hasConstraints ? info.pods : info.podsWithAffinity;
      for (const existing of pods) {
        const existingNs = snapshot.namespaceLabels(podNamespace(existing.pod));
        processTerms(topologyScore, incoming.preferredAffinityTerms, existing.pod, existingNs, node, 1);
        processTerms(topologyScore, incoming.preferredAntiAffinityTerms, existing.pod, existingNs, node, -1);
        for (const t of existing.requiredAffinityTerms) processTerm(topologyScore, t, HARD_POD_AFFINITY_WEIGHT, pod, incomingNs, node, 1);
        processTerms(topologyScore, existing.preferredAffinityTerms, pod, incomingNs, node, 1);
        processTerms(topologyScore, existing.preferredAntiAffinityTerms, pod, incomingNs, node, -1);
      }
    }
    return {
      kind: 'score',
      score: (node: NodeInfo) => {
        let score = 0;
        const labels = nodeLabels(node);
        for (const [key, byValue] of topologyScore) {
          const v = labels[key];
          if (v !== undefined) score += byValue.get(v) ?? 0;
        }
        return score;
      },
      normalize: (scores) => {
        if (topologyScore.size === 0) return [...scores];
        const min = Math.min(...scores);
        const max = Math.max(...scores);
        const diff = max - min;
        return scores.map((s) => (diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s - min) / diff)) : 0));
      },
    };
  },
};
