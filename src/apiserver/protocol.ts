/**
 * The Kubernetes API on the bus: what clients (controllers, the scheduler, kubelets, the HTTP front door)
 * send to a kube-apiserver actor and what it answers. It is the REST API as messages: the same verbs,
 * paths, query parameters, bodies, status codes and `Status` errors, so the HTTP front door is a pure
 * translation and there is no second code path around the actors.
 */

/** Request verbs, as the apiserver's RequestInfo names them. */
export type ApiVerb =
  | 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type PatchType =
  | 'application/json-patch+json'
  | 'application/merge-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';

/** The query parameters the model honours (names as on the wire). */
export interface ApiQuery {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  limit?: number;
  continue?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  dryRun?: 'All';
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  force?: boolean;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  /** Pod log options (v1.PodLogOptions). */
  container?: string;
  follow?: boolean;
  tailLines?: number;
  previous?: boolean;
  timestamps?: boolean;
  sinceSeconds?: number;
  /** RFC 3339. */
  sinceTime?: string;
  limitBytes?: number;
}

/** Who is asking: what authentication established (the chain is pluggable; RBAC comes later). */
export interface UserInfo {
  username: string;
  groups: string[];
}

export interface ApiRequest {
  verb: ApiVerb;
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural resource name: `pods`, `deployments`. */
  resource: string;
  subresource?: 'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'finalize';
  namespace?: string;
  name?: string;
  query?: ApiQuery;
  /** The decoded body (an object), for create/update/patch/subresource posts. */
  body?: unknown;
  patchType?: PatchType;
  user?: UserInfo;
}

/** client → apiserver. `requestId` is unique per client; the answer goes back to the sender. */
export interface ApiRequestMessage {
  type: 'api.request';
  requestId: string;
  request: ApiRequest;
}

/** apiserver → client: an HTTP-like response. Errors carry a `Status` object as body. */
export interface ApiResponseMessage {
  type: 'api.response';
  requestId: string;
  code: number;
  body: unknown;
  /** Set when the body is not an API object: `text/plain` for pod logs (the body is then a string). */
  contentType?: string;
  /** The body continues as `api.stream` messages (pods/log with follow=true); `body` is null. */
  stream?: boolean;
}

/**
 * apiserver → client: the pieces of a streamed response body (`kubectl logs -f`), after an `api.response`
 * 200 with `stream: true`. Numbered 1, 2, … like watch messages; `closed` ends the body. The client stops it
 * with `api.watch.cancel` (it closed the HTTP stream).
 */
export interface ApiStreamMessage {
  type: 'api.stream';
  requestId: string;
  seq: number;
  data: string;
  closed?: boolean;
}

/** A watch event as the API streams it (`{"type":"ADDED","object":{…}}`). */
export interface WatchEventBody {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

/**
 * apiserver → watcher: events of a watch opened with an `api.request` of verb `watch`. Several events
 * travel in one message (the watch cache batches what it has), in order; `closed` ends the stream
 * (timeoutSeconds elapsed, or the apiserver went away).
 */
export interface ApiWatchMessage {
  type: 'api.watch';
  requestId: string;
  events: WatchEventBody[];
  closed?: boolean;
  /**
   * The message's number on its stream: 1, 2, 3, … A watch is one HTTP stream over TCP: it delivers every
   * message in order or breaks. The bus may lose, duplicate or reorder messages, so the receiver ignores a
   * repeat (≤ the last seen) and treats a gap as the stream breaking. Absent from old test doubles.
   */
  seq?: number;
}

/** watcher → apiserver: stop a watch (the client closed the HTTP stream). */
export interface ApiWatchCancelMessage {
  type: 'api.watch.cancel';
  requestId: string;
}

/** metav1.Status, as every API error is returned. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message: string;
  reason: StatusReason | '';
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason: string; message: string; field: string }[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** metav1.StatusReason values and the HTTP codes the apiserver pairs them with. */
export const STATUS_REASONS = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const;

export type StatusReason = keyof typeof STATUS_REASONS;

export function statusError(
  reason: StatusReason,
  message: string,
  details?: Status['details'],
): Status {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason,
    ...(details ? { details } : {}), code: STATUS_REASONS[reason],
  };
}

/** `pods "web-1" not found`, as the apiserver words it (group-qualified for non-core resources). */
export function notFound(group: string, resource: string, name: string): Status {
  const qualified = group ? `${resource}.${group}` : resource;
  return statusError('NotFound', `${qualified} "${name}" not found`, { name, group, kind: resource });
}

/** `deployments.apps "web" already exists`. */
export function alreadyExists(group: string, resource: string, name: string): Status {
  const qualified = group ? `${resource}.${group}` : resource;
  return statusError('AlreadyExists', `${qualified} "${name}" already exists`, { name, group, kind: resource });
}

/** The optimistic-concurrency failure every controller retries on. */
export function conflict(group: string, resource: string, name: string): Status {
  const qualified = group ? `${resource}.${group}` : resource;
  return statusError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind: resource },
  );
}

/** A watch or list from a resourceVersion the watch cache no longer holds. */
export function expired(resourceVersion: string, oldest: string): Status {
  return statusError('Expired', `too old resource version: ${resourceVersion} (${oldest})`);
}
