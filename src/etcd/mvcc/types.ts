// Wire types of the MVCC state machine, shaped after etcd's v3 protobufs (etcdserverpb, mvccpb).
// Everything here is plain JSON-safe data: commands travel in Raft log entries, responses travel
// back to clients over the simulated network.

/** One version of one key (mvccpb.KeyValue). Keys and values are strings; order is code-unit order. */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the put that created the current generation of the key. */
  createRevision: number;
  /** Revision of the last modification (the revision of this version). */
  modRevision: number;
  /** Number of puts in the current generation: 1 on create, reset to 1 after delete + re-create. */
  version: number;
  /** Attached lease id; 0 = none. */
  lease: number;
}

export interface ResponseHeader {
  /** Store revision when the response was produced (after the write, for writes). */
  revision: number;
}

/**
 * A key selection shared by range, delete, compare and watch.
 * - no rangeEnd, no prefix: the single key `key`
 * - rangeEnd: the half-open interval [key, rangeEnd); rangeEnd "\0" means every key >= key
 * - prefix: every key starting with `key` (prefix "" = every key); takes precedence over rangeEnd
 */
export interface KeySelector {
  key: string;
  rangeEnd?: string;
  prefix?: boolean;
}

export interface RangeRequest extends KeySelector {
  /** Maximum number of kvs returned; 0/absent = no limit. `count` still reports the total. */
  limit?: number;
  /** Read at this revision; 0/absent = current. Must be >= compactRevision and <= revision. */
  revision?: number;
  countOnly?: boolean;
  keysOnly?: boolean;
}

export interface PutRequest {
  key: string;
  value: string;
  /** Lease to attach; 0/absent = none (detaches any previous lease). */
  lease?: number;
  prevKv?: boolean;
  /** Keep the current value (key must exist; `value` must be empty). */
  ignoreValue?: boolean;
  /** Keep the current lease (key must exist; `lease` must be 0). */
  ignoreLease?: boolean;
}

export interface DeleteRangeRequest extends KeySelector {
  prevKv?: boolean;
}

export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';

/** A txn guard; over a range it holds only if it holds for every key in the range. */
export type Compare = KeySelector & { result: CompareResult } & (
    | { target: 'VALUE'; value: string }
    | { target: 'VERSION'; version: number }
    | { target: 'CREATE'; createRevision: number }
    | { target: 'MOD'; modRevision: number }
    | { target: 'LEASE'; lease: number }
  );

export type CompareTarget = Compare['target'];

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface CompactRequest {
  revision: number;
}

export interface LeaseGrantRequest {
  /** Nonzero lease id, chosen by the proposing member before the entry enters the log (as etcd). */
  id: number;
  /** Time to live in seconds. */
  ttl: number;
}

export interface LeaseRevokeRequest {
  id: number;
}

export interface LeaseKeepAliveRequest {
  id: number;
}

/** An operation inside a txn (etcdserverpb.RequestOp). */
export type RequestOp =
  | ({ type: 'range' } & RangeRequest)
  | ({ type: 'put' } & PutRequest)
  | ({ type: 'deleteRange' } & DeleteRangeRequest)
  | ({ type: 'txn' } & TxnRequest);

/** What a Raft log entry carries: every request the state machine applies. */
export type Command =
  | RequestOp
  | ({ type: 'compact' } & CompactRequest)
  | ({ type: 'leaseGrant' } & LeaseGrantRequest)
  | ({ type: 'leaseRevoke' } & LeaseRevokeRequest)
  | ({ type: 'leaseKeepAlive' } & LeaseKeepAliveRequest);

export type CommandType = Command['type'];

export interface RangeResponse {
  type: 'range';
  header: ResponseHeader;
  kvs: KeyValue[];
  /** True when `limit` cut the result short. */
  more: boolean;
  /** Number of keys in the range at the read revision (ignores limit). */
  count: number;
}

export interface PutResponse {
  type: 'put';
  header: ResponseHeader;
  prevKv?: KeyValue;
}

export interface DeleteRangeResponse {
  type: 'deleteRange';
  header: ResponseHeader;
  deleted: number;
  prevKvs?: KeyValue[];
}

export interface TxnResponse {
  type: 'txn';
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export type ResponseOp = RangeResponse | PutResponse | DeleteRangeResponse | TxnResponse;

export interface CompactResponse {
  type: 'compact';
  header: ResponseHeader;
}

export interface LeaseGrantResponse {
  type: 'leaseGrant';
  header: ResponseHeader;
  id: number;
  ttl: number;
}

export interface LeaseRevokeResponse {
  type: 'leaseRevoke';
  header: ResponseHeader;
}

export interface LeaseKeepAliveResponse {
  type: 'leaseKeepAlive';
  header: ResponseHeader;
  id: number;
  /** The lease's granted TTL (a keep-alive renews it to the full TTL). */
  ttl: number;
}

export type ErrorCode =
  | 'ErrCompacted'
  | 'ErrFutureRev'
  | 'ErrLeaseNotFound'
  | 'ErrLeaseExist'
  | 'ErrLeaseTTLTooLarge'
  | 'ErrKeyNotFound'
  | 'ErrDuplicateKey'
  | 'ErrEmptyKey'
  | 'ErrTooManyOps'
  | 'ErrValueProvided'
  | 'ErrLeaseProvided';

/** A deterministic failure: the command changed nothing. */
export interface ErrorResponse {
  type: 'error';
  header: ResponseHeader;
  error: { code: ErrorCode; message: string };
}

export interface ResponseByType {
  range: RangeResponse;
  put: PutResponse;
  deleteRange: DeleteRangeResponse;
  txn: TxnResponse;
  compact: CompactResponse;
  leaseGrant: LeaseGrantResponse;
  leaseRevoke: LeaseRevokeResponse;
  leaseKeepAlive: LeaseKeepAliveResponse;
}

export type Response = ResponseByType[CommandType] | ErrorResponse;

export type EventType = 'PUT' | 'DELETE';

/**
 * A change (mvccpb.Event). For DELETE, `kv` is the tombstone: key and modRevision set, the rest
 * zero/empty, exactly as etcd reports it.
 */
export interface Event {
  type: EventType;
  kv: KeyValue;
  prevKv?: KeyValue;
}

/** Everything one revision changed, in sub-revision order. Emitted once per revision bump. */
export interface Commit {
  revision: number;
  events: Event[];
}

/** Replicated per-lease bookkeeping. Expiry is not decided here: the store has no clock. */
export interface LeaseInfo {
  id: number;
  /** Granted TTL in seconds. */
  ttl: number;
  /** Store revision current when the grant was applied (grants do not bump the revision). */
  grantedRevision: number;
  /** Store revision current when the last keep-alive (or the grant) was applied. */
  renewedRevision: number;
  /** Keep-alives applied since the grant. */
  keepAlives: number;
}
