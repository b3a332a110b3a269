// The Deployment controller's informer handlers: Deployment changes, ReplicaSet changes routed to the
// owning (or, for orphans, every matching) Deployment, and pod deletions that may unblock a Recreate.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { canonicalJson, isEverything, matches, selectorFromLabelSelector } from '../../../src/api/index.ts';
import { getNamespaced, listNamespace, metaNamespaceKey, queueAdd, type Delta } from '../../../src/client/index.ts';
import { controllerOf } from '../controller-ref.ts';
import type { DeploymentControllerState } from './state.ts';
import type { DeploymentView } from './sync.ts';

type State = DeploymentControllerState;

const enqueue = (state: State, d: Deployment): State => ({ ...state, queue: queueAdd(state.queue, metaNamespaceKey(d)) });

export function onDeploymentDelta(state: State, delta: Delta<Deployment>): State {
  return enqueue(state, delta.object);
}

function resolveDeployment(view: DeploymentView, namespace: string, ref: OwnerReference): Deployment | undefined {
  if (ref.kind !== 'Deployment') return undefined;
  const d = getNamespaced(view.deployments, namespace, ref.name);
  return d && d.metadata?.uid === ref.uid ? d : undefined;
}

/** getDeploymentsForReplicaSet: Deployments whose non-empty selector matches the ReplicaSet's labels. */
function deploymentsMatching(view: DeploymentView, rs: ReplicaSet): Deployment[] {
  if (Object.keys(rs.metadata?.labels ?? {}).length === 0) return [];
  return listNamespace(view.deployments, rs.metadata?.namespace ?? '').filter((d) => {
    try {
      const selector = selectorFromLabelSelector(d.spec?.selector);
      return !isEverything(selector) && matches(selector, rs.metadata?.labels);
    } catch {
      return false;
    }
  });
}

function enqueueOwner(state: State, view: DeploymentView, rs: ReplicaSet, ref: OwnerReference): State {
  const d = resolveDeployment(view, rs.metadata?.namespace ?? '', ref);
  return d ? enqueue(state, d) : state;
}

export function onReplicaSetDelta(state: State, view: DeploymentView, delta: Delta<ReplicaSet>): State {
  if (delta.type === 'deleted' || (delta.type === 'added' && delta.object.metadata?.deletionTimestamp)) {
    const ref = controllerOf(delta.object);
    return ref ? enqueueOwner(state, view, delta.object, ref) : state;
  }
  if (delta.type === 'added') {
    const ref = controllerOf(delta.object);
    if (ref) return enqueueOwner(state, view, delta.object, ref);
    return deploymentsMatching(view, delta.object).reduce(enqueue, state);
  }
  const { old, object: cur } = delta;
  if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return state;
  const curRef = controllerOf(cur);
  const oldRef = controllerOf(old);
  const refChanged = canonicalJson(curRef ?? null) !== canonicalJson(oldRef ?? null);
  let next = state;
  if (refChanged && oldRef) next = enqueueOwner(next, view, old, oldRef);
  if (curRef) return enqueueOwner(next, view, cur, curRef);
  const labelChanged = canonicalJson(cur.metadata?.labels ?? {}) !== canonicalJson(old.metadata?.labels ?? {});
  return labelChanged || refChanged ? deploymentsMatching(view, cur).reduce(enqueue, next) : next;
}

/** deletePod: a Recreate Deployment waits for its last old pod to go. (Upstream lists ReplicaSets live; the cache is used here.) */
export function onPodDelta(state: State, view: DeploymentView, delta: Delta<Pod>): State {
  if (delta.type !== 'deleted') return state;
  const pod = delta.object;
  const podRef = controllerOf(pod);
  if (!podRef || podRef.kind !== 'ReplicaSet') return state;
  const namespace = pod.metadata?.namespace ?? '';
  const rs = getNamespaced(view.replicasets, namespace, podRef.name);
  if (!rs || rs.metadata?.uid !== podRef.uid) return state;
  const rsRef = controllerOf(rs);
  const d = rsRef && resolveDeployment(view, namespace, rsRef);
  if (!d || d.spec?.strategy?.type !== 'Recreate') return state;
  const owned = new Set(listNamespace(view.replicasets, namespace).filter((r) => controllerOf(r)?.uid === d.metadata?.uid).map((r) => r.metadata?.uid));
  let selector;
  try {
    selector = selectorFromLabelSelector(d.spec?.selector);
  } catch {
    return state;
  }
  const remaining = listNamespace(view.pods, namespace).filter((p) => matches(selector, p.metadata?.labels) && owned.has(controllerOf(p)?.uid));
  return remaining.length === 0 ? enqueue(state, d) : state;
}
