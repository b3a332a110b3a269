import type { Address } from '../../src/bus/envelope.ts';
import type { ResourceInfo } from '../../src/api/index.ts';
import type { ApiRequestMessage, ApiWatchCancelMessage } from '../../src/apiserver/protocol.ts';
import type { ResolvedConfig } from '../../src/apiserver/config.ts';
import type { CompactionState, EtcdOutcome, Flow } from '../../src/apiserver/flows/index.ts';
import type { WatchCache } from '../../src/apiserver/watch-cache/cache.ts';
import type { Watcher } from '../../src/apiserver/watch-cache/watchers.ts';
import type { WatchResponseMessage } from '../../src/etcd/protocol.ts';
import type { HostedEmitted } from '../../src/host/contract.ts';
import type { KubeletLogsDataMessage } from '../../src/kubelet/log-protocol.ts';
import type { LogRelay } from './log-streams.ts';
import type { RngState } from '../../src/sim/random.ts';

/** A request being served (or an internal job: bootstrap, compaction). */
export interface Inflight {
  id: string;
  /** Who gets the answer; undefined for internal jobs. */
  client?: Address;
  requestId?: string;
  /** For the `obs.api.request` observation. */
  verb: string;
  resource: string;
  subresource?: string;
  flow: Flow;
  startedAt: number;
  deadline: number;
  wait?: EtcdWait | CacheWait | KubeletWait;
}

export interface EtcdWait {
  kind: 'etcd';
  opIds: string[];
  outcomes: (EtcdOutcome | undefined)[];
  remaining: number;
}

export interface CacheWait {
  kind: 'cache';
  prefix: string;
  minRevision: number;
  until: number;
}

/** A call to a kubelet (pods/log): its first reply, until `until`. */
export interface KubeletWait {
  kind: 'kubelet';
  requestId: string;
  until: number;
}

/** One resource prefix's cache and the etcd watch that feeds it. */
export interface CacheFeed {
  cache: WatchCache;
  /** The etcd client watch id (changes on every restart of the feed). */
  watchId: string;
  /** The op id of the initial list while listing. */
  listOpId?: string;
  /** When the feed last heard from etcd (list result or watch message). */
  lastHeardAt: number;
  /** Retry the list at this time after a failure. */
  retryAt?: number;
  /** When a silent feed last asked the etcd client for progress (see checkFeeds). */
  progressAskedAt?: number;
}

export interface ApiServerContext {
  self: Address;
  incarnation: number;
  config: ResolvedConfig;
  served: readonly ResourceInfo[];
  now: () => number;
  rng: RngState;
  /** Mutable state, changed only by this machine's actions (as the etcd member's context). */
  feeds: Map<string, CacheFeed>;
  /** etcd watch id → cache prefix. */
  feedByWatch: Map<string, string>;
  /** etcd list op id → cache prefix. */
  feedByListOp: Map<string, string>;
  watchers: Map<string, Watcher>;
  inflight: Map<string, Inflight>;
  /** Ids of inflight requests that may be waiting for a cache (stale ids are skipped): resumed without scanning all. */
  cacheWaiting?: Set<string>;
  /** etcd op id → the inflight request waiting for it and its slot. */
  ops: Map<string, { inflightId: string; slot: number }>;
  /** Followed pod logs being relayed from a kubelet to a client, by the kubelet request's id (log-streams.ts). */
  logStreams: Map<string, LogRelay>;
  /** Requests answered recently (client + requestId → time): a duplicated delivery is not served twice. */
  answered: Map<string, number>;
  compaction: CompactionState & { nextAt: number };
  /** Every watch cache has listed at least once (kept by assign, so the chart's guard is pure). */
  cachesReady: boolean;
  bootstrapped: boolean;
  /** When the `kubernetes` Service is next reconciled (src/apiserver/bootstrap; only with an advertise address). */
  kubernetesServiceAt?: number;
  sequence: number;
  outbox: HostedEmitted[];
}

/** etcd client → apiserver. */
export interface EtcdClientResult {
  type: 'etcd.client.result';
  opId: string;
  outcome: EtcdOutcome;
}

export interface EtcdClientWatchEvent {
  type: 'etcd.client.watchEvent';
  watchId: string;
  response: WatchResponseMessage;
}

export type ApiServerEvent =
  | (ApiRequestMessage & { from?: Address })
  | (ApiWatchCancelMessage & { from?: Address })
  | (EtcdClientResult & { from?: Address })
  | (EtcdClientWatchEvent & { from?: Address })
  | (KubeletLogsDataMessage & { from?: Address });
