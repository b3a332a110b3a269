// PodTopologySpread (filter): for each DoNotSchedule constraint, placing the pod in the node's
// domain must keep (matching pods in domain + self-match − global minimum) ≤ maxSkew; the global
// minimum is 0 while fewer than minDomains domains are eligible.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matches } from '../../../api/labels.ts';
import { requiredNodeAffinity } from '../../node-selector.ts';
import { podNamespace } from '../../pod-info.ts';
import { nodeLabels, type NodeInfo, type Snapshot } from '../../snapshot.ts';
import { PASS, fail, type FilterPlugin, type FilterResult } from '../../types.ts';
import {
  POD_TOPOLOGY_SPREAD,
  countPodsMatchSelector,
  matchNodeInclusionPolicies,
  nodeLabelsMatchSpreadConstraints,
  spreadConstraints,
  topologyPair,
  type SpreadConstraint,
} from '../topology-spread-common.ts';

export { POD_TOPOLOGY_SPREAD };
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export interface TopologySpreadFilterState {
  readonly constraints: readonly SpreadConstraint[];
  /** Matching pods per topology pair, over nodes eligible under the inclusion policies. */
  readonly tpPairToMatchNum: ReadonlyMap<string, number>;
  /** Minimum match count and number of domains per topology key. */
  readonly minMatch: ReadonlyMap<string, number>;
  readonly domains: ReadonlyMap<string, number>;
}

const MAX_INT32 = 2147483647;

export function topologySpreadPreFilterState(pod: Pod, snapshot: Snapshot): TopologySpreadFilterState {
  const { constraints } = spreadConstraints(pod, snapshot, 'DoNotSchedule');
  // calPreFilterState: no hard constraints, nothing to count (the plugin then skips its Filter).
  if (constraints.length === 0) return { constraints, tpPairToMatchNum: new Map(), minMatch: new Map(), domains: new Map() };
  const counts = new Map<string, number>();
  const required = requiredNodeAffinity(pod);
  const ns = podNamespace(pod);
  for (const info of snapshot.nodes) {
    const labels = nodeLabels(info);
    if (!nodeLabelsMatchSpreadConstraints(labels, constraints)) continue;
    // Per node the pair is assigned, not added: two constraints on one key keep the last count, as upstream.
    const perNode = new Map<string, number>();
    for (const c of constraints) {
      if (!matchNodeInclusionPolicies(c, pod, info, required)) continue;
      perNode.set(topologyPair(c.topologyKey, labels[c.topologyKey]), countPodsMatchSelector(info.pods, c.selector, ns));
    }
    for (const [k, n] of perNode) counts.set(k, (counts.get(k) ?? 0) + n);
  }
  const minMatch = new Map<string, number>();
  const domains = new Map<string, number>();
  for (const c of constraints) minMatch.set(c.topologyKey, MAX_INT32);
  for (const [k, n] of counts) {
    const key = k.slice(0, k.indexOf('\u0000'));
    domains.set(key, (domains.get(key) ?? 0) + 1);
    if (n < (minMatch.get(key) ?? MAX_INT32)) minMatch.set(key, n);
  }
  return { constraints, tpPairToMatchNum: counts, minMatch, domains };
}

export function topologySpreadFilter(pod: Pod, s: TopologySpreadFilterState, node: NodeInfo): FilterResult {
  const labels = nodeLabels(node);
  for (const c of s.constraints) {
    const value = labels[c.topologyKey];
    if (value === undefined) return fail(ERR_REASON_NODE_LABEL_NOT_MATCH, true);
    let minMatchNum = s.minMatch.get(c.topologyKey) ?? MAX_INT32;
    if ((s.domains.get(c.topologyKey) ?? 0) < c.minDomains) minMatchNum = 0;
    const selfMatch = matches(c.selector, pod.metadata?.labels) ? 1 : 0;
    const matchNum = s.tpPairToMatchNum.get(topologyPair(c.topologyKey, value)) ?? 0;
    if (matchNum + selfMatch - minMatchNum > c.maxSkew) return fail(ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }
  return PASS;
}

export const podTopologySpreadFilterPlugin: FilterPlugin = {
  name: POD_TOPOLOGY_SPREAD,
  preFilter: (pod, snapshot) => {
    const s = topologySpreadPreFilterState(pod, snapshot);
    if (s.constraints.length === 0) return { kind: 'skip' };
    return { kind: 'filter', filter: (node) => topologySpreadFilter(pod, s, node) };
  },
};
