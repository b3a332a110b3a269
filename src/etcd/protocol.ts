/**
 * The etcd client protocol on the bus: what an etcd client actor (the apiserver's, or a test client) sends
 * to an etcd member, and what the member answers. It mirrors etcd's v3 gRPC API (KV, Lease, Watch,
 * Maintenance) as plain messages. Member-to-member Raft traffic has its own types (machines/etcd-member).
 */

/** One version of one key, exactly as the MVCC store keeps it (mvccpb.KeyValue). */
export type { KeyValue } from './mvcc/types.ts';
import type { KeyValue } from './mvcc/types.ts';

export interface ResponseHeader {
  revision: number;
  /** Raft term and member that served the request (etcd's header.raft_term / member_id). */
  raftTerm: number;
  memberId: string;
}

export interface RangeRequest {
  op: 'range';
  key: string;
  /** Exclusive end; `prefix` is shorthand for the prefix range of `key`. */
  rangeEnd?: string;
  prefix?: boolean;
  limit?: number;
  /** 0 or absent = latest. */
  revision?: number;
  countOnly?: boolean;
  keysOnly?: boolean;
  /** Serve from the member's local state without ReadIndex (etcd's --consistency=s). */
  serializable?: boolean;
}

export interface PutRequest {
  op: 'put';
  key: string;
  value: string;
  lease?: number;
  prevKv?: boolean;
}

export interface DeleteRangeRequest {
  op: 'delete';
  key: string;
  rangeEnd?: string;
  prefix?: boolean;
  prevKv?: boolean;
}

export interface Compare {
  key: string;
  target: 'VALUE' | 'VERSION' | 'CREATE' | 'MOD' | 'LEASE';
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  /** A string for VALUE, a number otherwise. */
  operand: string | number;
}

export type TxnOp = RangeRequest | PutRequest | DeleteRangeRequest;

export interface TxnRequest {
  op: 'txn';
  compare: Compare[];
  success: TxnOp[];
  failure: TxnOp[];
}

export interface CompactRequest {
  op: 'compact';
  revision: number;
}

export interface LeaseGrantRequest {
  op: 'leaseGrant';
  ttlSeconds: number;
  /** 0 or absent: the member picks one. */
  id?: number;
}

export interface LeaseRevokeRequest {
  op: 'leaseRevoke';
  id: number;
}

export interface LeaseKeepAliveRequest {
  op: 'leaseKeepAlive';
  id: number;
}

/** Membership (etcdctl member add/remove/promote), served by the leader through a conf change. */
export interface MemberRequest {
  op: 'memberAdd' | 'memberRemove' | 'memberPromote';
  member: string;
  learner?: boolean;
}

/** Leadership transfer (etcdctl move-leader). */
export interface MoveLeaderRequest {
  op: 'moveLeader';
  target: string;
}

/** `etcdctl snapshot save`: the member returns its latest applied snapshot. */
export interface SnapshotSaveRequest {
  op: 'snapshotSave';
}

export interface StatusRequest {
  op: 'status';
}

export type KvRequest =
  | RangeRequest | PutRequest | DeleteRangeRequest | TxnRequest | CompactRequest
  | LeaseGrantRequest | LeaseRevokeRequest | LeaseKeepAliveRequest
  | MemberRequest | MoveLeaderRequest | SnapshotSaveRequest | StatusRequest;

export interface RangeResult { header: ResponseHeader; kvs: KeyValue[]; count: number; more: boolean }
export interface PutResult { header: ResponseHeader; prevKv?: KeyValue }
export interface DeleteResult { header: ResponseHeader; deleted: number; prevKvs?: KeyValue[] }
export type TxnOpResult =
  | { op: 'range'; result: RangeResult }
  | { op: 'put'; result: PutResult }
  | { op: 'delete'; result: DeleteResult };
export interface TxnResult { header: ResponseHeader; succeeded: boolean; responses: TxnOpResult[] }
export interface LeaseGrantResult { header: ResponseHeader; id: number; ttlSeconds: number }
export interface LeaseKeepAliveResult { header: ResponseHeader; id: number; ttlSeconds: number }
export interface StatusResult {
  header: ResponseHeader;
  leader: string | null;
  raftIndex: number;
  raftAppliedIndex: number;
  members: { id: string; learner: boolean }[];
}

/** Error codes, with the messages etcd's server returns for them (etcdserver/api/v3rpc/rpctypes). */
export const ETCD_ERRORS = {
  NotLeader: 'etcdserver: not leader',
  NoLeader: 'etcdserver: no leader',
  Unavailable: 'etcdserver: request timed out',
  LeaderChanged: 'etcdserver: leader changed',
  Compacted: 'mvcc: required revision has been compacted',
  FutureRevision: 'mvcc: required revision is a future revision',
  LeaseNotFound: 'etcdserver: requested lease not found',
  DuplicateKey: 'etcdserver: duplicate key given in txn request',
  MemberNotFound: 'etcdserver: member not found',
  MemberExists: 'etcdserver: member ID already exist',
  NotLearner: 'etcdserver: can only promote a learner member',
  LearnerNotReady: 'etcdserver: can only promote a learner member which is in sync with leader',
  Unhealthy: 'etcdserver: unhealthy cluster',
  Stopped: 'etcdserver: server stopped',
} as const;

export type EtcdErrorCode = keyof typeof ETCD_ERRORS;

export interface EtcdError {
  code: EtcdErrorCode;
  message: string;
  /** The member this one believes is leader, so a client can go there directly. */
  leaderHint?: string;
}

/** client → member */
export interface KvRequestMessage {
  type: 'etcd.request';
  requestId: string;
  request: KvRequest;
}

/** member → client. `result`'s shape follows the request op. */
export type KvResponseMessage =
  | { type: 'etcd.response'; requestId: string; ok: true; result: unknown }
  | { type: 'etcd.response'; requestId: string; ok: false; error: EtcdError };

/** One request inside an `etcd.requestBatch`. */
export interface BatchedKvRequest {
  requestId: string;
  request: KvRequest;
}

/**
 * client → member: several requests in one message, as a real etcd client pipelines many RPCs on one
 * gRPC stream. Each request is handled exactly as its own `etcd.request` would be (same routing, same
 * duplicate detection, same guarantees); requests of one batch are concurrent: no order among them is
 * promised. Their answers come back in `etcd.responseBatch` messages.
 */
export interface KvRequestBatchMessage {
  type: 'etcd.requestBatch';
  requests: BatchedKvRequest[];
}

/** One answer inside an `etcd.responseBatch`: an `etcd.response` without its message type. */
export type BatchedKvResponse =
  | { requestId: string; ok: true; result: unknown }
  | { requestId: string; ok: false; error: EtcdError };

/**
 * member → client: the answers to batched requests that the member decided in one step (e.g. every write
 * of the batch that one Raft ready cycle committed). A batch's answers may be spread over several of these
 * messages, and one message may answer requests of several batches.
 */
export interface KvResponseBatchMessage {
  type: 'etcd.responseBatch';
  responses: BatchedKvResponse[];
}

export interface WatchCreateRequest {
  key: string;
  rangeEnd?: string;
  prefix?: boolean;
  /** 0 or absent: from the next revision. */
  startRevision?: number;
  prevKv?: boolean;
  progressNotify?: boolean;
}

/** client → member: open, cancel or ask progress of a watch stream kept by that member. */
export type WatchRequestMessage =
  | { type: 'etcd.watch.create'; watchId: string; request: WatchCreateRequest }
  | { type: 'etcd.watch.cancel'; watchId: string }
  | { type: 'etcd.watch.progress'; watchId: string };

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prevKv?: KeyValue;
}

/** member → client. One response never splits the events of one revision. */
export interface WatchResponseMessage {
  type: 'etcd.watch.response';
  watchId: string;
  /**
   * 0, 1, 2… per stream. A watch stream is a gRPC stream over TCP: it delivers in order or breaks. The bus
   * loses single messages, so the client treats a gap in `seq` as a broken stream and resumes elsewhere.
   */
  seq?: number;
  header: ResponseHeader;
  events: WatchEvent[];
  created?: boolean;
  canceled?: boolean;
  cancelReason?: string;
  compactRevision?: number;
  progressNotify?: boolean;
}
