// The Endpoints controller (pkg/controller/endpoint): for every Service with a selector, an Endpoints
// object of the same name listing its pods' addresses — ready ones in `addresses`, the others in
// `notReadyAddresses` (all in `addresses` with publishNotReadyAddresses) — per port.
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import {
  createRequest, deleteRequest, getNamespaced, listAll, listNamespace, metaNamespaceKey, newWorkQueue, queueAdd,
  splitMetaNamespaceKey, updateRequest, type Delta,
} from '../../../src/client/index.ts';
import { defineController, type ControllerBase, type ControllerContext, type Synced } from '../controller-module.ts';
import type { CallResult } from '../jobs.ts';
import { referenceTo, type EventSpec } from '../events.ts';
import { ENDPOINTS } from '../informers.ts';
import { objectKeyOf, type PlannedCall } from '../jobs.ts';
import { HEADLESS_LABEL, isServiceIPSet, serviceSelects, servicesForPodDelta } from '../service-util.ts';
import { endpointSubsets, subsetsEqual } from './subsets.ts';

export const ENDPOINTS_COMPONENT = 'endpoint-controller';
/** maxRetries: a Service failing this many syncs in a row is dropped from the queue. */
export const ENDPOINTS_MAX_RETRIES = 15;
/** resourcelock.LeaderElectionRecordAnnotationKey. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

export interface EndpointsControllerState extends ControllerBase {
  /**
   * staleEndpointsTracker: by Service key, the resourceVersion of the Endpoints an update replaced. A
   * cache still showing it lags the controller's own write; acting on it could skip a needed update.
   */
  readonly stale: Readonly<Record<string, string>>;
}

type State = EndpointsControllerState;

const enqueueAll = (state: State, keys: Iterable<string>): State => {
  let queue = state.queue;
  for (const key of keys) queue = queueAdd(queue, key);
  return { ...state, queue };
};

function onPodDelta(state: State, delta: Delta<Pod>, ctx: ControllerContext): State {
  return enqueueAll(state, servicesForPodDelta(ctx.informers.services, delta));
}

function syncService(state: State, key: string, ctx: ControllerContext): Synced<State> {
  const { informers, config } = ctx;
  const { namespace = '', name } = splitMetaNamespaceKey(key);
  const service = getNamespaced(informers.services, namespace, name);
  if (!service) {
    // The Service is gone: so are its Endpoints.
    const call: PlannedCall = { request: deleteRequest(ENDPOINTS, name, { namespace, user: config.user }), tag: { kind: 'write' }, tolerateNotFound: true };
    const stale = { ...state.stale };
    delete stale[key];
    return { state: { ...state, stale }, plan: { steps: [{ label: 'write', calls: [call] }] } };
  }
  if (service.spec?.type === 'ExternalName' || !service.spec?.selector) return { state };
  const pods = listNamespace(informers.pods, namespace).filter((p) => serviceSelects(service, p));
  const subsets = endpointSubsets(service, pods, config.plant);
  const current = getNamespaced(informers.endpoints, namespace, name);
  if (current && state.stale[key] === current.metadata?.resourceVersion) {
    const message = `endpoints informer cache is out of date, resource version ${state.stale[key]} already processed for endpoints ${key}`;
    return { state, plan: { steps: [], failWith: { code: 500, reason: 'StaleInformerCache', message } } };
  }
  const labels = { ...service.metadata?.labels };
  const currentLabels = { ...current?.metadata?.labels };
  delete currentLabels[HEADLESS_LABEL];
  if (current && subsetsEqual(current.subsets, subsets) && canonicalJson(currentLabels) === canonicalJson(labels)) return { state };
  if (!isServiceIPSet(service)) labels[HEADLESS_LABEL] = '';
  const metadata = current
    ? { ...current.metadata, labels }
    : { name, namespace, ...(Object.keys(labels).length > 0 ? { labels } : {}) };
  const body: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata, ...(subsets.length > 0 ? { subsets } : {}) };
  const request = current
    ? updateRequest(ENDPOINTS, name, body, { namespace, user: config.user })
    : createRequest(ENDPOINTS, body, { namespace, user: config.user });
  const call: PlannedCall = { request, tag: { kind: 'op', op: current ? 'update' : 'create', key }, ...(current ? { objectKey: objectKeyOf('endpoints', body) } : {}) };
  return { state, plan: { steps: [{ label: 'write', calls: [call] }] } };
}

export const endpointsController = defineController<State>({
  name: 'endpoint',
  informers: ['services', 'pods', 'endpoints'],
  maxRetries: ENDPOINTS_MAX_RETRIES,
  create: (config) => ({ queue: newWorkQueue(config.rateLimiter), jobs: {}, stale: {} }),
  // checkLeftoverEndpoints: Endpoints whose Service is gone are deleted once at start-up (not the
  // leader-election records some components keep in Endpoints).
  onCachesSynced: (state, ctx) => enqueueAll(state, listAll(ctx.informers.endpoints)
    .filter((e) => e.metadata?.annotations?.[LEADER_ANNOTATION] === undefined).map(metaNamespaceKey)),
  onDelta(state, informer, delta, ctx) {
    if (informer === 'services') return { state: enqueueAll(state, [metaNamespaceKey(delta.object)]) };
    if (informer === 'pods') return { state: onPodDelta(state, delta as Delta<Pod>, ctx) };
    // A deleted Endpoints object is recreated if its Service still wants it.
    if (informer === 'endpoints' && delta.type === 'deleted') return { state: enqueueAll(state, [metaNamespaceKey(delta.object)]) };
    return { state };
  },
  sync: syncService,
  onCallResult: onResult,
});

function onResult(state: State, result: CallResult): { state: State; events?: EventSpec[] } {
  const tag = result.call.tag;
  if (tag.kind !== 'op') return { state };
  if (!result.failure) {
    // Remember the version this update replaced: a cache still showing it is behind.
    const replaced = (result.call.request.body as Endpoints | undefined)?.metadata?.resourceVersion;
    const written = (result.body as Endpoints | undefined)?.metadata?.resourceVersion;
    if (tag.op === 'update' && replaced && written !== replaced) return { state: { ...state, stale: { ...state.stale, [tag.key]: replaced } } };
    return { state };
  }
  const { namespace, name } = splitMetaNamespaceKey(tag.key);
  const ref = referenceTo((result.call.request.body ?? {}) as Service, 'v1', 'Endpoints');
  const event: EventSpec = tag.op === 'create'
    ? { type: 'Warning', reason: 'FailedToCreateEndpoint', message: `Failed to create endpoint for service ${namespace}/${name}: ${result.failure.message}`, involvedObject: ref, component: ENDPOINTS_COMPONENT }
    : { type: 'Warning', reason: 'FailedToUpdateEndpoint', message: `Failed to update endpoint ${namespace}/${name}: ${result.failure.message}`, involvedObject: ref, component: ENDPOINTS_COMPONENT };
  return { state, events: [event] };
}
