// NodeUnschedulable: a cordoned node (spec.unschedulable) only takes pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../snapshot.ts';
import { TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from '../../taints.ts';
import { PASS, fail, type FilterPlugin, type FilterResult } from '../../types.ts';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

export function nodeUnschedulableFilter(pod: Pod, node: NodeInfo): FilterResult {
  if (!node.node.spec?.unschedulable) return PASS;
  const tolerated = tolerationsTolerateTaint(pod.spec?.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
  return tolerated ? PASS : fail(ERR_REASON_UNSCHEDULABLE, true);
}

export const nodeUnschedulablePlugin: FilterPlugin = {
  name: NODE_UNSCHEDULABLE,
  preFilter: (pod) => ({ kind: 'filter', filter: (node) => nodeUnschedulableFilter(pod, node) }),
};
