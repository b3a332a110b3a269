import type { Address } from '../../src/bus/envelope.ts';
import type {
  EtcdError, KvRequest, KvResponseMessage, WatchCreateRequest, WatchRequestMessage, WatchResponseMessage,
} from '../../src/etcd/protocol.ts';
import type { HealthOk } from '../../src/host/contract.ts';
import type { RngState } from '../../src/sim/random.ts';

export interface EtcdClientConfig {
  /** Member addresses the client may talk to (etcd's --endpoints). */
  members: Address[];
  /** One attempt's budget before the client tries another member (reads) or gives up (writes). */
  attemptTimeoutMs?: number;
  /** The whole operation's budget (etcd's request timeout; the apiserver uses 5 s... per attempt here). */
  requestTimeoutMs?: number;
  /**
   * gRPC keepalive on each client→member connection (kube-apiserver's etcd3.go: `keepaliveTime = 30s`):
   * a connection with open streams that has received nothing for this long is pinged.
   */
  keepaliveTimeMs?: number;
  /**
   * No answer to the ping within this long (etcd3.go: `keepaliveTimeout = 10s`) and the connection is
   * closed: its watches resume on another member, its requests fail over. Also bounds how long a new
   * watch may wait for its `created` response.
   */
  keepaliveTimeoutMs?: number;
}

/** Invoke an operation. `replyTo` set: the outcome is also sent back over the bus as `etcd.client.result`. */
export interface ClientInvoke {
  type: 'etcd.client.invoke';
  opId: string;
  request: KvRequest;
  replyTo?: Address;
}

/** Open or cancel a watch that survives member failures (resumed from the last revision seen + 1). */
export type ClientWatch =
  | { type: 'etcd.client.watch'; watchId: string; request: WatchCreateRequest; replyTo?: Address }
  | { type: 'etcd.client.unwatch'; watchId: string }
  /**
   * Ask the member serving the watch for a progress notification now (clientv3's RequestProgress). For a
   * watch the client does not have, it answers the sender at once with a canceled `etcd.client.watchEvent`.
   */
  | { type: 'etcd.client.watch.progress'; watchId: string };

export type OpOutcome =
  | { status: 'ok'; result: unknown }
  /** Definitely not applied (e.g. compacted revision, lease not found). */
  | { status: 'error'; error: EtcdError }
  /** May or may not have been applied: a write that timed out or lost its leader. */
  | { status: 'unknown'; reason: string };

/** The outcome, sent to `replyTo`. */
export interface ClientResultMessage {
  type: 'etcd.client.result';
  opId: string;
  outcome: OpOutcome;
}

/** Watch responses relayed to `replyTo`, tagged with the client-level watch id. */
export interface ClientWatchMessage {
  type: 'etcd.client.watchEvent';
  watchId: string;
  response: WatchResponseMessage;
}

export interface PendingOp {
  opId: string;
  request: KvRequest;
  replyTo?: Address;
  invokedAt: number;
  /** The wire request id of the current attempt (responses to older attempts are ignored). */
  requestId: string;
  target: Address;
  attempt: number;
  attemptDeadline: number;
  deadline: number;
}

export interface OpenWatch {
  watchId: string;
  request: WatchCreateRequest;
  replyTo?: Address;
  /** Stream id on the wire for the current member; changes on every resume. */
  streamId: string;
  target: Address;
  /** Highest revision whose events were delivered (or confirmed by progress). */
  lastRevision: number;
  /** Until the member confirms the stream (`created`): when it is given up; 0 once created. */
  createDeadline: number;
  resumes: number;
  /** The `seq` the next response on the current stream must carry; a gap means the stream broke. */
  nextSeq: number;
}

export interface EtcdClientContext {
  self: Address;
  members: Address[];
  attemptTimeoutMs: number;
  requestTimeoutMs: number;
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  /** Member believed to be leader, from the latest hint or successful write. */
  leaderHint: Address | null;
  /** Round-robin cursor for when there is no hint. */
  cursor: number;
  /**
   * Outstanding operations by op id. Mutated in place by the machine's actions only (as the apiserver's
   * and etcd member's contexts): starting or completing one is O(1) however many are in flight.
   */
  pending: Map<string, PendingOp>;
  /** Open watches by client-level watch id; mutated in place, as `pending`. */
  watches: Map<string, OpenWatch>;
  /** One gRPC connection per member in use, with its keepalive state; mutated in place. */
  connections: Map<Address, Connection>;
  /**
   * The one timer: `at` is when it is armed for (on entering `busy`), `earliest` the earliest deadline
   * noted since; when that is sooner, `busy` is re-entered to re-arm. Mutated in place.
   */
  timer: { at: number; earliest: number };
  /** Numbers the keepalive pings. */
  sequence: number;
  rng: RngState;
  now: () => number;
}

/** A client→member connection (a gRPC transport), as far as keepalive is concerned. */
export interface Connection {
  /** The member process's incarnation, from the first ping's answer: a new one means the transport was reset. */
  incarnation?: number;
  /** When anything was last received from the member on this connection. */
  lastHeardAt: number;
  /** An unanswered ping: its id and when the connection is given up. */
  probe?: { id: string; deadline: number };
}

export type EtcdClientEvent =
  | ClientInvoke
  | (ClientWatch & { from?: Address })
  | (KvResponseMessage & { from: Address })
  | (WatchResponseMessage & { from: Address })
  | HealthOk;

export type { WatchRequestMessage };
