// attemptToDeleteItem and attemptToOrphan (pkg/controller/garbagecollector). An item whose owners the
// cache shows alive and well is left alone; otherwise the item and its owners are read live first (the
// cache may lag) and the decision is made on those reads in a second pass: remove dangling references
// while a live owner remains, delete in the foreground when an owner waits for its dependents, else
// delete (background, or as the item's own finalizers ask). An owner deleted in the foreground loses
// its finalizer once no dependent blocks it; an orphaning owner first releases its dependents.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { getRequest, mergePatchRequest, queueAdd, type KubeObject } from '../../../src/client/index.ts';
import type { ApiRequest } from '../../../src/apiserver/protocol.ts';
import type { ControllerContext, Synced } from '../controller-module.ts';
import type { PlannedCall, Step } from '../jobs.ts';
import {
  FOREGROUND_FINALIZER, ORPHAN_FINALIZER, dependentsOf, findByUid, hasFinalizer, isBeingDeleted, isDeletingDependents,
  isOrphaning, ownerResource, type Located,
} from './graph.ts';
import { deleteKey, type GarbageCollectorState, type Observation } from './state.ts';

type State = GarbageCollectorState;

const write = (call: Omit<PlannedCall, 'tag'>): PlannedCall => ({ ...call, tag: { kind: 'write' } });
const one = (call: PlannedCall): Step => ({ label: 'write', calls: [call] });
const opts = (l: Located, ctx: ControllerContext) => ({ namespace: l.object.metadata?.namespace, user: ctx.config.user });

function deleteCall(l: Located, policy: 'Background' | 'Foreground' | 'Orphan', ctx: ControllerContext): PlannedCall {
  const request: ApiRequest = {
    verb: 'delete', group: l.resource.group, version: l.resource.version, resource: l.resource.resource,
    name: l.object.metadata?.name, ...(l.object.metadata?.namespace ? { namespace: l.object.metadata.namespace } : {}),
    query: { propagationPolicy: policy }, body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: l.object.metadata?.uid } },
    user: ctx.config.user,
  };
  return write({ request, tolerateNotFound: true });
}

function patchMetadata(l: Located, latest: KubeObject, metadata: Record<string, unknown>, ctx: ControllerContext): PlannedCall {
  const body = { metadata: { resourceVersion: latest.metadata?.resourceVersion, ...metadata } };
  return write({ request: mergePatchRequest(l.resource, l.object.metadata?.name ?? '', body, opts(l, ctx)), tolerateNotFound: true });
}

const withoutFinalizer = (o: KubeObject, f: string) => {
  const rest = (o.metadata?.finalizers ?? []).filter((x) => x !== f);
  return { finalizers: rest.length > 0 ? rest : null };
};

const ownersWithout = (refs: readonly OwnerReference[], uids: ReadonlySet<string>) => {
  const rest = refs.filter((r) => !uids.has(r.uid));
  return { ownerReferences: rest.length > 0 ? rest : null };
};

/** The cache shows every owner alive and not waiting for dependents: nothing to do, no need to ask. */
function cacheSaysSolid(item: KubeObject, ctx: ControllerContext): boolean {
  if (isDeletingDependents(item)) return false;
  const refs = item.metadata?.ownerReferences ?? [];
  return refs.length === 0 || refs.every((r) => {
    const owner = findByUid(ctx.informers, r.uid);
    return owner !== undefined && !isDeletingDependents(owner.object);
  });
}

/** First pass: read the item and its owners live (owners known absent are not asked again). */
function observe(state: State, l: Located, uid: string, ctx: ControllerContext): Synced<State> {
  const owners: Record<string, Observation['owners'][string]> = {};
  const calls: PlannedCall[] = [
    { request: getRequest(l.resource, l.object.metadata?.name ?? '', opts(l, ctx)), tag: { kind: 'op', op: 'gcItem', key: uid }, tolerateNotFound: true },
  ];
  for (const ref of l.object.metadata?.ownerReferences ?? []) {
    const target = ownerResource(ref);
    if (!target) {
      owners[ref.uid] = 'unknown';
    } else if (state.absent[ref.uid]) {
      owners[ref.uid] = 'dangling';
    } else {
      const namespace = target.namespaced ? l.object.metadata?.namespace : undefined;
      calls.push({ request: getRequest(target.target, ref.name, { namespace, user: ctx.config.user }), tag: { kind: 'op', op: `gcOwner:${ref.uid}`, key: uid }, tolerateNotFound: true });
    }
  }
  const observations = { ...state.observations, [uid]: { owners } };
  return { state: { ...state, observations }, plan: { steps: [{ label: 'claim', calls }], requeueAfterMs: 0 } };
}

/** processDeletingDependentsItem: the owner waits until no dependent blocks its deletion. */
function processDeletingDependents(state: State, l: Located, latest: KubeObject, ctx: ControllerContext): Synced<State> {
  const uid = latest.metadata?.uid ?? '';
  const blocking = dependentsOf(ctx.informers, uid).filter((d) => (d.object.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion));
  if (blocking.length === 0) {
    if (!hasFinalizer(latest, FOREGROUND_FINALIZER)) return { state };
    return { state, plan: { steps: [one(patchMetadata(l, latest, withoutFinalizer(latest, FOREGROUND_FINALIZER), ctx))] } };
  }
  let queue = state.queue;
  for (const d of blocking) if (!isDeletingDependents(d.object)) queue = queueAdd(queue, deleteKey(d.object.metadata?.uid ?? ''));
  return { state: { ...state, queue } };
}

/** Second pass: decide on what the live reads showed. */
function decide(state: State, l: Located, obs: Observation, ctx: ControllerContext): Synced<State> {
  const latest = obs.item;
  const uid = l.object.metadata?.uid ?? '';
  if (!latest || latest.metadata?.uid !== uid) return { state };
  if (isDeletingDependents(latest)) return processDeletingDependents(state, { ...l, object: latest }, latest, ctx);
  const refs = latest.metadata?.ownerReferences ?? [];
  if (refs.length === 0) return { state };
  // An owner of a kind this cluster does not serve cannot be judged: leave the item alone.
  if (refs.some((r) => obs.owners[r.uid] === undefined || obs.owners[r.uid] === 'unknown')) return { state };
  const solid = refs.filter((r) => obs.owners[r.uid] === 'solid');
  const stale = new Set(refs.filter((r) => obs.owners[r.uid] !== 'solid').map((r) => r.uid));
  const waiting = refs.filter((r) => obs.owners[r.uid] === 'waiting');
  const target = { ...l, object: latest };
  if (solid.length > 0) {
    if (stale.size === 0) return { state };
    // Keep the live owners; drop references to gone owners and to owners waiting on their dependents.
    return { state, plan: { steps: [one(patchMetadata(target, latest, ownersWithout(refs, stale), ctx))] } };
  }
  const dependents = dependentsOf(ctx.informers, uid);
  if (waiting.length > 0 && dependents.length > 0) {
    const steps: Step[] = [];
    // A dependent that itself waits on its dependents: unblock our references first (cycle guard).
    if (dependents.some((d) => isDeletingDependents(d.object))) {
      steps.push(one(patchMetadata(target, latest, { ownerReferences: refs.map((r) => ({ ...r, blockOwnerDeletion: false })) }, ctx)));
    }
    steps.push(one(deleteCall(target, 'Foreground', ctx)));
    return { state, plan: { steps } };
  }
  const policy = hasFinalizer(latest, ORPHAN_FINALIZER) ? 'Orphan' : hasFinalizer(latest, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
  return { state, plan: { steps: [one(deleteCall(target, policy, ctx))] } };
}

export function attemptToDelete(state: State, uid: string, ctx: ControllerContext): Synced<State> {
  const l = findByUid(ctx.informers, uid);
  const obs = state.observations[uid];
  const observations = { ...state.observations };
  delete observations[uid];
  const rest = { ...state, observations };
  // Gone, or on its way out (only its dependents' fate is left, handled when it is gone).
  if (!l || (isBeingDeleted(l.object) && !isDeletingDependents(l.object))) return { state: rest };
  const complete = obs && obs.item !== undefined && (l.object.metadata?.ownerReferences ?? []).every((r) => obs.owners[r.uid] !== undefined);
  if (complete) return decide(rest, l, obs, ctx);
  if (cacheSaysSolid(l.object, ctx)) return { state: rest };
  return observe(rest, l, uid, ctx);
}

/** attemptToOrphanWorker: release every dependent, then drop the orphan finalizer. */
export function attemptToOrphan(state: State, uid: string, ctx: ControllerContext): Synced<State> {
  const owner = findByUid(ctx.informers, uid);
  if (!owner || !isOrphaning(owner.object)) return { state };
  const release = dependentsOf(ctx.informers, uid).map((d) => patchMetadata(d, d.object, ownersWithout(d.object.metadata?.ownerReferences ?? [], new Set([uid])), ctx));
  const steps: Step[] = release.length > 0 ? [{ label: 'write', calls: release }] : [];
  steps.push(one(patchMetadata(owner, owner.object, withoutFinalizer(owner.object, ORPHAN_FINALIZER), ctx)));
  return { state, plan: { steps } };
}
