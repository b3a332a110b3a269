// Input and output of the watch-guarantee checker. Structural on purpose: an etcd/mvcc
// WatchResponse or Commit is accepted as is, and so is anything else shaped like etcd's watch API
// (e.g. an apiserver watch translated to revisions).

/** etcd's six watch guarantees, plus Valid: every delivered event really happened as reported. */
export type WatchGuarantee = 'Ordered' | 'Unique' | 'Reliable' | 'Atomic' | 'Resumable' | 'Bookmarkable' | 'Valid';

export interface CheckedKv {
  key: string;
  modRevision: number;
  value?: string;
  createRevision?: number;
  version?: number;
  lease?: number;
}

export interface CheckedEvent {
  type: 'PUT' | 'DELETE';
  kv: CheckedKv;
  prevKv?: CheckedKv;
}

/** Ground truth: one store revision and everything it changed, in sub-revision order. */
export interface CommittedRevision {
  revision: number;
  events: readonly CheckedEvent[];
}

export interface CheckedWatchRequest {
  key: string;
  rangeEnd?: string;
  prefix?: boolean;
  /** 0/absent = "from now": the start is then taken from the created response (header + 1). */
  startRevision?: number;
  prevKv?: boolean;
  filters?: readonly ('NOPUT' | 'NODELETE')[];
}

export interface CheckedWatchResponse {
  header: { revision: number };
  events: readonly CheckedEvent[];
  created?: boolean;
  canceled?: boolean;
  compactRevision?: number;
  progressNotify?: boolean;
}

/** One watch request and the responses it got, in arrival order. */
export interface WatchSession {
  request: CheckedWatchRequest;
  responses: readonly CheckedWatchResponse[];
}

/**
 * One logical watcher. A reconnect is a new session that should resume from the last delivered
 * revision + 1; every session watches the same keys.
 */
export interface WatcherTrace {
  watcher: string;
  sessions: readonly WatchSession[];
}

export interface WatchCheckInput {
  /** Every committed revision, ascending (revisions without events may be omitted). */
  history: readonly CommittedRevision[];
  watchers: readonly WatcherTrace[];
  /**
   * Set when the trace is quiescent: all responses up to this revision were delivered, so each
   * watcher's final session (unless canceled) must hold every matching event through it.
   */
  drainedThrough?: number;
}

export interface WatchViolation {
  guarantee: WatchGuarantee;
  watcher: string;
  message: string;
  detail: {
    session: number;
    response?: number;
    revision?: number;
    key?: string;
    revisions?: number[];
    expected?: unknown;
    actual?: unknown;
  };
}
