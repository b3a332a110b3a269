// InterPodAffinity (filter): the incoming pod's required affinity needs a matching pod in the
// node's topology domain, its required anti-affinity forbids one, and existing pods' required
// anti-affinity terms that match the incoming pod forbid their domains.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../../../api/labels.ts';
import { affinityTermMatches, podInfoOf, podNamespace, type AffinityTerm, type PodInfo } from '../../pod-info.ts';
import { nodeLabels, type NodeInfo, type Snapshot } from '../../snapshot.ts';
import { PASS, fail, type FilterPlugin, type FilterResult } from '../../types.ts';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

/** topologyToMatchedTermCount keyed by "key\0value". */
type TopologyCounts = Map<string, number>;

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

function bump(m: TopologyCounts, node: Node, topologyKey: string): void {
  const value = node.metadata?.labels?.[topologyKey];
  if (value === undefined) return;
  const k = pair(topologyKey, value);
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** podMatchesAllAffinityTerms: false for no terms. */
function matchesAllTerms(terms: readonly AffinityTerm[], pod: Pod, nsLabels: Labels | undefined): boolean {
  return terms.length > 0 && terms.every((t) => affinityTermMatches(t, pod, nsLabels));
}

export interface InterPodAffinityState {
  readonly podInfo: PodInfo;
  readonly existingAntiAffinityCounts: TopologyCounts;
  readonly affinityCounts: TopologyCounts;
  readonly antiAffinityCounts: TopologyCounts;
  readonly nsLabels: Labels | undefined;
}

export function interPodAffinityPreFilterState(pod: Pod, snapshot: Snapshot): InterPodAffinityState {
  const podInfo = podInfoOf(pod);
  const nsLabels = snapshot.namespaceLabels(podNamespace(pod));
  const existingAntiAffinityCounts: TopologyCounts = new Map();
  const affinityCounts: TopologyCounts = new Map();
  const antiAffinityCounts: TopologyCounts = new Map();
  for (const info of snapshot.nodes) {
    for (const existing of info.podsWithRequiredAntiAffinity) {
      for (const t of existing.requiredAntiAffinityTerms) if (affinityTermMatches(t, pod, nsLabels)) bump(existingAntiAffinityCounts, info.node, t.topologyKey);
    }
    if (podInfo.requiredAffinityTerms.length === 0 && podInfo.requiredAntiAffinityTerms.length === 0) continue;
    for (const existing of info.pods) {
      const existingNs = snapshot.namespaceLabels(podNamespace(existing.pod));
      if (matchesAllTerms(podInfo.requiredAffinityTerms, existing.pod, existingNs)) {
        for (const t of podInfo.requiredAffinityTerms) bump(affinityCounts, info.node, t.topologyKey);
      }
      for (const t of podInfo.requiredAntiAffinityTerms) if (affinityTermMatches(t, existing.pod, existingNs)) bump(antiAffinityCounts, info.node, t.topologyKey);
    }
  }
  return { podInfo, existingAntiAffinityCounts, affinityCounts, antiAffinityCounts, nsLabels };
}

function satisfyPodAffinity(s: InterPodAffinityState, node: NodeInfo): boolean {
  const labels = nodeLabels(node);
  let podsExist = true;
  for (const t of s.podInfo.requiredAffinityTerms) {
    const value = labels[t.topologyKey];
    if (value === undefined) return false; // every topology key must exist on the node
    if ((s.affinityCounts.get(pair(t.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: allowed when nothing else matches yet.
  return s.affinityCounts.size === 0 && matchesAllTerms(s.podInfo.requiredAffinityTerms, s.podInfo.pod, s.nsLabels);
}

function satisfyPodAntiAffinity(s: InterPodAffinityState, node: NodeInfo): boolean {
  const labels = nodeLabels(node);
  for (const t of s.podInfo.requiredAntiAffinityTerms) {
    const value = labels[t.topologyKey];
    if (value !== undefined && (s.antiAffinityCounts.get(pair(t.topologyKey, value)) ?? 0) > 0) return false;
  }
  return true;
}

function satisfyExistingPodsAntiAffinity(s: InterPodAffinityState, node: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  for (const [k, v] of Object.entries(nodeLabels(node))) if ((s.existingAntiAffinityCounts.get(pair(k, v)) ?? 0) > 0) return false;
  return true;
}

export function interPodAffinityFilter(s: InterPodAffinityState, node: NodeInfo): FilterResult {
  if (!satisfyPodAffinity(s, node)) return fail(ERR_REASON_AFFINITY_RULES_NOT_MATCH, true);
  if (!satisfyPodAntiAffinity(s, node)) return fail(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
  if (!satisfyExistingPodsAntiAffinity(s, node)) return fail(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
  return PASS;
}

export const interPodAffinityFilterPlugin: FilterPlugin = {
  name: INTER_POD_AFFINITY,
  preFilter: (pod, snapshot) => {
    const s = interPodAffinityPreFilterState(pod, snapshot);
    if (s.existingAntiAffinityCounts.size === 0 && s.podInfo.requiredAffinityTerms.length === 0 && s.podInfo.requiredAntiAffinityTerms.length === 0) {
      return { kind: 'skip' };
    }
    return { kind: 'filter', filter: (node) => interPodAffinityFilter(s, node) };
  },
};
