import type {
  Command,
  Compare as MvccCompare,
  ErrorCode,
  RequestOp,
  Response,
  ResponseOp,
  TxnRequest as MvccTxnRequest,
} from '../../../src/etcd/mvcc/index.ts';
import {
  ETCD_ERRORS,
  type BatchedKvResponse,
  type Compare,
  type EtcdError,
  type EtcdErrorCode,
  type KvRequest,
  type ResponseHeader,
  type TxnOp,
  type TxnOpResult,
} from '../../../src/etcd/protocol.ts';

/**
 * The client protocol (src/etcd/protocol.ts) and the MVCC store's commands/responses
 * (src/etcd/mvcc) differ in naming; this is the one place that maps between them.
 */

export function toRequestOp(op: TxnOp): RequestOp {
  switch (op.op) {
    case 'range':
      return {
        type: 'range', key: op.key, rangeEnd: op.rangeEnd, prefix: op.prefix, limit: op.limit, revision: op.revision,
        countOnly: op.countOnly, keysOnly: op.keysOnly,
      };
    case 'put':
      return { type: 'put', key: op.key, value: op.value, lease: op.lease, prevKv: op.prevKv };
    case 'delete':
      return { type: 'deleteRange', key: op.key, rangeEnd: op.rangeEnd, prefix: op.prefix, prevKv: op.prevKv };
  }
}

function toCompare(c: Compare): MvccCompare {
  const base = { key: c.key, result: c.result };
  switch (c.target) {
    case 'VALUE':
      return { ...base, target: 'VALUE', value: String(c.operand) };
    case 'VERSION':
      return { ...base, target: 'VERSION', version: Number(c.operand) };
    case 'CREATE':
      return { ...base, target: 'CREATE', createRevision: Number(c.operand) };
    case 'MOD':
      return { ...base, target: 'MOD', modRevision: Number(c.operand) };
    case 'LEASE':
      return { ...base, target: 'LEASE', lease: Number(c.operand) };
  }
}

/** The replicated command for a write request (`leaseId` is chosen by the proposing member). */
export function toCommand(request: KvRequest, leaseId: () => number): Command | undefined {
  switch (request.op) {
    case 'put':
    case 'delete':
    case 'range':
      return toRequestOp(request);
    case 'txn': {
      const txn: MvccTxnRequest = {
        compare: request.compare.map(toCompare),
        success: request.success.map(toRequestOp),
        failure: request.failure.map(toRequestOp),
      };
      return { type: 'txn', ...txn };
    }
    case 'compact':
      return { type: 'compact', revision: request.revision };
    case 'leaseGrant':
      return { type: 'leaseGrant', id: request.id && request.id !== 0 ? request.id : leaseId(), ttl: request.ttlSeconds };
    case 'leaseRevoke':
      return { type: 'leaseRevoke', id: request.id };
    case 'leaseKeepAlive':
      return { type: 'leaseKeepAlive', id: request.id };
    default:
      return undefined;
  }
}

/** Rough encoded size of a command, for the append byte limit. */
export function commandSize(command: Command): number {
  switch (command.type) {
    case 'put':
      return 32 + command.key.length + command.value.length;
    case 'range':
    case 'deleteRange':
      return 32 + command.key.length + (command.rangeEnd?.length ?? 0);
    case 'txn':
      return 64 + [...command.success, ...command.failure].reduce((n, op) => n + commandSize(op), 0) + 48 * command.compare.length;
    default:
      return 32;
  }
}

const MVCC_TO_ETCD: Partial<Record<ErrorCode, EtcdErrorCode>> = {
  ErrCompacted: 'Compacted',
  ErrFutureRev: 'FutureRevision',
  ErrLeaseNotFound: 'LeaseNotFound',
  ErrDuplicateKey: 'DuplicateKey',
};

export function etcdError(code: EtcdErrorCode, leaderHint?: string | null): EtcdError {
  return leaderHint ? { code, message: ETCD_ERRORS[code], leaderHint } : { code, message: ETCD_ERRORS[code] };
}

/**
 * The protocol's error for a store error. Codes the protocol has no name for yet (ErrKeyNotFound,
 * ErrEmptyKey, ErrLeaseExist, …) keep etcd's exact message under the nearest protocol code.
 */
export function storeError(code: ErrorCode, message: string): EtcdError {
  const mapped = MVCC_TO_ETCD[code];
  return mapped ? etcdError(mapped) : { code: code.startsWith('ErrLease') ? 'LeaseNotFound' : 'Unavailable', message };
}

/** The protocol answer to request `requestId` for a store response: a result, or an error. */
export function toResult(requestId: string, response: Response, header: (revision: number) => ResponseHeader): BatchedKvResponse {
  if (response.type === 'error') return { requestId, ok: false, error: storeError(response.error.code, response.error.message) };
  const h = header(response.header.revision);
  switch (response.type) {
    case 'leaseGrant':
      return { requestId, ok: true, result: { header: h, id: response.id, ttlSeconds: response.ttl } };
    case 'leaseKeepAlive':
      return { requestId, ok: true, result: { header: h, id: response.id, ttlSeconds: response.ttl } };
    case 'leaseRevoke':
    case 'compact':
      return { requestId, ok: true, result: { header: h } };
    default:
      return { requestId, ok: true, result: opResult(response, h) };
  }
}

function opResult(response: ResponseOp, h: ResponseHeader): unknown {
  switch (response.type) {
    case 'range':
      return { header: h, kvs: response.kvs, count: response.count, more: response.more };
    case 'put':
      return response.prevKv ? { header: h, prevKv: response.prevKv } : { header: h };
    case 'deleteRange':
      return response.prevKvs ? { header: h, deleted: response.deleted, prevKvs: response.prevKvs } : { header: h, deleted: response.deleted };
    case 'txn':
      return { header: h, succeeded: response.succeeded, responses: response.responses.map((r) => txnOpResult(r, h)) };
  }
}

function txnOpResult(response: ResponseOp, h: ResponseHeader): TxnOpResult {
  switch (response.type) {
    case 'range':
      return { op: 'range', result: opResult(response, h) as Extract<TxnOpResult, { op: 'range' }>['result'] };
    case 'put':
      return { op: 'put', result: opResult(response, h) as Extract<TxnOpResult, { op: 'put' }>['result'] };
    case 'deleteRange':
      return { op: 'delete', result: opResult(response, h) as Extract<TxnOpResult, { op: 'delete' }>['result'] };
    case 'txn':
      // Unreachable from the client protocol, whose TxnOp has no nested txn.
      throw new Error('nested txn responses are not part of the client protocol');
  }
}
