// The ReplicaSet controller's informer handlers (addRS/updateRS/deleteRS, addPod/updatePod/deletePod):
// they turn deltas into work-queue keys and lower expectations as the controller's own creates and
// deletes are observed.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { metaNamespaceKey, queueAdd, queueAddAfter, type Delta } from '../../../src/client/index.ts';
import { controllerOf } from '../controller-ref.ts';
import { creationObserved, deleteExpectations, deletionObserved } from '../expectations.ts';
import { isPodReady } from '../pod-util.ts';
import { sameFlat } from './flat-equal.ts';
import { replicaSetsMatchingPod, resolveReplicaSet, type ReplicaSetView } from './lookup.ts';
import type { ReplicaSetControllerState } from './state.ts';

type State = ReplicaSetControllerState;

const enqueue = (state: State, rs: ReplicaSet): State => ({ ...state, queue: queueAdd(state.queue, metaNamespaceKey(rs)) });

function deleteRS(state: State, rs: ReplicaSet): State {
  const key = metaNamespaceKey(rs);
  // A ReplicaSet re-created under the same name starts with clean expectations.
  return { ...state, expectations: deleteExpectations(state.expectations, key), queue: queueAdd(state.queue, key) };
}

export function onReplicaSetDelta(state: State, delta: Delta<ReplicaSet>): State {
  switch (delta.type) {
    case 'added':
      return enqueue(state, delta.object);
    case 'updated': {
      const recreated = delta.old.metadata?.uid !== delta.object.metadata?.uid;
      // Any update (status included) syncs: a resync then retries ReplicaSets whose creates failed.
      return enqueue(recreated ? deleteRS(state, delta.old) : state, delta.object);
    }
    case 'deleted':
      return deleteRS(state, delta.object);
  }
}

function deletePod(state: State, view: ReplicaSetView, pod: Pod): State {
  const ref = controllerOf(pod);
  if (!ref) return state;
  const rs = resolveReplicaSet(view, pod.metadata?.namespace ?? '', ref);
  if (!rs) return state;
  const key = metaNamespaceKey(rs);
  return { ...state, expectations: deletionObserved(state.expectations, key, metaNamespaceKey(pod)), queue: queueAdd(state.queue, key) };
}

function enqueueMatching(state: State, view: ReplicaSetView, pod: Pod): State {
  return replicaSetsMatchingPod(view, pod).reduce(enqueue, state);
}

function addPod(state: State, view: ReplicaSetView, pod: Pod): State {
  // A pod already being deleted when first seen (a restart) is a deletion, not a creation.
  if (pod.metadata?.deletionTimestamp) return deletePod(state, view, pod);
  const ref = controllerOf(pod);
  if (ref) {
    const rs = resolveReplicaSet(view, pod.metadata?.namespace ?? '', ref);
    if (!rs) return state;
    const key = metaNamespaceKey(rs);
    return { ...state, expectations: creationObserved(state.expectations, key), queue: queueAdd(state.queue, key) };
  }
  // An orphan: wake every ReplicaSet that might adopt it (never counts as an observed creation).
  return enqueueMatching(state, view, pod);
}

function updatePod(state: State, view: ReplicaSetView, old: Pod, cur: Pod, now: number): State {
  // A resync re-delivers the same version: nothing changed.
  if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return state;
  const labelChanged = !sameFlat(old.metadata?.labels ?? {}, cur.metadata?.labels ?? {});
  if (cur.metadata?.deletionTimestamp) {
    // A graceful deletion began: replace the pod now rather than when the kubelet removes it.
    const next = deletePod(state, view, cur);
    return labelChanged ? deletePod(next, view, old) : next;
  }
  const curRef = controllerOf(cur);
  const oldRef = controllerOf(old);
  const refChanged = !sameFlat(curRef, oldRef);
  let next = state;
  if (refChanged && oldRef) {
    const previous = resolveReplicaSet(view, old.metadata?.namespace ?? '', oldRef);
    if (previous) next = enqueue(next, previous);
  }
  if (curRef) {
    const rs = resolveReplicaSet(view, cur.metadata?.namespace ?? '', curRef);
    if (!rs) return next;
    next = enqueue(next, rs);
    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    if (!isPodReady(old) && isPodReady(cur) && minReadySeconds > 0) {
      // Check availability again once minReadySeconds (plus a second of skew) have passed.
      next = { ...next, queue: queueAddAfter(next.queue, metaNamespaceKey(rs), minReadySeconds * 1000 + 1000, now) };
    }
    return next;
  }
  return labelChanged || refChanged ? enqueueMatching(next, view, cur) : next;
}

export function onPodDelta(state: State, view: ReplicaSetView, delta: Delta<Pod>, now: number): State {
  switch (delta.type) {
    case 'added':
      return addPod(state, view, delta.object);
    case 'updated':
      return updatePod(state, view, delta.old, delta.object, now);
    case 'deleted':
      return deletePod(state, view, delta.object);
  }
}
