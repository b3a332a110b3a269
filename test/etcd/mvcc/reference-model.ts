// A deliberately naive model of etcd's KV semantics for differential testing: it keeps a full copy
// of the key space for every revision and shares no code with the store beyond types and error
// strings. Slow and obviously right is the point.
import { ERROR_MESSAGES } from '../../../src/etcd/mvcc/index.ts';
import type {
  Command,
  Compare,
  DeleteRangeRequest,
  ErrorCode,
  KeySelector,
  KeyValue,
  LeaseInfo,
  PutRequest,
  RangeRequest,
  RangeResponse,
  RequestOp,
  Response,
  ResponseOp,
  TxnRequest,
} from '../../../src/etcd/mvcc/index.ts';

type Keyspace = Map<string, KeyValue>;

class RefError extends Error {
  constructor(readonly code: ErrorCode) {
    super(code);
  }
}

const MAX_OPS = 128;
const MIN_TTL = 2;
const MAX_TTL = 9_000_000_000;

function selects(sel: KeySelector, key: string): boolean {
  if (sel.prefix) return key.startsWith(sel.key);
  if (!sel.rangeEnd) return key === sel.key;
  if (sel.rangeEnd === '\0') return key >= sel.key;
  return key >= sel.key && key < sel.rangeEnd;
}

function sortedSelection(space: Keyspace, sel: KeySelector): KeyValue[] {
  return [...space.values()].filter((kv) => selects(sel, kv.key)).sort((a, b) => (a.key < b.key ? -1 : 1));
}

function requireKey(sel: KeySelector): void {
  if (sel.key === '' && !sel.prefix) throw new RefError('ErrEmptyKey');
}

function compareOne(c: Compare, kv: KeyValue | undefined): boolean {
  if (!kv && c.target === 'VALUE') return false;
  const actual = kv ?? { value: '', version: 0, createRevision: 0, modRevision: 0, lease: 0 };
  const [a, b]: [string | number, string | number] =
    c.target === 'VALUE'
      ? [actual.value, c.value]
      : c.target === 'VERSION'
        ? [actual.version, c.version]
        : c.target === 'CREATE'
          ? [actual.createRevision, c.createRevision]
          : c.target === 'MOD'
            ? [actual.modRevision, c.modRevision]
            : [actual.lease, c.lease];
  if (c.result === 'EQUAL') return a === b;
  if (c.result === 'NOT_EQUAL') return a !== b;
  if (c.result === 'GREATER') return a > b;
  return a < b;
}

/** Writes of a branch tagged with the nested-txn branches they sit in, e.g. ["1t", "0f"]. */
interface TaggedWrite {
  put?: string;
  del?: KeySelector;
  path: string[];
}

function taggedWrites(ops: RequestOp[], path: string[]): TaggedWrite[] {
  return ops.flatMap((op, i): TaggedWrite[] => {
    if (op.type === 'put') return [{ put: op.key, path }];
    if (op.type === 'deleteRange') return [{ del: op, path }];
    if (op.type === 'txn') return [...taggedWrites(op.success, [...path, `${i}t`]), ...taggedWrites(op.failure, [...path, `${i}f`])];
    return [];
  });
}

/** Two writes are exclusive when they first diverge on opposite branches of the same nested txn. */
function exclusive(a: string[], b: string[]): boolean {
  for (let d = 0; d < Math.min(a.length, b.length); d++) {
    if (a[d] !== b[d]) return a[d].slice(0, -1) === b[d].slice(0, -1);
  }
  return false;
}

function validateTxn(t: TxnRequest): void {
  if (t.compare.length > MAX_OPS || t.success.length > MAX_OPS || t.failure.length > MAX_OPS) throw new RefError('ErrTooManyOps');
  t.compare.forEach(requireKey);
  for (const op of [...t.success, ...t.failure]) validateOp(op);
  for (const branch of [t.success, t.failure]) {
    const ws = taggedWrites(branch, []);
    for (let i = 0; i < ws.length; i++) {
      for (let j = 0; j < i; j++) {
        const [a, b] = [ws[i], ws[j]];
        if (exclusive(a.path, b.path)) continue;
        const clash =
          (a.put !== undefined && b.put === a.put) ||
          (a.put !== undefined && b.del !== undefined && selects(b.del, a.put)) ||
          (b.put !== undefined && a.del !== undefined && selects(a.del, b.put));
        if (clash) throw new RefError('ErrDuplicateKey');
      }
    }
  }
}

function validatePut(p: PutRequest): void {
  if (p.key === '') throw new RefError('ErrEmptyKey');
  if (p.ignoreValue && p.value !== '') throw new RefError('ErrValueProvided');
  if (p.ignoreLease && (p.lease ?? 0) !== 0) throw new RefError('ErrLeaseProvided');
}

function validateOp(op: RequestOp): void {
  if (op.type === 'put') validatePut(op);
  else if (op.type === 'txn') validateTxn(op);
  else requireKey(op);
}

export class ReferenceStore {
  revision = 1;
  compactRevision = 0;
  /** spaces[r] = the whole key space after revision r. */
  private readonly spaces: Keyspace[] = [];
  private readonly leaseInfos = new Map<number, LeaseInfo>();

  constructor() {
    this.spaces[1] = new Map();
  }

  leases(): LeaseInfo[] {
    return [...this.leaseInfos.values()].map((l) => ({ ...l })).sort((a, b) => a.id - b.id);
  }

  apply(cmd: Command): Response {
    try {
      return this.dispatch(cmd);
    } catch (e) {
      if (!(e instanceof RefError)) throw e;
      return { type: 'error', header: { revision: this.revision }, error: { code: e.code, message: ERROR_MESSAGES[e.code] } };
    }
  }

  private get current(): Keyspace {
    return this.spaces[this.revision];
  }

  private dispatch(cmd: Command): Response {
    switch (cmd.type) {
      case 'range':
        requireKey(cmd);
        this.checkRangeRevision(cmd);
        return this.read(cmd, this.current);
      case 'put': {
        validatePut(cmd);
        if (!cmd.ignoreLease && (cmd.lease ?? 0) !== 0 && !this.leaseInfos.has(cmd.lease!)) throw new RefError('ErrLeaseNotFound');
        if ((cmd.ignoreValue || cmd.ignoreLease) && !this.current.has(cmd.key)) throw new RefError('ErrKeyNotFound');
        return this.mutate((space, rev) => this.doPut(space, rev, cmd));
      }
      case 'deleteRange':
        requireKey(cmd);
        return this.mutate((space, rev) => this.doDelete(space, rev, cmd));
      case 'txn':
        return this.txn(cmd);
      case 'compact':
        if (cmd.revision <= this.compactRevision) throw new RefError('ErrCompacted');
        if (cmd.revision > this.revision) throw new RefError('ErrFutureRev');
        this.compactRevision = cmd.revision;
        return { type: 'compact', header: { revision: this.revision } };
      case 'leaseGrant': {
        if (cmd.id === 0) throw new RefError('ErrLeaseNotFound');
        if (cmd.ttl > MAX_TTL) throw new RefError('ErrLeaseTTLTooLarge');
        if (this.leaseInfos.has(cmd.id)) throw new RefError('ErrLeaseExist');
        const ttl = Math.max(cmd.ttl, MIN_TTL);
        this.leaseInfos.set(cmd.id, { id: cmd.id, ttl, grantedRevision: this.revision, renewedRevision: this.revision, keepAlives: 0 });
        return { type: 'leaseGrant', header: { revision: this.revision }, id: cmd.id, ttl };
      }
      case 'leaseKeepAlive': {
        const l = this.leaseInfos.get(cmd.id);
        if (!l) throw new RefError('ErrLeaseNotFound');
        l.renewedRevision = this.revision;
        l.keepAlives++;
        return { type: 'leaseKeepAlive', header: { revision: this.revision }, id: cmd.id, ttl: l.ttl };
      }
      case 'leaseRevoke': {
        if (!this.leaseInfos.has(cmd.id)) throw new RefError('ErrLeaseNotFound');
        this.leaseInfos.delete(cmd.id);
        return this.mutate((space) => {
          for (const kv of [...space.values()]) if (kv.lease === cmd.id) space.delete(kv.key);
          return { type: 'leaseRevoke', header: { revision: 0 } };
        });
      }
    }
  }

  private checkRangeRevision(r: RangeRequest): void {
    const rev = r.revision ?? 0;
    if (rev > this.revision) throw new RefError('ErrFutureRev');
    if (rev > 0 && rev < this.compactRevision) throw new RefError('ErrCompacted');
  }

  /** Runs fn on a copy; keeps it as a new revision only if the key space changed. */
  private mutate<R extends Response>(fn: (space: Keyspace, rev: number) => R): R {
    const space = new Map(this.current);
    const resp = fn(space, this.revision + 1);
    if (!sameSpace(space, this.current)) {
      this.revision++;
      this.spaces[this.revision] = space;
    }
    resp.header.revision = this.revision;
    return resp;
  }

  private read(r: RangeRequest, live: Keyspace): RangeResponse {
    const space = r.revision ? this.spaces[r.revision] : live;
    const all = sortedSelection(space, r);
    const shown = r.countOnly ? [] : all.slice(0, r.limit ? r.limit : all.length);
    return {
      type: 'range',
      header: { revision: this.revision },
      kvs: r.keysOnly ? shown.map((kv) => ({ ...kv, value: '' })) : shown,
      more: shown.length < all.length && !r.countOnly,
      count: all.length,
    };
  }

  private doPut(space: Keyspace, rev: number, p: PutRequest): ResponseOp {
    const prev = space.get(p.key);
    space.set(p.key, {
      key: p.key,
      value: p.ignoreValue ? prev!.value : p.value,
      createRevision: prev ? prev.createRevision : rev,
      modRevision: rev,
      version: prev ? prev.version + 1 : 1,
      lease: p.ignoreLease ? prev!.lease : (p.lease ?? 0),
    });
    return { type: 'put', header: { revision: 0 }, ...(p.prevKv && prev ? { prevKv: prev } : {}) };
  }

  private doDelete(space: Keyspace, _rev: number, d: DeleteRangeRequest): ResponseOp {
    const victims = sortedSelection(space, d);
    for (const kv of victims) space.delete(kv.key);
    return { type: 'deleteRange', header: { revision: 0 }, deleted: victims.length, ...(d.prevKv ? { prevKvs: victims } : {}) };
  }

  private txn(t: TxnRequest): Response {
    validateTxn(t);
    const before = this.current;
    // Branch decisions for this txn and every nested txn on the chosen path, in depth-first order.
    const decisions: boolean[] = [];
    const decide = (x: TxnRequest) => {
      const ok = x.compare.every((c) => {
        const kvs = sortedSelection(before, c);
        return kvs.length === 0 ? compareOne(c, undefined) : kvs.every((kv) => compareOne(c, kv));
      });
      decisions.push(ok);
      for (const op of ok ? x.success : x.failure) if (op.type === 'txn') decide(op);
    };
    decide(t);
    let d = 0;
    const check = (x: TxnRequest) => {
      for (const op of decisions[d++] ? x.success : x.failure) {
        if (op.type === 'put') {
          if ((op.ignoreValue || op.ignoreLease) && !before.has(op.key)) throw new RefError('ErrKeyNotFound');
          if (!op.ignoreLease && (op.lease ?? 0) !== 0 && !this.leaseInfos.has(op.lease!)) throw new RefError('ErrLeaseNotFound');
        } else if (op.type === 'range') this.checkRangeRevision(op);
        else if (op.type === 'txn') check(op);
      }
    };
    check(t);
    d = 0;
    const resp = this.mutate((space, rev) => {
      const run = (x: TxnRequest): ResponseOp => {
        const succeeded = decisions[d++];
        const responses = (succeeded ? x.success : x.failure).map((op): ResponseOp => {
          if (op.type === 'range') return this.read(op, space);
          if (op.type === 'put') return this.doPut(space, rev, op);
          if (op.type === 'deleteRange') return this.doDelete(space, rev, op);
          return run(op);
        });
        return { type: 'txn', header: { revision: 0 }, succeeded, responses };
      };
      return run(t);
    });
    const stamp = (r: ResponseOp) => {
      r.header.revision = this.revision;
      if (r.type === 'txn') r.responses.forEach(stamp);
    };
    stamp(resp);
    return resp;
  }
}

function sameSpace(a: Keyspace, b: Keyspace): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
