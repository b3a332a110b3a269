// etcd's error strings, verbatim, so clients built against real etcd behaviour match on them.
import type { ErrorCode, ErrorResponse, Response } from './types.ts';

export const ERROR_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  ErrCompacted: 'mvcc: required revision has been compacted',
  ErrFutureRev: 'mvcc: required revision is a future revision',
  ErrLeaseNotFound: 'etcdserver: requested lease not found',
  ErrLeaseExist: 'etcdserver: lease already exists',
  ErrLeaseTTLTooLarge: 'etcdserver: too large lease TTL',
  ErrKeyNotFound: 'etcdserver: key not found',
  ErrDuplicateKey: 'etcdserver: duplicate key given in txn request',
  ErrEmptyKey: 'etcdserver: key is not provided',
  ErrTooManyOps: 'etcdserver: too many operations in txn request',
  ErrValueProvided: 'etcdserver: value is provided',
  ErrLeaseProvided: 'etcdserver: lease is provided',
};

/** Watch-side strings (mvcc package). */
export const WATCH_COMPACTED_REASON = ERROR_MESSAGES.ErrCompacted;
export const WATCH_DUPLICATE_ID_REASON = 'mvcc: duplicate watch ID provided on the WatchStream';

export function errorResponse(code: ErrorCode, revision: number): ErrorResponse {
  return { type: 'error', header: { revision }, error: { code, message: ERROR_MESSAGES[code] } };
}

export function isErrorResponse(r: Response | { type: string }): r is ErrorResponse {
  return r.type === 'error';
}

/** Internal: thrown while validating a command, turned into an ErrorResponse by apply(). */
export class ApplyError extends Error {
  constructor(readonly code: ErrorCode) {
    super(ERROR_MESSAGES[code]);
  }
}
