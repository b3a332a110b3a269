// The in-memory key index (etcd's treeIndex of keyIndex): a sorted key array for range scans,
// and per key its retained revisions in order.
//
// etcd's keyIndex groups revisions into generations (create … tombstone). Here a key's history is
// one flat list where a tombstone closes a generation; createRevision/version are stamped into each
// stored KeyValue at write time, so reads never need to walk generations.
import type { KeySpan } from './keyspan.ts';
import type { KeyValue } from './types.ts';

/** One stored change, i.e. one backend row keyed by (main, sub) revision. */
export interface Rev {
  main: number;
  sub: number;
  /** For a tombstone: key + modRevision, everything else zero (etcd's DELETE event kv). */
  kv: KeyValue;
  tombstone: boolean;
}

export function tombstoneKv(key: string, revision: number): KeyValue {
  return { key, value: '', createRevision: 0, modRevision: revision, version: 0, lease: 0 };
}

export class KeyHistory {
  /** Ascending by (main, sub). */
  private readonly list: Rev[] = [];
  /** list[i].main, packed: the binary search touches one small array instead of many objects. */
  private readonly mains: number[] = [];

  get revs(): readonly Rev[] {
    return this.list;
  }

  /** The newest rev with main <= atRev, or -1. */
  private indexAt(atRev: number): number {
    const mains = this.mains;
    let lo = 0;
    let hi = mains.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (mains[mid] <= atRev) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The live value at `atRev`, or undefined if absent or deleted. */
  at(atRev: number): KeyValue | undefined {
    const i = this.indexAt(atRev);
    if (i < 0) return undefined;
    const r = this.list[i];
    return r.tombstone ? undefined : r.kv;
  }

  latest(): Rev | undefined {
    return this.list[this.list.length - 1];
  }

  /**
   * Drops revisions superseded at `atRev`; returns the dropped ones so the revision log can drop
   * them too. Kept: everything newer than atRev, the newest rev <= atRev unless it is a tombstone
   * older than atRev. A tombstone exactly at atRev is kept so a watch starting at the compact
   * revision still sees that DELETE (etcd PR #18274, "keep tombstone if revision == compactAtRev").
   */
  compact(atRev: number): Rev[] {
    const i = this.indexAt(atRev);
    if (i < 0) return [];
    const r = this.list[i];
    const dropUpTo = r.tombstone && r.main < atRev ? i + 1 : i;
    this.mains.splice(0, dropUpTo);
    return this.list.splice(0, dropUpTo);
  }

  /** Appends a change; must be newer than every retained one. */
  push(rev: Rev): void {
    this.list.push(rev);
    this.mains.push(rev.main);
  }
}

export class KeyIndex {
  /** Every key with retained history, sorted. */
  private keys: string[] = [];
  private readonly histories = new Map<string, KeyHistory>();

  get size(): number {
    return this.keys.length;
  }

  get(key: string): KeyHistory | undefined {
    return this.histories.get(key);
  }

  /** Appends a change; revs must arrive in ascending revision order per key. */
  append(rev: Rev): void {
    let h = this.histories.get(rev.kv.key);
    if (!h) {
      h = new KeyHistory();
      this.histories.set(rev.kv.key, h);
      this.keys.splice(this.lowerBound(rev.kv.key), 0, rev.kv.key);
    }
    h.push(rev);
  }

  /** Visits the live kvs in `span` at `atRev`, in key order. Cost: O(log n + keys in span). */
  forEachLive(span: KeySpan, atRev: number, visit: (kv: KeyValue) => void): void {
    if (span.kind === 'key') {
      const kv = this.histories.get(span.key)?.at(atRev);
      if (kv) visit(kv);
      return;
    }
    for (let i = this.lowerBound(span.start); i < this.keys.length; i++) {
      const key = this.keys[i];
      if (span.end !== undefined && key >= span.end) break;
      const kv = this.histories.get(key)!.at(atRev);
      if (kv) visit(kv);
    }
  }

  /** Compacts every key; returns all dropped revs. Keys left with no history are removed. */
  compact(atRev: number): Rev[] {
    const dropped: Rev[] = [];
    let emptied = false;
    for (const h of this.histories.values()) {
      for (const r of h.compact(atRev)) dropped.push(r);
      if (h.revs.length === 0) emptied = true;
    }
    if (emptied) {
      for (const k of this.keys) if (this.histories.get(k)!.revs.length === 0) this.histories.delete(k);
      this.keys = this.keys.filter((k) => this.histories.has(k));
    }
    return dropped;
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
