// The DaemonSet controller (pkg/controller/daemon) as a controller-manager module.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import {
  getByKey, getNamespaced, isNotFound, listAll, metaNamespaceKey, queueAdd, queueAddAfter, splitMetaNamespaceKey, type Delta,
  type InformerState,
} from '../../../src/client/index.ts';
import { defineController, type ControllerContext } from '../controller-module.ts';
import { controllerOf } from '../controller-ref.ts';
import { referenceTo, type EventSpec } from '../events.ts';
import { creationObserved, deletionObserved } from '../expectations.ts';
import type { CallResult, Step } from '../jobs.ts';
import { isPodReady } from '../pod-util.ts';
import { newDaemonSetControllerState, type DaemonSetControllerState } from './state.ts';
import { syncDaemonSet } from './sync.ts';
import { DS_COMPONENT, nodeShouldRunDaemonPod } from './util.ts';

type State = DaemonSetControllerState;

const enqueue = (state: State, key: string): State => ({ ...state, queue: queueAdd(state.queue, key) });

function resolve(daemonsets: InformerState<DaemonSet>, namespace: string, ref: OwnerReference | undefined): DaemonSet | undefined {
  if (!ref || ref.kind !== 'DaemonSet') return undefined;
  const ds = getNamespaced(daemonsets, namespace, ref.name);
  return ds && ds.metadata?.uid === ref.uid ? ds : undefined;
}

function onPodDelta(state: State, delta: Delta<Pod>, ctx: ControllerContext): State {
  const pod = delta.object;
  const ds = resolve(ctx.informers.daemonsets, pod.metadata?.namespace ?? '', controllerOf(pod));
  if (!ds) return state;
  const key = metaNamespaceKey(ds);
  if (delta.type === 'deleted' || pod.metadata?.deletionTimestamp) {
    return enqueue({ ...state, expectations: deletionObserved(state.expectations, key, metaNamespaceKey(pod)) }, key);
  }
  if (delta.type === 'added') return enqueue({ ...state, expectations: creationObserved(state.expectations, key) }, key);
  if (delta.old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return state;
  let next = enqueue(state, key);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  // Became ready: look again once it has been ready for minReadySeconds (plus a second of skew).
  if (minReady > 0 && !isPodReady(delta.old) && isPodReady(pod)) next = { ...next, queue: queueAddAfter(next.queue, key, minReady * 1000 + 1000, ctx.now) };
  return next;
}

/** shouldIgnoreNodeUpdate: nothing but heartbeats changed. */
function ignorable(old: Node, cur: Node): boolean {
  const conditions = (n: Node) => (n.status?.conditions ?? []).map((c) => [c.type, c.status]);
  if (canonicalJson(conditions(old)) !== canonicalJson(conditions(cur))) return false;
  const strip = (n: Node) => ({ ...n, metadata: { ...n.metadata, resourceVersion: undefined }, status: { ...n.status, conditions: undefined } });
  return canonicalJson(strip(old)) === canonicalJson(strip(cur));
}

function onNodeDelta(state: State, delta: Delta<Node>, ctx: ControllerContext): State {
  if (delta.type === 'deleted' || (delta.type === 'updated' && ignorable(delta.old, delta.object))) return state;
  let next = state;
  for (const ds of listAll(ctx.informers.daemonsets)) {
    if (delta.type === 'added') {
      if (nodeShouldRunDaemonPod(delta.object, ds)[0]) next = enqueue(next, metaNamespaceKey(ds));
      continue;
    }
    if (canonicalJson(nodeShouldRunDaemonPod(delta.old, ds)) !== canonicalJson(nodeShouldRunDaemonPod(delta.object, ds))) next = enqueue(next, metaNamespaceKey(ds));
  }
  return next;
}

function dsEvent(type: EventSpec['type'], reason: string, message: string, key: string, ctx: ControllerContext): EventSpec {
  const ds = getByKey(ctx.informers.daemonsets, key);
  const { namespace, name } = splitMetaNamespaceKey(key);
  return { type, reason, message, involvedObject: ds ? referenceTo(ds, 'apps/v1', 'DaemonSet') : { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace, name }, component: DS_COMPONENT };
}

function onResult(state: State, result: CallResult, ctx: ControllerContext): { state: State; events?: EventSpec[] } {
  const tag = result.call.tag;
  if (tag.kind !== 'op') return { state };
  const failure = result.failure;
  if (tag.op === 'createPod') {
    if (!failure) return { state, events: [dsEvent('Normal', 'SuccessfulCreate', `Created pod: ${(result.body as Pod).metadata?.name ?? ''}`, tag.key, ctx)] };
    return { state: { ...state, expectations: creationObserved(state.expectations, tag.key) }, events: [dsEvent('Warning', 'FailedCreate', `Error creating: ${failure.message}`, tag.key, ctx)] };
  }
  if (tag.op.startsWith('deletePod:')) {
    const podKey = tag.op.slice('deletePod:'.length);
    if (!failure) return { state, events: [dsEvent('Normal', 'SuccessfulDelete', `Deleted pod: ${splitMetaNamespaceKey(podKey).name}`, tag.key, ctx)] };
    const next = { ...state, expectations: deletionObserved(state.expectations, tag.key, podKey) };
    return isNotFound(failure) ? { state: next } : { state: next, events: [dsEvent('Warning', 'FailedDelete', `Error deleting: ${failure.message}`, tag.key, ctx)] };
  }
  return { state };
}

export const daemonSetController = defineController<State>({
  name: 'daemonset',
  informers: ['daemonsets', 'pods', 'nodes'],
  create: (config) => newDaemonSetControllerState(config.rateLimiter),
  onDelta(state, informer, delta, ctx) {
    if (informer === 'daemonsets') return { state: enqueue(state, metaNamespaceKey(delta.object)) };
    if (informer === 'pods') return { state: onPodDelta(state, delta as Delta<Pod>, ctx) };
    if (informer === 'nodes') return { state: onNodeDelta(state, delta as Delta<Node>, ctx) };
    return { state };
  },
  sync: syncDaemonSet,
  onCallResult: onResult,
  onCallSkipped(state, call) {
    const tag = call.tag;
    return tag.kind === 'op' && tag.op === 'createPod' ? { ...state, expectations: creationObserved(state.expectations, tag.key) } : state;
  },
  finalize: (_state, finalizer) => (finalizer.kind === 'opaque' ? { step: finalizer.data as Step } : {}),
});
