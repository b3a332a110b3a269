// The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a selector, the
// EndpointSlices (managed-by endpointslice-controller.k8s.io) listing its pods with ready/serving/
// terminating conditions, node and zone. Slices of a deleted Service go with it (owner references).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  createRequest, deleteRequest, getByKey, getNamespaced, listByIndex, listNamespace, metaNamespaceKey, newWorkQueue, queueAdd,
  splitMetaNamespaceKey, updateRequest, type Delta, type RateLimiterConfig,
} from '../../../src/client/index.ts';
import { defineController, type ControllerBase, type ControllerContext, type Synced } from '../controller-module.ts';
import { ENDPOINTSLICES, SERVICE_NAME_INDEX, SERVICE_NAME_LABEL } from '../informers.ts';
import { objectKeyOf, type PlannedCall, type Step } from '../jobs.ts';
import { serviceSelects, servicesForPodDelta } from '../service-util.ts';
import { desiredEndpoints } from './endpoints.ts';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, reconcileSlices } from './reconciler.ts';
import { forgetService, handleDeletion, isTracked, shouldSync, staleSlices, trackDeletion, trackWrite, type SliceTracker } from './tracker.ts';

export interface EndpointSliceState extends ControllerBase {
  readonly tracker: SliceTracker;
}

/** The controller's own back-off: 1 s doubling to 1000 s, and the usual 10 qps bucket. */
export const ENDPOINTSLICE_RATE_LIMITER: RateLimiterConfig = Object.freeze({ baseDelayMs: 1_000, maxDelayMs: 1_000_000, bucket: Object.freeze({ qps: 10, burst: 100 }) });
export const ENDPOINTSLICE_MAX_RETRIES = 15;

type State = EndpointSliceState;

const enqueueAll = (state: State, keys: Iterable<string>): State => {
  let queue = state.queue;
  for (const key of keys) queue = queueAdd(queue, key);
  return { ...state, queue };
};

const managed = (s: EndpointSlice) => s.metadata?.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME;
const serviceKeyOf = (s: EndpointSlice) => `${s.metadata?.namespace ?? ''}/${s.metadata?.labels?.[SERVICE_NAME_LABEL] ?? ''}`;

function onSliceDelta(state: State, delta: Delta<EndpointSlice>): State {
  const slice = delta.object;
  const service = serviceKeyOf(slice);
  if (!slice.metadata?.labels?.[SERVICE_NAME_LABEL]) return state;
  if (delta.type === 'deleted') {
    if (!managed(slice) || !isTracked(state.tracker, service, slice.metadata?.uid ?? '')) return state;
    const [expected, tracker] = handleDeletion(state.tracker, service, slice.metadata?.uid ?? '');
    const next = { ...state, tracker };
    return expected ? next : enqueueAll(next, [service]);
  }
  const managedByChanged = delta.type === 'updated' && managed(delta.old) !== managed(slice);
  if (managedByChanged || (managed(slice) && shouldSync(state.tracker, service, slice))) return enqueueAll(state, [service]);
  return state;
}

function onPodDelta(state: State, delta: Delta<Pod>, ctx: ControllerContext): State {
  return enqueueAll(state, servicesForPodDelta(ctx.informers.services, delta));
}

function syncService(state: State, key: string, ctx: ControllerContext): Synced<State> {
  const { informers, config } = ctx;
  const { namespace = '', name } = splitMetaNamespaceKey(key);
  const service = getNamespaced(informers.services, namespace, name);
  // Gone: its slices are the garbage collector's (they are owned by it).
  if (!service) return { state: { ...state, tracker: forgetService(state.tracker, key) } };
  if (service.spec?.type === 'ExternalName' || !service.spec?.selector) return { state };
  const slices = listByIndex(informers.endpointslices, SERVICE_NAME_INDEX, key).filter((s) => managed(s) && !s.metadata?.deletionTimestamp);
  if (staleSlices(state.tracker, key, slices)) {
    return { state, plan: { steps: [], failWith: { code: 500, reason: 'StaleInformerCache', message: 'EndpointSlice informer cache is out of date' } } };
  }
  const pods = listNamespace(informers.pods, namespace).filter((p) => serviceSelects(service, p));
  const desired = desiredEndpoints(service, pods, (node) => getByKey<Node>(informers.nodes, node), config.plant);
  const changes = reconcileSlices(service, desired, slices);
  const opts = { namespace, user: config.user };
  const steps: Step[] = [];
  const step = (call: PlannedCall): void => void steps.push({ label: 'write', calls: [call] });
  // No new slices for a Service being deleted (the garbage collector would race with them).
  if (!service.metadata?.deletionTimestamp) {
    for (const slice of changes.create) step({ request: createRequest(ENDPOINTSLICES, slice, opts), tag: { kind: 'op', op: 'create', key } });
  }
  for (const slice of changes.update) {
    step({ request: updateRequest(ENDPOINTSLICES, slice.metadata?.name ?? '', slice, opts), tag: { kind: 'op', op: 'update', key }, objectKey: objectKeyOf('endpointslices', slice) });
  }
  for (const slice of changes.delete) {
    step({ request: deleteRequest(ENDPOINTSLICES, slice.metadata?.name ?? '', opts), tag: { kind: 'op', op: `delete:${slice.metadata?.uid ?? ''}`, key } });
  }
  // A pod whose node the cache does not show yet was left out: look again later.
  return { state, plan: { steps, ...(desired.missingNode ? { failWith: { code: 500, reason: 'NodeNotFound', message: 'node not found' } } : {}) } };
}

export const endpointSliceController = defineController<State>({
  name: 'endpointslice',
  informers: ['services', 'pods', 'endpointslices', 'nodes'],
  maxRetries: ENDPOINTSLICE_MAX_RETRIES,
  create: () => ({ queue: newWorkQueue(ENDPOINTSLICE_RATE_LIMITER), jobs: {}, tracker: {} }),
  onDelta(state, informer, delta, ctx) {
    if (informer === 'services') return { state: enqueueAll(state, [metaNamespaceKey(delta.object)]) };
    if (informer === 'pods') return { state: onPodDelta(state, delta as Delta<Pod>, ctx) };
    if (informer === 'endpointslices') return { state: onSliceDelta(state, delta as Delta<EndpointSlice>) };
    return { state };
  },
  sync: syncService,
  onCallResult(state, result) {
    const tag = result.call.tag;
    if (tag.kind !== 'op' || result.failure) return { state };
    if (tag.op === 'create' || tag.op === 'update') return { state: { ...state, tracker: trackWrite(state.tracker, tag.key, result.body as EndpointSlice) } };
    if (tag.op.startsWith('delete:')) return { state: { ...state, tracker: trackDeletion(state.tracker, tag.key, tag.op.slice('delete:'.length)) } };
    return { state };
  },
});
