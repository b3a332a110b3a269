// Cache lookups of the ReplicaSet controller: the ReplicaSet a ControllerRef names, the ReplicaSets an
// orphan pod's labels match, the pods that may belong to a ReplicaSet, and its siblings' pods.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isEverything, matches, selectorFromLabelSelector } from '../../../src/api/index.ts';
import {
  CONTROLLER_UID_INDEX, ORPHAN_INDEX_KEY, getNamespaced, listByIndex, listNamespace, storeGet, storeIndexKeys, type InformerState,
} from '../../../src/client/index.ts';
import { controllerOf } from '../controller-ref.ts';
import { isPodActive } from '../pod-util.ts';

export interface ReplicaSetView {
  readonly replicasets: InformerState<ReplicaSet>;
  readonly pods: InformerState<Pod>;
}

/** resolveControllerRef: the cached ReplicaSet a ControllerRef points at, if it is that very object. */
export function resolveReplicaSet(view: ReplicaSetView, namespace: string, ref: OwnerReference): ReplicaSet | undefined {
  if (ref.kind !== 'ReplicaSet') return undefined;
  const rs = getNamespaced(view.replicasets, namespace, ref.name);
  return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
}

function selectorOf(rs: ReplicaSet) {
  try {
    return selectorFromLabelSelector(rs.spec?.selector);
  } catch {
    return undefined;
  }
}

/** GetPodReplicaSets: ReplicaSets whose (non-empty) selector matches the pod's labels. */
export function replicaSetsMatchingPod(view: ReplicaSetView, pod: Pod): ReplicaSet[] {
  if (Object.keys(pod.metadata?.labels ?? {}).length === 0) return [];
  return listNamespace(view.replicasets, pod.metadata?.namespace ?? '').filter((rs) => {
    const selector = selectorOf(rs);
    return selector !== undefined && !isEverything(selector) && matches(selector, pod.metadata?.labels);
  });
}

/**
 * getRSPods: pods indexed under the ReplicaSet's uid, plus orphans, in its namespace, ordered by name.
 * Both index buckets hold keys ("<namespace>/<name>") sorted by code units, so merging them gives that
 * order without a sort (upstream walks the indexer's order; a fixed order keeps runs reproducible). This
 * runs on every sync of a ReplicaSet with all its pods, so it allocates one array and nothing else.
 */
export function candidatePods(view: ReplicaSetView, rs: ReplicaSet): Pod[] {
  const namespace = rs.metadata?.namespace ?? '';
  const store = view.pods.store;
  const owned = storeIndexKeys(store, CONTROLLER_UID_INDEX, rs.metadata?.uid ?? '');
  const orphans = storeIndexKeys(store, CONTROLLER_UID_INDEX, ORPHAN_INDEX_KEY);
  const pods: Pod[] = [];
  let i = 0;
  let j = 0;
  while (i < owned.length || j < orphans.length) {
    const key = j >= orphans.length || (i < owned.length && owned[i] < orphans[j]) ? owned[i++] : orphans[j++];
    const pod = storeGet(store, key);
    if (pod !== undefined && pod.metadata?.namespace === namespace) pods.push(pod);
  }
  return pods;
}

/** getIndirectlyRelatedPods: the pods of every ReplicaSet with the same controller (a Deployment's). */
export function indirectlyRelatedPods(view: ReplicaSetView, rs: ReplicaSet): Pod[] {
  const owner = controllerOf(rs);
  if (!owner) return [];
  const seen = new Set<string>();
  const related: Pod[] = [];
  for (const sibling of listByIndex(view.replicasets, CONTROLLER_UID_INDEX, owner.uid)) {
    const selector = selectorOf(sibling);
    if (!selector) continue;
    for (const pod of listNamespace(view.pods, sibling.metadata?.namespace ?? '')) {
      const uid = pod.metadata?.uid ?? '';
      if (!matches(selector, pod.metadata?.labels) || seen.has(uid)) continue;
      seen.add(uid);
      related.push(pod);
    }
  }
  return related;
}

/** Related active pods per node name: how "doubled up" each node is. */
export function activePodsPerNode(pods: readonly Pod[]): Map<string, number> {
  const perNode = new Map<string, number>();
  for (const pod of pods) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? '';
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  return perNode;
}
