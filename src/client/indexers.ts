// Index functions shared by controllers: by namespace (cache.MetaNamespaceIndexFunc), by controller
// owner uid (controller.PodControllerUIDIndex, with orphans under one key), and by node name.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from './keys.ts';
import type { IndexFunc } from './store.ts';

export const NAMESPACE_INDEX = 'namespace';
export const CONTROLLER_UID_INDEX = 'controllerUID';
export const NODE_NAME_INDEX = 'nodeName';
/** controller.OrphanPodIndexKey: where objects without a controller are indexed. */
export const ORPHAN_INDEX_KEY = '_ORPHAN_POD';

/** metav1.GetControllerOf: the owner reference with controller: true. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

export const byNamespace: IndexFunc<KubeObject> = (obj) => [obj.metadata?.namespace ?? ''];

export const byControllerUid: IndexFunc<KubeObject> = (obj) => {
  const ref = controllerOf(obj);
  return [ref ? ref.uid : ORPHAN_INDEX_KEY];
};

/** Unscheduled pods are indexed under "". */
export const byNodeName: IndexFunc<Pod> = (pod) => [pod.spec?.nodeName ?? ''];
