// The garbage collector's ownership graph, read from the shared caches through two indexes (an object
// by uid, the objects naming a uid as owner) instead of a graph of its own: who owns what, and the
// deletion states that matter (foreground: waiting for dependents; orphan: letting them go).
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { resourceForApiVersionKind } from '../../../src/api/index.ts';
import { listByIndex, type InformerState, type KubeObject, type ResourceTarget } from '../../../src/client/index.ts';
import { GC_INFORMERS, INFORMER_SPECS, OWNER_UID_INDEX, UID_INDEX, type Informers } from '../informers.ts';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface Located {
  readonly resource: ResourceTarget;
  readonly namespaced: boolean;
  readonly object: KubeObject;
}

const cacheOf = (informers: Informers, name: (typeof GC_INFORMERS)[number]) => informers[name] as InformerState<KubeObject>;

export function findByUid(informers: Informers, uid: string): Located | undefined {
  for (const name of GC_INFORMERS) {
    const [object] = listByIndex(cacheOf(informers, name), UID_INDEX, uid);
    if (object) return { resource: INFORMER_SPECS[name].resource, namespaced: object.metadata?.namespace !== undefined, object };
  }
  return undefined;
}

export function dependentsOf(informers: Informers, uid: string): Located[] {
  return GC_INFORMERS.flatMap((name) =>
    listByIndex(cacheOf(informers, name), OWNER_UID_INDEX, uid).map((object) => ({
      resource: INFORMER_SPECS[name].resource, namespaced: object.metadata?.namespace !== undefined, object,
    })));
}

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata?.finalizers ?? []).includes(f);
export const isBeingDeleted = (o: KubeObject): boolean => Boolean(o.metadata?.deletionTimestamp);
/** Being deleted in the foreground: it waits for its blocking dependents to go. */
export const isDeletingDependents = (o: KubeObject): boolean => isBeingDeleted(o) && hasFinalizer(o, FOREGROUND_FINALIZER);
export const isOrphaning = (o: KubeObject): boolean => isBeingDeleted(o) && hasFinalizer(o, ORPHAN_FINALIZER);
export { hasFinalizer };

/** The REST resource an owner reference points at (undefined for a kind this apiserver does not serve). */
export function ownerResource(ref: OwnerReference): { target: ResourceTarget; namespaced: boolean } | undefined {
  const r = resourceForApiVersionKind(ref.apiVersion, ref.kind);
  return r ? { target: { group: r.group, version: r.version, resource: r.plural }, namespaced: r.namespaced } : undefined;
}
