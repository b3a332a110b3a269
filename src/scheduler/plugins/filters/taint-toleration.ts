// TaintToleration (filter): every NoSchedule and NoExecute taint must be tolerated; the first
// untolerated one (node order) is named in the reason.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../snapshot.ts';
import { doNotScheduleTaints, findMatchingUntoleratedTaint } from '../../taints.ts';
import { PASS, fail, type FilterPlugin, type FilterResult } from '../../types.ts';

export const TAINT_TOLERATION = 'TaintToleration';

export function taintTolerationFilter(pod: Pod, node: NodeInfo): FilterResult {
  const taint = findMatchingUntoleratedTaint(node.node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaints);
  if (taint === undefined) return PASS;
  return fail(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`, true);
}

export const taintTolerationFilterPlugin: FilterPlugin = {
  name: TAINT_TOLERATION,
  preFilter: (pod) => ({ kind: 'filter', filter: (node) => taintTolerationFilter(pod, node) }),
};
