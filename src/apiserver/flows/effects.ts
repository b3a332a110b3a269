import type { ResourceInfo } from '../../api/index.ts';
import type { EtcdError, KvRequest } from '../../etcd/protocol.ts';
import type { KubeletLogsDataMessage } from '../../kubelet/log-protocol.ts';
import type { ApiRequest, UserInfo } from '../protocol.ts';
import type { ResolvedConfig } from '../config.ts';
import type { Target } from '../resources.ts';
import type { ObjectFilter } from '../selectors.ts';
import type { WatchCache } from '../watch-cache/cache.ts';

/**
 * A request is served by a flow: a generator that yields what it waits for (etcd operations through the
 * etcd client actor, or the watch cache reaching a revision) and returns the response. The machine's
 * runner resumes it when the wait is over, so a flow reads top to bottom like the Go handler it models,
 * while the machine stays an event-driven actor. Flows throw ApiError to answer with a Status.
 */
/** What the etcd client actor reports for an operation (its OpOutcome). */
export type EtcdOutcome =
  | { status: 'ok'; result: unknown }
  /** Definitely not applied. */
  | { status: 'error'; error: EtcdError }
  /** May or may not have been applied (a write whose attempt timed out). */
  | { status: 'unknown'; reason: string };

export type Effect =
  /** Resumes with the EtcdOutcome of each request, in order (sent in parallel). */
  | { type: 'etcd'; requests: KvRequest[] }
  /** Resumes with true once the cache is ready at `minRevision` or later, false after config.cacheWaitMs. */
  | { type: 'cache'; prefix: string; minRevision: number }
  /**
   * A call to a node's kubelet (`<node>/kubelet`), as kube-apiserver's kubelet client makes for pods/log:
   * the runner gives `message` a request id and resumes with a KubeletAnswer — the kubelet's first reply,
   * or none within `timeoutMs`.
   */
  | { type: 'kubelet'; node: string; message: { type: string; [field: string]: unknown }; timeoutMs: number };

/** What a `kubelet` effect resumes with. */
export interface KubeletAnswer {
  requestId: string;
  /** The kubelet's first `kubelet.logs.data` message; undefined when it did not answer in time. */
  reply?: KubeletLogsDataMessage;
}

/** A response body that goes on arriving from a kubelet (`follow=true`): the runner relays it to the client. */
export interface StreamSpec {
  kubelet: string;
  kubeletRequestId: string;
  /** What the kubelet's first reply carried. */
  first: string;
}

/** What a watch request turns into once validated: the runner registers it with the cache. */
export interface WatchSpec {
  cachePrefix: string;
  scopePrefix: string;
  filter: ObjectFilter;
  resource: ResourceInfo;
  /** Start: after this revision; undefined = now, with synthetic ADDED events for the current state. */
  fromRevision?: number;
  initialEvents: boolean;
  initialEventsEndBookmark: boolean;
  bookmarks: boolean;
  timeoutMs: number;
}

export type FlowResult =
  /** `contentType` when the body is not an API object (text/plain pod logs). */
  | { kind: 'response'; code: number; body: unknown; contentType?: string }
  | { kind: 'watch'; watch: WatchSpec }
  | { kind: 'stream'; stream: StreamSpec };

export type Flow = Generator<Effect, FlowResult, unknown>;

/** The state of etcd compaction, as upstream's compactor keeps it between periods. */
export interface CompactionState {
  version: number;
  revision: number;
}

/** What a flow may read or draw; given by the machine, valid only while the flow runs a step. */
export interface FlowEnv {
  readonly config: ResolvedConfig;
  readonly served: readonly ResourceInfo[];
  now(): number;
  /** Uniform in [0, 1) from the machine's generator. */
  random(): number;
  uuid(): string;
  cache(prefix: string): WatchCache | undefined;
  compaction: CompactionState;
}

/** A request being served: the raw request, its resolved target and who asks. */
export interface Scope {
  request: ApiRequest;
  target: Target;
  user: UserInfo;
  env: FlowEnv;
}

/** dryRun=All: run every step, write nothing. */
export function isDryRun(s: Scope): boolean {
  return s.request.query?.dryRun === 'All';
}

export function response(code: number, body: unknown): FlowResult {
  return { kind: 'response', code, body };
}
