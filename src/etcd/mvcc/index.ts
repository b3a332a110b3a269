// Public surface of the MVCC state machine.
export * from './types.ts';
export { ERROR_MESSAGES, WATCH_COMPACTED_REASON, WATCH_DUPLICATE_ID_REASON, errorResponse, isErrorResponse } from './errors.ts';
export { MvccStore } from './store.ts';
export type { CommitListener, MvccStoreOptions, SerializedState, SerializedStateV1 } from './store.ts';
export { WatchHub, INVALID_WATCH_ID } from './watch.ts';
export type { WatchFilter, WatchHubOptions, WatchRequest, WatchResponse } from './watch.ts';
export { LeaseExpiry } from './lease-expiry.ts';
export { DEFAULT_MIN_LEASE_TTL, MAX_LEASE_TTL } from './leases.ts';
export { DEFAULT_MAX_TXN_OPS } from './txn-check.ts';
export { prefixEnd, spanContains, toSpan } from './keyspan.ts';
export type { KeySpan } from './keyspan.ts';
