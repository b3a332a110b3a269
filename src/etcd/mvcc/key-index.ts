// The in-memory key index (etcd's treeIndex of keyIndex): a sorted key array for range scans,
// and per key its retained revisions in order.
//
// etcd's keyIndex groups revisions into generations (create … tombstone). Here a key's history is
// one flat list where a tombstone closes a generation; createRevision/version are stamped into each
// stored KeyValue at write time, so reads never need to walk generations.
import type { KeySpan } from './keyspan.ts';
import type { KeyValue } from './types.ts';

/**
 * One stored change (one backend row, keyed by (main, sub) revision) is its frozen KeyValue: main is its
 * modRevision, sub its position among the retained changes of that revision, and a tombstone is the kv
 * etcd reports in a DELETE event (key and modRevision set, everything else zero), told apart by version 0
 * (a live version is at least 1). The same object sits in the key index, the store's history and every snapshot
 * image taken since, and is handed to readers and watchers as it is.
 */
export function isTombstone(kv: KeyValue): boolean {
  return kv.version === 0;
}

export function tombstoneKv(key: string, revision: number): KeyValue {
  return { key, value: '', createRevision: 0, modRevision: revision, version: 0, lease: 0 };
}

export class KeyHistory {
  /** Ascending by (main, sub). */
  private readonly list: KeyValue[] = [];
  /** list[i].modRevision, packed: the binary search touches one small array instead of many objects. */
  private readonly mains: number[] = [];

  get revs(): readonly KeyValue[] {
    return this.list;
  }

  /** The newest change with main <= atRev, or -1. */
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
    const kv = this.list[i];
    return isTombstone(kv) ? undefined : kv;
  }

  latest(): KeyValue | undefined {
    return this.list[this.list.length - 1];
  }

  /**
   * Drops changes superseded at `atRev`; returns the dropped ones so the history can drop them too.
   * Kept: everything newer than atRev, the newest change <= atRev unless it is a tombstone older than
   * atRev. A tombstone exactly at atRev is kept so a watch starting at the compact revision still sees
   * that DELETE (etcd PR #18274, "keep tombstone if revision == compactAtRev").
   */
  compact(atRev: number): KeyValue[] {
    const i = this.indexAt(atRev);
    if (i < 0) return [];
    const kv = this.list[i];
    const dropUpTo = isTombstone(kv) && kv.modRevision < atRev ? i + 1 : i;
    this.mains.splice(0, dropUpTo);
    return this.list.splice(0, dropUpTo);
  }

  /** Appends a change; must be newer than every retained one. */
  push(kv: KeyValue): void {
    this.list.push(kv);
    this.mains.push(kv.modRevision);
  }
}

export class KeyIndex {
  /** Keys with retained history, sorted — all but those in `added`. */
  private sortedKeys: string[] = [];
  /**
   * Keys created since the last ordered read, not yet merged into `sortedKeys`: creating a key is O(1), and
   * the next range over a span merges them in one sort (inserting each into the sorted array cost O(n)).
   */
  private added: string[] = [];
  private readonly histories = new Map<string, KeyHistory>();

  get size(): number {
    return this.histories.size;
  }

  /** Every key with retained history, sorted (merging the keys created since the last call). */
  private get keys(): string[] {
    if (this.added.length === 0) return this.sortedKeys;
    const added = this.added.sort();
    const old = this.sortedKeys;
    const merged = new Array<string>(old.length + added.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < added.length) merged[k++] = old[i] < added[j] ? old[i++] : added[j++];
    while (i < old.length) merged[k++] = old[i++];
    while (j < added.length) merged[k++] = added[j++];
    this.sortedKeys = merged;
    this.added = [];
    return merged;
  }

  get(key: string): KeyHistory | undefined {
    return this.histories.get(key);
  }

  /** The key's history, created (empty, and the key indexed) if it has none: push a change to it next. */
  getOrCreate(key: string): KeyHistory {
    let h = this.histories.get(key);
    if (!h) {
      h = new KeyHistory();
      this.histories.set(key, h);
      this.added.push(key);
    }
    return h;
  }

  /** Appends a change; changes must arrive in ascending revision order per key. */
  append(kv: KeyValue): void {
    this.getOrCreate(kv.key).push(kv);
  }

  /** Visits the live kvs in `span` at `atRev`, in key order. Cost: O(log n + keys in span). */
  forEachLive(span: KeySpan, atRev: number, visit: (kv: KeyValue) => void): void {
    if (span.kind === 'key') {
      const kv = this.histories.get(span.key)?.at(atRev);
      if (kv) visit(kv);
      return;
    }
    const keys = this.keys;
    for (let i = this.lowerBound(span.start); i < keys.length; i++) {
      const key = keys[i];
      if (span.end !== undefined && key >= span.end) break;
      const kv = this.histories.get(key)!.at(atRev);
      if (kv) visit(kv);
    }
  }

  /** Compacts every key; returns all dropped revs. Keys left with no history are removed. */
  compact(atRev: number): KeyValue[] {
    const dropped: KeyValue[] = [];
    let emptied = false;
    for (const h of this.histories.values()) {
      for (const r of h.compact(atRev)) dropped.push(r);
      if (h.revs.length === 0) emptied = true;
    }
    if (emptied) {
      const keys = this.keys;
      for (const k of keys) if (this.histories.get(k)!.revs.length === 0) this.histories.delete(k);
      this.sortedKeys = keys.filter((k) => this.histories.has(k));
    }
    return dropped;
  }

  private lowerBound(key: string): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
