// ControllerRef bookkeeping shared by the ReplicaSet and Deployment controllers: the owner reference a
// controller stamps on what it creates, and BaseControllerRefManager.ClaimObject's decision for an
// object it may own (keep, adopt an orphan that matches, release one that no longer matches).
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { controllerOf, type KubeObject } from '../../src/client/index.ts';

export { controllerOf };

/** metav1.NewControllerRef. */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true,
  };
}

export type ClaimDecision = 'owned' | 'adopt' | 'release' | 'ignore';

/**
 * ClaimObject: `matches` is the controller's selector (and filters) applied to the object. Being deleted,
 * a controller keeps what it owns but neither adopts nor releases.
 */
export function claimDecision(controller: KubeObject, obj: KubeObject, matches: boolean): ClaimDecision {
  const ref = controllerOf(obj);
  const controllerDeleting = Boolean(controller.metadata?.deletionTimestamp);
  if (ref) {
    if (ref.uid !== controller.metadata?.uid) return 'ignore';
    if (matches) return 'owned';
    return controllerDeleting ? 'ignore' : 'release';
  }
  if (controllerDeleting || !matches || obj.metadata?.deletionTimestamp) return 'ignore';
  const namespace = controller.metadata?.namespace;
  if (namespace && namespace !== obj.metadata?.namespace) return 'ignore';
  return 'adopt';
}

/** The object with `ref` added as its controller (what the adoption patch does). */
export function adopted<T extends KubeObject>(obj: T, ref: OwnerReference): T {
  const others = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [...others, ref] } };
}

/** The object without the owner reference to `uid` (what the release patch does). */
export function released<T extends KubeObject>(obj: T, uid: string): T {
  const rest = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
  const metadata = { ...obj.metadata };
  if (rest.length > 0) metadata.ownerReferences = rest;
  else delete metadata.ownerReferences;
  return { ...obj, metadata };
}
