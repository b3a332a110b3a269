// NodeAffinity (filter): spec.nodeSelector AND the required node affinity terms. PreFilter narrows
// the candidates to the node names a metadata.name matchFields term allows (PreFilterResult).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchesRequiredNodeAffinity, requiredNodeAffinity, type RequiredNodeAffinity } from '../../node-selector.ts';
import type { NodeInfo } from '../../snapshot.ts';
import { PASS, fail, type FilterPlugin, type FilterResult } from '../../types.ts';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

export function nodeAffinityFilter(pod: Pod, node: NodeInfo, req: RequiredNodeAffinity = requiredNodeAffinity(pod)): FilterResult {
  return matchesRequiredNodeAffinity(req, node.node) ? PASS : fail(ERR_REASON_POD, true);
}

/** The PreFilterResult node names: undefined unless every term pins metadata.name with In. */
function pinnedNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  let union: Set<string> | undefined;
  for (const t of terms) {
    let inTerm: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const values = new Set(r.values ?? []);
      inTerm = inTerm === undefined ? values : new Set([...inTerm].filter((v) => values.has(v)));
    }
    if (inTerm === undefined) return undefined; // this ORed term allows any node
    union = new Set([...(union ?? []), ...inTerm]);
  }
  return union;
}

export const nodeAffinityFilterPlugin: FilterPlugin = {
  name: NODE_AFFINITY,
  preFilter: (pod) => {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required === undefined && pod.spec?.nodeSelector === undefined) return { kind: 'skip' };
    const req = requiredNodeAffinity(pod);
    const filter = (node: NodeInfo) => nodeAffinityFilter(pod, node, req);
    const names = pinnedNodeNames(pod);
    if (names !== undefined && names.size === 0) return { kind: 'reject', status: fail(ERR_REASON_CONFLICT, true) };
    return names === undefined ? { kind: 'filter', filter } : { kind: 'filter', filter, nodeNames: names };
  },
};
