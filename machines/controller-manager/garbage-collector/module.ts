// The garbage collector (pkg/controller/garbagecollector) as a controller-manager module. Its handlers
// play the GraphBuilder: a change in the ownership graph queues the items whose fate it may decide —
// dependents of a deleted owner, items whose owner is absent from the caches, owners starting or
// waiting on a foreground deletion (`delete/<uid>`), owners being deleted with orphaning (`orphan/<uid>`).
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { queueAdd, type Delta, type KubeObject } from '../../../src/client/index.ts';
import { defineController, type ControllerContext } from '../controller-module.ts';
import { GC_INFORMERS } from '../informers.ts';
import { dependentsOf, findByUid, isDeletingDependents, isOrphaning } from './graph.ts';
import { deleteKey, newGarbageCollectorState, orphanKey, rememberAbsent, type GarbageCollectorState, type Observation } from './state.ts';
import { attemptToDelete, attemptToOrphan } from './sync.ts';

type State = GarbageCollectorState;

const uidOf = (o: KubeObject) => o.metadata?.uid ?? '';
const refs = (o: KubeObject): readonly OwnerReference[] => o.metadata?.ownerReferences ?? [];

function enqueue(state: State, keys: readonly string[]): State {
  let queue = state.queue;
  for (const key of keys) queue = queueAdd(queue, key);
  return queue === state.queue ? state : { ...state, queue };
}

/** An object's owners and its own deletion state: what may need deciding now. */
function onPresent(state: State, obj: KubeObject, old: KubeObject | undefined, ctx: ControllerContext): State {
  const keys: string[] = [];
  const uid = uidOf(obj);
  for (const ref of refs(obj)) {
    const owner = findByUid(ctx.informers, ref.uid);
    // An owner the caches do not know may be gone: verify (the first pass reads it live).
    if (!owner) keys.push(deleteKey(uid));
    else if (isDeletingDependents(owner.object)) keys.push(deleteKey(ref.uid));
  }
  // References removed: an owner waiting on its dependents may be free now.
  const kept = new Set(refs(obj).map((r) => r.uid));
  for (const ref of old ? refs(old) : []) if (!kept.has(ref.uid)) keys.push(deleteKey(ref.uid));
  if (isDeletingDependents(obj) && !(old && isDeletingDependents(old))) {
    keys.push(deleteKey(uid), ...dependentsOf(ctx.informers, uid).map((d) => deleteKey(uidOf(d.object))));
  }
  if (isOrphaning(obj)) keys.push(orphanKey(uid));
  return enqueue(state, keys);
}

/** Gone: its dependents may be garbage now, and owners waiting on it may be done. */
function onGone(state: State, obj: KubeObject, ctx: ControllerContext): State {
  const keys = dependentsOf(ctx.informers, uidOf(obj)).map((d) => deleteKey(uidOf(d.object)));
  for (const ref of refs(obj)) {
    const owner = findByUid(ctx.informers, ref.uid);
    if (owner && isDeletingDependents(owner.object)) keys.push(deleteKey(ref.uid));
  }
  return enqueue(state, keys);
}

function onDelta(state: State, delta: Delta<KubeObject>, ctx: ControllerContext): State {
  if (delta.type === 'deleted') return onGone(state, delta.object, ctx);
  if (delta.type === 'added') return onPresent(state, delta.object, undefined, ctx);
  if (delta.old.metadata?.resourceVersion === delta.object.metadata?.resourceVersion) return state;
  return onPresent(state, delta.object, delta.old, ctx);
}

function observed(state: State, uid: string, change: (o: Observation) => Observation): State {
  const current = state.observations[uid];
  if (!current) return state;
  return { ...state, observations: { ...state.observations, [uid]: change(current) } };
}

export const garbageCollector = defineController<State>({
  name: 'garbagecollector',
  informers: GC_INFORMERS,
  create: (config) => newGarbageCollectorState(config.rateLimiter),
  onDelta: (state, _informer, delta, ctx) => ({ state: onDelta(state, delta, ctx) }),
  sync(state, key, ctx) {
    const slash = key.indexOf('/');
    const [kind, uid] = [key.slice(0, slash), key.slice(slash + 1)];
    if (kind === 'delete') return attemptToDelete(state, uid, ctx);
    if (kind === 'orphan') return attemptToOrphan(state, uid, ctx);
    return { state };
  },
  onCallResult(state, result) {
    const tag = result.call.tag;
    if (tag.kind !== 'op') return { state };
    const gone = result.failure?.code === 404;
    if (result.failure && !gone) return { state };
    const body = gone ? null : (result.body as KubeObject);
    if (tag.op === 'gcItem') return { state: observed(state, tag.key, (o) => ({ ...o, item: body })) };
    if (tag.op.startsWith('gcOwner:')) {
      const ownerUid = tag.op.slice('gcOwner:'.length);
      // Another object under the owner's name is as good as none.
      const dangling = !body || body.metadata?.uid !== ownerUid;
      const verdict = dangling ? 'dangling' : isDeletingDependents(body) ? 'waiting' : 'solid';
      const next = observed(state, tag.key, (o) => ({ ...o, owners: { ...o.owners, [ownerUid]: verdict } }));
      return { state: dangling ? rememberAbsent(next, ownerUid) : next };
    }
    return { state };
  },
});
