import { LeaseExpiry } from '../../../src/etcd/mvcc/index.ts';
import type { BatchedKvResponse, KvRequest } from '../../../src/etcd/protocol.ts';
import type { KvStateMachine } from './kv-state-machine.ts';

/** A client request this member received and will answer once its entry is applied. */
export interface Waiter {
  client: string;
  request: KvRequest;
  /** It came in an `etcd.requestBatch`: answered in an `etcd.responseBatch`. */
  batched: boolean;
}

/** A client request that arrived while no leader was known; retried when one is, failed after a timeout. */
export interface StalledRequest {
  at: number;
  client: string;
  requestId: string;
  request: KvRequest;
}

export interface WatchStream {
  client: string;
  watchId: string;
  /** Sequence number of the next response on this stream (see WatchResponseMessage.seq). */
  nextSeq: number;
}

/** The etcd server around Raft: state machine, client bookkeeping, watches, leases. Mutable. */
export interface ServerState {
  kv: KvStateMachine;
  /** requestId → who to answer when the request's entry applies on this member. */
  readonly waiters: Map<string, Waiter>;
  /** Requests seen lately, so a duplicated delivery is not proposed twice. */
  readonly recentRequests: RecentIds;
  /** Proposals forwarded by followers (`raft.propose`) this member appended or passed on, by request id. */
  readonly forwardedProposals: RecentIds;
  /**
   * Requests that came in an `etcd.requestBatch` and are not answered yet (they are answered in batches),
   * except those waiting for their entry to apply: a `Waiter` carries the mark itself.
   */
  readonly batchedRequests: Set<string>;
  /** Answers to batched requests decided in the running step, by client (sent when the step ends). */
  readonly responseBatches: Map<string, BatchedKvResponse[]>;
  /** Reads whose read index is known, waiting for applied ≥ index. */
  readonly readsAwaitingApply: { index: number; client: string; requestId: string; request: KvRequest }[];
  /** Follower: reads forwarded to the leader for a read index. */
  readonly forwardedReads: Map<number, { client: string; requestId: string; request: KvRequest; leader: string }>;
  nextReadId: number;
  readonly stalled: StalledRequest[];
  /** Leader-local lease deadlines (etcd's lessor on the primary). */
  readonly leaseExpiry: LeaseExpiry;
  /** PLANTED BUG `lease-expires-on-follower` only: a follower's own deadlines. */
  readonly followerLeaseExpiry: LeaseExpiry;
  /** Counter for lease ids this member chooses. */
  leaseIdSeq: number;
  /** Hub watch id → the client stream it belongs to, and back. */
  readonly watchStreams: Map<number, WatchStream>;
  readonly watchIds: Map<string, number>;
  /** A running `moveLeader` request. */
  moveLeader: { client: string; requestId: string; target: string; startedAt: number } | undefined;
  lastWatchProgressAt: number;
  /** The leader as of the end of the previous step (to notice changes). */
  knownLeader: string | null;
}

/**
 * A bounded set of recently seen ids: the last `window` ids added are always remembered, and never more
 * than 2 × `window`. Two generations instead of a FIFO ring, so adding an id evicts nothing one by one:
 * when the young generation is full it becomes the old one and the previous old one is dropped whole.
 */
export class RecentIds {
  private young = new Set<string>();
  private old = new Set<string>();

  constructor(private readonly window: number) {}

  has(id: string): boolean {
    return this.young.has(id) || this.old.has(id);
  }

  add(id: string): void {
    if (this.young.size >= this.window) {
      this.old = this.young;
      this.young = new Set();
    }
    this.young.add(id);
  }
}

export function createServerState(kv: KvStateMachine, now: number): ServerState {
  return {
    kv,
    waiters: new Map(),
    recentRequests: new RecentIds(8192),
    forwardedProposals: new RecentIds(8192),
    batchedRequests: new Set(),
    responseBatches: new Map(),
    readsAwaitingApply: [],
    forwardedReads: new Map(),
    nextReadId: 1,
    stalled: [],
    leaseExpiry: new LeaseExpiry(),
    followerLeaseExpiry: new LeaseExpiry(),
    leaseIdSeq: 0,
    watchStreams: new Map(),
    watchIds: new Map(),
    moveLeader: undefined,
    lastWatchProgressAt: now,
    knownLeader: null,
  };
}
