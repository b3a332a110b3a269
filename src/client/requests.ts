// Builders for what a client puts on the bus: `api.request` for every verb and `api.watch.cancel`.
// They return `{ to, message }` so a machine emits each as a `net.send` without knowing the shapes.
import type { Address } from '../bus/envelope.ts';
import type {
  ApiQuery, ApiRequest, ApiRequestMessage, ApiWatchCancelMessage, UserInfo,
} from '../apiserver/protocol.ts';

export interface Outgoing<M extends { type: string } = ApiRequestMessage | ApiWatchCancelMessage> {
  to: Address;
  message: M;
}

/** A REST resource: group ('' for core), version and plural. */
export interface ResourceTarget {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export const PODS: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'pods' });
export const EVENTS: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'events' });
export const REPLICASETS: ResourceTarget = Object.freeze({ group: 'apps', version: 'v1', resource: 'replicasets' });
export const DEPLOYMENTS: ResourceTarget = Object.freeze({ group: 'apps', version: 'v1', resource: 'deployments' });

export function sendRequest(to: Address, requestId: string, request: ApiRequest): Outgoing<ApiRequestMessage> {
  return { to, message: { type: 'api.request', requestId, request } };
}

export function cancelWatch(to: Address, requestId: string): Outgoing<ApiWatchCancelMessage> {
  return { to, message: { type: 'api.watch.cancel', requestId } };
}

interface Common {
  namespace?: string;
  user?: UserInfo;
}

function base(target: ResourceTarget, verb: ApiRequest['verb'], common: Common): ApiRequest {
  const request: ApiRequest = { verb, group: target.group, version: target.version, resource: target.resource };
  if (common.namespace) request.namespace = common.namespace;
  if (common.user) request.user = common.user;
  return request;
}

function withQuery(request: ApiRequest, query: ApiQuery): ApiRequest {
  const defined = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
  return Object.keys(defined).length > 0 ? { ...request, query: defined as ApiQuery } : request;
}

export interface ListOptions extends Common {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
}

export function listRequest(target: ResourceTarget, opts: ListOptions = {}): ApiRequest {
  // resourceVersion "" (left out) is a quorum read, "0" any cached state, "N" not older than N.
  return withQuery(base(target, 'list', opts), {
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    resourceVersion: opts.resourceVersion,
  });
}

export interface WatchOptions extends ListOptions {
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export function watchRequest(target: ResourceTarget, opts: WatchOptions = {}): ApiRequest {
  const request = base(target, 'watch', opts);
  return withQuery(request, {
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    resourceVersion: opts.resourceVersion,
    timeoutSeconds: opts.timeoutSeconds,
    allowWatchBookmarks: opts.allowWatchBookmarks,
  });
}

export function getRequest(target: ResourceTarget, name: string, opts: Common = {}): ApiRequest {
  return { ...base(target, 'get', opts), name };
}

export function createRequest(target: ResourceTarget, body: unknown, opts: Common = {}): ApiRequest {
  return { ...base(target, 'create', opts), body };
}

/** PUT; the body's metadata.resourceVersion is the optimistic-concurrency precondition. */
export function updateRequest(
  target: ResourceTarget, name: string, body: unknown, opts: Common & { subresource?: 'status' | 'scale' } = {},
): ApiRequest {
  const request: ApiRequest = { ...base(target, 'update', opts), name, body };
  if (opts.subresource) request.subresource = opts.subresource;
  return request;
}

export function deleteRequest(
  target: ResourceTarget, name: string, opts: Common & { propagationPolicy?: ApiQuery['propagationPolicy'] } = {},
): ApiRequest {
  return withQuery({ ...base(target, 'delete', opts), name }, { propagationPolicy: opts.propagationPolicy });
}

export function mergePatchRequest(target: ResourceTarget, name: string, patch: unknown, opts: Common = {}): ApiRequest {
  return { ...base(target, 'patch', opts), name, body: patch, patchType: 'application/merge-patch+json' };
}
