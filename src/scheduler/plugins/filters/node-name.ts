// NodeName: a pod that names its node (spec.nodeName) only fits that node.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../snapshot.ts';
import { PASS, fail, type FilterPlugin, type FilterResult } from '../../types.ts';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export function nodeNameFits(pod: Pod, node: NodeInfo): boolean {
  const wanted = pod.spec?.nodeName ?? '';
  return wanted === '' || wanted === node.name;
}

export function nodeNameFilter(pod: Pod, node: NodeInfo): FilterResult {
  return nodeNameFits(pod, node) ? PASS : fail(ERR_REASON_NODE_NAME, true);
}

export const nodeNamePlugin: FilterPlugin = {
  name: NODE_NAME,
  preFilter: (pod) => ({ kind: 'filter', filter: (node) => nodeNameFilter(pod, node) }),
};
