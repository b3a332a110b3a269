import type { DeleteResult, KeyValue, KvRequest, RangeResult, TxnResult } from '../../etcd/protocol.ts';
import { prefixEnd } from '../../etcd/mvcc/index.ts';
import { ApiError, requestTimedOut, timeoutError } from '../errors.ts';
import type { Status } from '../protocol.ts';
import type { Effect, EtcdOutcome as OpOutcome } from './effects.ts';

/**
 * The etcd3 storage layer's operations as flow steps, and how an etcd outcome becomes an API error:
 * a timed-out request is a 504, any other failure the 500 that an unrecognised storage error becomes
 * upstream (reason empty, etcd's message: `Error from server: etcdserver: request timed out`).
 */

export function storageError(message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: '', code: 500 };
}

export function outcomeStatus(outcome: Exclude<OpOutcome, { status: 'ok' }>): Status {
  if (outcome.status === 'unknown') {
    return outcome.reason === 'context deadline exceeded' ? requestTimedOut() : storageError(outcome.reason);
  }
  if (outcome.error.code === 'FutureRevision') {
    return timeoutError('Too large resource version', 1, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' }]);
  }
  return storageError(outcome.error.message);
}

function expectOk<T>(outcome: OpOutcome): T {
  if (outcome.status !== 'ok') throw new ApiError(outcomeStatus(outcome));
  return outcome.result as T;
}

export function* invoke(request: KvRequest): Generator<Effect, OpOutcome, unknown> {
  const outcomes = (yield { type: 'etcd', requests: [request] }) as OpOutcome[];
  return outcomes[0];
}

export function* readKey(key: string): Generator<Effect, KeyValue | undefined, unknown> {
  const result = expectOk<RangeResult>(yield* invoke({ op: 'range', key }));
  return result.kvs[0];
}

/**
 * Keys in [start, end of prefix) at `revision` (0 = latest), at most `limit` (0 = all). Outcome errors are
 * returned, not thrown (Compacted is a 410 to the caller).
 */
export function* readRange(prefix: string, start: string, revision: number, limit = 0): Generator<Effect, OpOutcome, unknown> {
  return yield* invoke({ op: 'range', key: start, rangeEnd: prefixEnd(prefix), ...(revision > 0 ? { revision } : {}), ...(limit > 0 ? { limit } : {}) });
}

export function rangeResult(outcome: OpOutcome): RangeResult {
  return expectOk<RangeResult>(outcome);
}

/** Create if absent (Txn: CREATE(key) == 0 → put). */
export function* createKey(key: string, value: string): Generator<Effect, { created: true; revision: number } | { created: false }, unknown> {
  const result = expectOk<TxnResult>(
    yield* invoke({ op: 'txn', compare: [{ key, target: 'CREATE', result: 'EQUAL', operand: 0 }], success: [{ op: 'put', key, value }], failure: [] }),
  );
  return result.succeeded ? { created: true, revision: result.header.revision } : { created: false };
}

/** Write if unchanged since `modRevision` (Txn: MOD(key) == rev → put), the optimistic-concurrency primitive. */
export function* updateKey(key: string, value: string, modRevision: number): Generator<Effect, number | undefined, unknown> {
  const result = expectOk<TxnResult>(
    yield* invoke({ op: 'txn', compare: [{ key, target: 'MOD', result: 'EQUAL', operand: modRevision }], success: [{ op: 'put', key, value }], failure: [] }),
  );
  return result.succeeded ? result.header.revision : undefined;
}

/** Delete if unchanged since `modRevision`. */
export function* deleteKey(key: string, modRevision: number): Generator<Effect, number | undefined, unknown> {
  const result = expectOk<TxnResult>(
    yield* invoke({ op: 'txn', compare: [{ key, target: 'MOD', result: 'EQUAL', operand: modRevision }], success: [{ op: 'delete', key }], failure: [] }),
  );
  if (!result.succeeded) return undefined;
  const deleted = result.responses[0]?.result as DeleteResult | undefined;
  return deleted && deleted.deleted === 0 ? undefined : result.header.revision;
}

/**
 * etcd's current revision by a linearizable read of one key (upstream's GetCurrentResourceVersionFromStorage
 * lists the resource prefix itself, which is no object's key, with limit 1): cheap whatever the resource's size.
 */
export function* currentRevision(resourcePrefix: string): Generator<Effect, number, unknown> {
  const result = expectOk<RangeResult>(yield* invoke({ op: 'range', key: resourcePrefix, limit: 1 }));
  return result.header.revision;
}

export function* waitForCache(prefix: string, minRevision: number): Generator<Effect, boolean, unknown> {
  return (yield { type: 'cache', prefix, minRevision }) as boolean;
}
