// etcd's MVCC key-value store as a pure, deterministic replicated state machine.
// Every member applies the same committed commands in the same order and ends in the same state
// (same hash()). No clock, no randomness, no I/O.
import { compareHolds } from './compare.ts';
import { ApplyError, errorResponse } from './errors.ts';
import { Fnv64 } from './hash.ts';
import { KeyIndex, isTombstone, tombstoneKv } from './key-index.ts';
import type { KeyHistory } from './key-index.ts';
import { toSpan } from './keyspan.ts';
import { LeaseTable } from './leases.ts';
import { DEFAULT_MAX_TXN_OPS, checkPutRequest, checkRequestOp, checkTxnRequest } from './txn-check.ts';
import type {
  Command,
  Commit,
  CompactRequest,
  CompactResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  ErrorResponse,
  Event,
  KeySelector,
  KeyValue,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseInfo,
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
  LeaseRevokeRequest,
  LeaseRevokeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseByType,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from './types.ts';

export interface MvccStoreOptions {
  /** etcd --max-txn-ops (default 128). */
  maxTxnOps?: number;
  /** Lower bound applied to granted TTLs (seconds); see DEFAULT_MIN_LEASE_TTL. */
  minLeaseTtl?: number;
  /**
   * TEST-ONLY planted bug, used to prove the property tests catch it. Never set in production.
   * 'no-version-reset': re-creating a deleted key continues its old version instead of restarting at 1.
   */
  plant?: 'no-version-reset';
}

/**
 * JSON-safe image of the replicated state (the analogue of etcd's backend db snapshot). Deeply frozen:
 * the changes are the store's own immutable rows, shared rather than copied, so taking an image costs one
 * array copy of references (no per-change allocation), and later writes never show in it.
 */
export interface SerializedState {
  readonly format: 'kubesim.mvcc/v2';
  readonly revision: number;
  readonly compactRevision: number;
  /**
   * Every retained change in (main, sub) revision order, each as its KeyValue: main is its modRevision,
   * sub its position among the retained changes of that revision, and a tombstone (a delete) has version 0.
   */
  readonly changes: readonly KeyValue[];
  readonly leases: readonly LeaseInfo[];
}

/** The previous image format (one record per change); restore() still reads it. */
export interface SerializedStateV1 {
  readonly format: 'kubesim.mvcc/v1';
  readonly revision: number;
  readonly compactRevision: number;
  readonly changes: ReadonlyArray<Readonly<{ main: number; sub: number; tombstone: boolean; kv: KeyValue }>>;
  readonly leases: readonly LeaseInfo[];
}

export type CommitListener = (commit: Commit) => void;

/** Changes of one in-flight write, all stamped with the same main revision. */
class WriteBatch {
  /** Changes recorded so far (the next one's sub revision). */
  count = 0;
  /** The commit's events, collected only when someone listens to commits. */
  readonly events: Event[] | undefined;
  constructor(
    readonly main: number,
    collectEvents: boolean,
  ) {
    this.events = collectEvents ? [] : undefined;
  }
}

/** Which branch each txn (and each nested txn on the chosen path) takes, decided before any write. */
interface TxnPath {
  succeeded: boolean;
  /** One entry per nested txn op of the chosen branch, in op order. */
  nested: TxnPath[];
}

function freezeKv(kv: KeyValue): KeyValue {
  return Object.freeze(kv);
}

/** Feeds one retained change, the `sub`-th of its revision, to a digest (the per-change part of hash()). */
function hashChange(h: Fnv64, kv: KeyValue, sub: number): void {
  h.field(kv.modRevision).field(sub).field(isTombstone(kv)).field(kv.key).field(kv.value);
  h.field(kv.createRevision).field(kv.version).field(kv.lease);
}

/** Sub-responses of a txn report the txn's resulting revision. */
function stampHeaders(responses: ResponseOp[], revision: number): void {
  for (const r of responses) {
    r.header.revision = revision;
    if (r.type === 'txn') stampHeaders(r.responses, revision);
  }
}

export class MvccStore {
  private _revision = 1; // etcd: the empty store is at revision 1; the first write is revision 2
  private _compactRevision = 0;
  private readonly index = new KeyIndex();
  /**
   * The "backend": every retained change in (main, sub) order (a revision's changes are found by binary
   * search). Append-only between compactions; a snapshot image is a copy of its references.
   */
  private history: KeyValue[] = [];
  /** Bumped by every command that changed the state (revision, history or lease bookkeeping). */
  private mutations = 0;
  /**
   * hash() over the history is incremental: the digest state after history[0 .. hashed - 1], whose last
   * change was the `sub`-th of revision `main`.
   */
  private historyDigest: { hashed: number; fnv: Fnv64; main: number; sub: number } | undefined;
  private hashCache: { mutations: number; digest: string } | undefined;
  private snapshotCache: { mutations: number; image: SerializedState } | undefined;
  private leaseTable: LeaseTable;
  private readonly listeners = new Set<CommitListener>();
  private readonly maxTxnOps: number;

  constructor(private readonly options: MvccStoreOptions = {}) {
    this.maxTxnOps = options.maxTxnOps ?? DEFAULT_MAX_TXN_OPS;
    this.leaseTable = new LeaseTable(options.minLeaseTtl);
  }

  get revision(): number {
    return this._revision;
  }

  /** Reads at revisions below this fail with ErrCompacted; 0 = never compacted. */
  get compactRevision(): number {
    return this._compactRevision;
  }

  // ---- applying commands -------------------------------------------------------------------

  /** Applies one committed Raft entry. Errors are returned, never thrown, and change nothing. */
  apply<C extends Command>(cmd: C): ResponseByType[C['type']] | ErrorResponse;
  apply(cmd: Command): ResponseByType[Command['type']] | ErrorResponse {
    switch (cmd.type) {
      case 'range':
        return this.range(cmd);
      case 'put':
        return this.put(cmd);
      case 'deleteRange':
        return this.deleteRange(cmd);
      case 'txn':
        return this.txn(cmd);
      case 'compact':
        return this.compact(cmd);
      case 'leaseGrant':
        return this.leaseGrant(cmd);
      case 'leaseRevoke':
        return this.leaseRevoke(cmd);
      case 'leaseKeepAlive':
        return this.leaseKeepAlive(cmd);
      default:
        // Unreachable for typed callers; a corrupt log entry must not be silently ignored.
        throw new Error(`unknown command type ${String((cmd as { type?: unknown }).type)}`);
    }
  }

  range(req: RangeRequest): RangeResponse | ErrorResponse {
    return this.guard(() => {
      checkRequestOp({ type: 'range', ...req }, this.maxTxnOps);
      this.checkReadRevision(req);
      return this.rangeAt(req, this._revision, this._revision);
    });
  }

  put(req: PutRequest): PutResponse | ErrorResponse {
    // The hot path (every Raft entry of a write-heavy load): no closures, one batch.
    try {
      checkPutRequest(req);
      this.checkPut(req, true);
    } catch (e) {
      return this.failed(e);
    }
    const batch = new WriteBatch(this._revision + 1, this.listeners.size > 0);
    return this.commitBatch(batch, this.putIn(batch, req));
  }

  deleteRange(req: DeleteRangeRequest): DeleteRangeResponse | ErrorResponse {
    return this.guard(() => {
      checkRequestOp({ type: 'deleteRange', ...req }, this.maxTxnOps);
      return this.write((b) => this.deleteIn(b, req));
    });
  }

  /**
   * Atomic mini-transaction. Every compare (nested ones too) is evaluated against the state before
   * the txn, then the chosen ops are validated, then executed; all writes share one revision.
   */
  txn(req: TxnRequest): TxnResponse | ErrorResponse {
    return this.guard(() => {
      checkTxnRequest(req, this.maxTxnOps);
      const path = this.comparePath(req);
      this.checkTxnOps(req, path);
      const resp = this.write((b) => this.txnIn(b, req, path));
      stampHeaders(resp.responses, resp.header.revision);
      return resp;
    });
  }

  compact(req: CompactRequest): CompactResponse | ErrorResponse {
    return this.guard(() => {
      if (req.revision <= this._compactRevision) throw new ApplyError('ErrCompacted');
      if (req.revision > this._revision) throw new ApplyError('ErrFutureRev');
      const dropped = new Set(this.index.compact(req.revision));
      if (dropped.size > 0) {
        this.history = this.history.filter((r) => !dropped.has(r));
        this.historyDigest = undefined; // the digest runs over history from its start: recompute
      }
      this._compactRevision = req.revision;
      this.mutations++;
      return { type: 'compact', header: { revision: this._revision } };
    });
  }

  leaseGrant(req: LeaseGrantRequest): LeaseGrantResponse | ErrorResponse {
    return this.guard(() => {
      const info = this.leaseTable.grant(req.id, req.ttl, this._revision);
      this.mutations++;
      return { type: 'leaseGrant', header: { revision: this._revision }, id: info.id, ttl: info.ttl };
    });
  }

  /** Deletes every attached key in one revision (none if no keys), then forgets the lease. */
  leaseRevoke(req: LeaseRevokeRequest): LeaseRevokeResponse | ErrorResponse {
    return this.guard(() => {
      const keys = this.leaseTable.revoke(req.id);
      this.mutations++;
      return this.write((b) => {
        for (const key of keys) this.deleteIn(b, { key });
        return { type: 'leaseRevoke' as const, header: { revision: 0 } };
      });
    });
  }

  leaseKeepAlive(req: LeaseKeepAliveRequest): LeaseKeepAliveResponse | ErrorResponse {
    return this.guard(() => {
      const info = this.leaseTable.keepAlive(req.id, this._revision);
      this.mutations++;
      return { type: 'leaseKeepAlive', header: { revision: this._revision }, id: info.id, ttl: info.ttl };
    });
  }

  // ---- queries (not replicated commands) ---------------------------------------------------

  /** Every lease, by id. The Raft leader uses this plus its own clock to decide expiry. */
  leases(): LeaseInfo[] {
    return this.leaseTable.list();
  }

  leaseKeys(id: number): string[] {
    return this.leaseTable.keys(id);
  }

  /**
   * What revision `rev` changed, reconstructed from the retained log (watch catch-up), limited to
   * keys accepted by `match`. Complete for compactRevision <= rev <= revision. With `withPrevKv`,
   * prevKv is read at rev-1 when that is still readable and omitted otherwise, as etcd's watch
   * server does.
   */
  commitAt(rev: number, match: (key: string) => boolean = () => true, withPrevKv = true): Commit | undefined {
    const history = this.history;
    let i = this.firstAtOrAfter(rev);
    if (i >= history.length || history[i].modRevision !== rev) return undefined;
    const readPrev = withPrevKv && rev - 1 >= this._compactRevision;
    const events: Event[] = [];
    for (; i < history.length && history[i].modRevision === rev; i++) {
      const kv = history[i];
      if (!match(kv.key)) continue;
      const prevKv = readPrev ? this.index.get(kv.key)!.at(rev - 1) : undefined;
      const type = isTombstone(kv) ? 'DELETE' : 'PUT';
      events.push(Object.freeze(prevKv ? { type, kv, prevKv } : { type, kv }));
    }
    return { revision: rev, events };
  }

  /** Registers a listener called synchronously with every new revision's events. */
  subscribe(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- consistency and snapshots -----------------------------------------------------------

  /**
   * Digest of the whole replicated state (retained history, revisions, leases), like HashKV. Incremental:
   * the history part continues from the digest of the previous call (history only grows at its end;
   * compaction, which drops from its start, restarts it), and the result is cached until the next change.
   */
  hash(): string {
    if (this.hashCache?.mutations === this.mutations) return this.hashCache.digest;
    const state = (this.historyDigest ??= { hashed: 0, fnv: new Fnv64(), main: 0, sub: 0 });
    const history = this.history;
    for (let i = state.hashed; i < history.length; i++) {
      const kv = history[i];
      state.sub = kv.modRevision === state.main ? state.sub + 1 : 0;
      state.main = kv.modRevision;
      hashChange(state.fnv, kv, state.sub);
    }
    state.hashed = history.length;
    const h = state.fnv.clone().field(this._revision).field(this._compactRevision);
    for (const l of this.leaseTable.list()) {
      h.field(l.id).field(l.ttl).field(l.grantedRevision).field(l.renewedRevision).field(l.keepAlives);
    }
    const digest = h.digest();
    this.hashCache = { mutations: this.mutations, digest };
    return digest;
  }

  /**
   * An immutable image of the state. The change records are shared (they are frozen), so the cost is one
   * copy of the history's references; repeated calls without a change in between return the same image.
   */
  snapshot(): SerializedState {
    if (this.snapshotCache?.mutations === this.mutations) return this.snapshotCache.image;
    const image: SerializedState = Object.freeze({
      format: 'kubesim.mvcc/v2' as const,
      revision: this._revision,
      compactRevision: this._compactRevision,
      changes: Object.freeze(this.history.slice()),
      leases: Object.freeze(this.leaseTable.list().map((l) => Object.freeze(l))),
    });
    this.snapshotCache = { mutations: this.mutations, image };
    return image;
  }

  /** Rebuilds a store from snapshot(); the key index and lease attachments are re-derived. */
  static restore(state: SerializedState | SerializedStateV1, options: MvccStoreOptions = {}): MvccStore {
    let changes: readonly KeyValue[];
    if (state.format === 'kubesim.mvcc/v2') changes = state.changes;
    else if (state.format === 'kubesim.mvcc/v1') changes = state.changes.map((c) => c.kv);
    else throw new Error(`unknown snapshot format ${String((state as { format?: unknown }).format)}`);
    const s = new MvccStore(options);
    s._revision = state.revision;
    s._compactRevision = state.compactRevision;
    for (const c of changes) {
      // Our own images hold frozen rows, shared as they are; anything else (e.g. parsed JSON) is copied.
      const kv = Object.isFrozen(c) ? c : freezeKv({ ...c });
      s.index.append(kv);
      s.history.push(kv);
    }
    s.leaseTable = LeaseTable.fromInfos(state.leases, options.minLeaseTtl);
    s.index.forEachLive({ kind: 'range', start: '', end: undefined }, s._revision, (kv) => {
      if (kv.lease !== 0) s.leaseTable.attach(kv.lease, kv.key);
    });
    return s;
  }

  // ---- internals ---------------------------------------------------------------------------

  private guard<R>(fn: () => R): R | ErrorResponse {
    try {
      return fn();
    } catch (e) {
      return this.failed(e);
    }
  }

  /** A validation error becomes an error response (nothing changed); anything else is a bug: rethrown. */
  private failed(e: unknown): ErrorResponse {
    if (e instanceof ApplyError) return errorResponse(e.code, this._revision);
    throw e;
  }

  private checkReadRevision(req: RangeRequest): void {
    const rev = req.revision ?? 0;
    if (rev > this._revision) throw new ApplyError('ErrFutureRev');
    if (rev > 0 && rev < this._compactRevision) throw new ApplyError('ErrCompacted');
  }

  /** etcd's checkPut; standalone puts check the lease first, txn puts the key first (as etcd). */
  private checkPut(req: PutRequest, leaseFirst: boolean): void {
    const leaseOk = req.ignoreLease || (req.lease ?? 0) === 0 || this.leaseTable.has(req.lease!);
    if (leaseFirst && !leaseOk) throw new ApplyError('ErrLeaseNotFound');
    if ((req.ignoreValue || req.ignoreLease) && !this.liveKv(req.key)) throw new ApplyError('ErrKeyNotFound');
    if (!leaseOk) throw new ApplyError('ErrLeaseNotFound');
  }

  private liveKv(key: string): KeyValue | undefined {
    const latest = this.index.get(key)?.latest();
    return latest && !isTombstone(latest) ? latest : undefined;
  }

  private selectLive(sel: KeySelector, atRev: number): KeyValue[] {
    const out: KeyValue[] = [];
    this.index.forEachLive(toSpan(sel), atRev, (kv) => out.push(kv));
    return out;
  }

  /** Runs fn against a batch at revision+1; commits (bumps revision, notifies) only if it wrote. */
  private write<R extends { header: { revision: number } }>(fn: (b: WriteBatch) => R): R {
    const batch = new WriteBatch(this._revision + 1, this.listeners.size > 0);
    return this.commitBatch(batch, fn(batch));
  }

  /** Ends a write: commits the batch (bumps the revision, notifies) only if it wrote anything. */
  private commitBatch<R extends { header: { revision: number } }>(batch: WriteBatch, resp: R): R {
    if (batch.count > 0) {
      this._revision = batch.main;
      this.mutations++;
      if (batch.events) {
        const commit: Commit = { revision: batch.main, events: batch.events };
        for (const l of this.listeners) l(commit);
      }
    }
    resp.header.revision = this._revision;
    return resp;
  }

  /** Index of the first retained change with main revision >= `main`. */
  private firstAtOrAfter(main: number): number {
    const history = this.history;
    let lo = 0;
    let hi = history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (history[mid].modRevision < main) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Records one change of the batch (a put's new kv, or a tombstone); `history` is the key's (found by the
   * caller) or looked up here.
   */
  private record(b: WriteBatch, kv: KeyValue, prevKv: KeyValue | undefined, history?: KeyHistory): void {
    const frozen = freezeKv(kv);
    b.count++;
    if (history) history.push(frozen);
    else this.index.append(frozen);
    this.history.push(frozen);
    if (b.events) {
      const type = isTombstone(frozen) ? 'DELETE' : 'PUT';
      b.events.push(Object.freeze(prevKv ? { type, kv: frozen, prevKv } : { type, kv: frozen }));
    }
  }

  private putIn(b: WriteBatch, req: PutRequest): PutResponse {
    const history = this.index.getOrCreate(req.key);
    const latest = history.latest();
    const prev = latest && !isTombstone(latest) ? latest : undefined;
    const value = req.ignoreValue ? prev!.value : req.value;
    const lease = req.ignoreLease ? prev!.lease : (req.lease ?? 0);
    // A live key continues its generation; a missing or deleted one starts a new generation.
    let base = prev;
    // PLANT(no-version-reset): deliberately wrong — a re-created key inherits its old version.
    if (!base && this.options.plant === 'no-version-reset') base = this.lastPutBefore(req.key);
    this.record(
      b,
      {
        key: req.key,
        value,
        createRevision: prev ? prev.createRevision : b.main,
        modRevision: b.main,
        version: base ? base.version + 1 : 1,
        lease,
      },
      prev,
      history,
    );
    if (prev && prev.lease !== lease) this.leaseTable.detach(prev.lease, req.key);
    if (lease !== 0) this.leaseTable.attach(lease, req.key);
    return req.prevKv && prev ? { type: 'put', header: { revision: 0 }, prevKv: prev } : { type: 'put', header: { revision: 0 } };
  }

  /** PLANT(no-version-reset) helper: the newest non-tombstone version of a key. */
  private lastPutBefore(key: string): KeyValue | undefined {
    const revs = this.index.get(key)?.revs ?? [];
    for (let i = revs.length - 1; i >= 0; i--) if (!isTombstone(revs[i])) return revs[i];
    return undefined;
  }

  private deleteIn(b: WriteBatch, req: DeleteRangeRequest): DeleteRangeResponse {
    // Read at b.main so keys already deleted earlier in this txn are not deleted twice.
    const victims = this.selectLive(req, b.main);
    for (const kv of victims) {
      this.record(b, tombstoneKv(kv.key, b.main), kv);
      if (kv.lease !== 0) this.leaseTable.detach(kv.lease, kv.key);
    }
    return {
      type: 'deleteRange',
      header: { revision: 0 },
      deleted: victims.length,
      ...(req.prevKv ? { prevKvs: victims } : {}),
    };
  }

  /** Read at `atRev` (the caller's view), honouring an explicit historical revision. */
  private rangeAt(req: RangeRequest, atRev: number, headerRev: number): RangeResponse {
    const rev = req.revision && req.revision > 0 ? req.revision : atRev;
    const limit = req.limit && req.limit > 0 ? req.limit : Infinity;
    const kvs: KeyValue[] = [];
    let count = 0;
    this.index.forEachLive(toSpan(req), rev, (kv) => {
      count++;
      if (req.countOnly || kvs.length >= limit) return;
      kvs.push(req.keysOnly ? { ...kv, value: '' } : kv);
    });
    return { type: 'range', header: { revision: headerRev }, kvs, more: kvs.length < count && !req.countOnly, count };
  }

  private comparePath(req: TxnRequest): TxnPath {
    const succeeded = req.compare.every((c) => compareHolds(c, this.selectLive(c, this._revision)));
    const ops = succeeded ? req.success : req.failure;
    const nested = ops.filter((op) => op.type === 'txn').map((op) => this.comparePath(op));
    return { succeeded, nested };
  }

  /** etcd's checkRequests over the chosen path: puts (keys, leases) and range revisions. */
  private checkTxnOps(req: TxnRequest, path: TxnPath): void {
    let n = 0;
    for (const op of path.succeeded ? req.success : req.failure) {
      if (op.type === 'put') this.checkPut(op, false);
      else if (op.type === 'range') this.checkReadRevision(op);
      else if (op.type === 'txn') this.checkTxnOps(op, path.nested[n++]);
    }
  }

  private txnIn(b: WriteBatch, req: TxnRequest, path: TxnPath): TxnResponse {
    let n = 0;
    const responses = (path.succeeded ? req.success : req.failure).map((op: RequestOp): ResponseOp => {
      switch (op.type) {
        case 'range':
          // Reads inside a txn see the txn's earlier writes (they are already at b.main).
          return this.rangeAt(op, b.main, 0);
        case 'put':
          return this.putIn(b, op);
        case 'deleteRange':
          return this.deleteIn(b, op);
        case 'txn':
          return this.txnIn(b, op, path.nested[n++]);
      }
    });
    return { type: 'txn', header: { revision: 0 }, succeeded: path.succeeded, responses };
  }
}
