import type { ResourceInfo } from '../../api/index.ts';
import type { KeyValue, WatchEvent } from '../../etcd/protocol.ts';
import { decodeFromStorage, deepFreeze, withResourceVersion, type KubeObject } from '../objects.ts';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as the watch cache keeps it: the object after (for DELETED, the last state at the deletion revision) and before. */
export interface CacheEvent {
  readonly type: CacheEventType;
  readonly key: string;
  readonly revision: number;
  readonly object: KubeObject;
  readonly prevObject?: KubeObject;
}

/**
 * The watch cache of one etcd prefix (upstream's watchCache): the current objects, the revision they are
 * current at, and a sliding window of the latest events. It is filled by one list and then fed by one etcd
 * watch; every list and watch of the resource is served from it. Objects are frozen: every reader shares them.
 */
export class WatchCache {
  private readonly objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | undefined;
  private history: CacheEvent[] = [];
  private listRevision = 0;
  private evicted = false;
  /** Every change up to this revision is reflected. */
  revision = 0;
  ready = false;
  /** Values that failed to decode (skipped, as upstream's reflector would log them). */
  corruptValues = 0;

  constructor(
    readonly prefix: string,
    readonly resource: ResourceInfo,
    private readonly capacity: number,
  ) {}

  /** Forget everything (before a relist). */
  reset(): void {
    this.objects.clear();
    this.sortedKeys = undefined;
    this.history = [];
    this.listRevision = 0;
    this.evicted = false;
    this.revision = 0;
    this.ready = false;
  }

  /** Fill from a list read at `revision` (watchCache.Replace). */
  replace(kvs: readonly KeyValue[], revision: number): void {
    this.reset();
    for (const kv of kvs) {
      const obj = decodeFromStorage(kv.value, kv.modRevision);
      if (obj) this.objects.set(kv.key, deepFreeze(obj));
      else this.corruptValues++;
    }
    this.listRevision = revision;
    this.revision = revision;
    this.ready = true;
  }

  /**
   * Apply one etcd watch response. Events at or below the current revision were already applied (a resumed
   * stream may repeat them) and are skipped. Returns the cache events it produced, in order.
   */
  apply(events: readonly WatchEvent[], headerRevision: number): CacheEvent[] {
    const from = this.revision;
    const produced: CacheEvent[] = [];
    for (const e of events) {
      const revision = e.kv.modRevision;
      if (revision <= from) continue;
      const event = e.type === 'PUT' ? this.put(e.kv) : this.delete(e.kv.key, revision);
      if (event) produced.push(event);
    }
    const last = events.length > 0 ? events[events.length - 1].kv.modRevision : 0;
    this.revision = Math.max(this.revision, headerRevision, last);
    this.history.push(...produced);
    this.trim();
    return produced;
  }

  /** A progress notification: nothing changed up to `revision`. */
  progress(revision: number): boolean {
    if (revision <= this.revision) return false;
    this.revision = revision;
    return true;
  }

  private put(kv: KeyValue): CacheEvent | undefined {
    const decoded = decodeFromStorage(kv.value, kv.modRevision);
    if (!decoded) {
      this.corruptValues++;
      return undefined;
    }
    const object = deepFreeze(decoded);
    const prevObject = this.objects.get(kv.key);
    if (!prevObject) this.sortedKeys = undefined;
    this.objects.set(kv.key, object);
    return { type: prevObject ? 'MODIFIED' : 'ADDED', key: kv.key, revision: kv.modRevision, object, prevObject };
  }

  private delete(key: string, revision: number): CacheEvent | undefined {
    const prevObject = this.objects.get(key);
    if (!prevObject) return undefined;
    this.objects.delete(key);
    this.sortedKeys = undefined;
    return { type: 'DELETED', key, revision, object: withResourceVersion(prevObject, revision), prevObject };
  }

  /** Drop whole revisions from the front until the window fits. */
  private trim(): void {
    if (this.history.length <= this.capacity) return;
    let cut = this.history.length - this.capacity;
    const boundary = this.history[cut - 1].revision;
    while (cut < this.history.length && this.history[cut].revision === boundary) cut++;
    this.history = this.history.slice(cut);
    this.evicted = true;
  }

  /**
   * The oldest resourceVersion a watch may start from (upstream's `oldest - 1`): the list revision while
   * nothing was evicted, else just before the oldest event kept.
   */
  get oldestAvailable(): number {
    if (!this.evicted) return this.listRevision;
    return this.history.length > 0 ? this.history[0].revision - 1 : this.revision;
  }

  /** Events after `revision`, or undefined when the window no longer reaches back that far (410). */
  eventsSince(revision: number): CacheEvent[] | undefined {
    if (revision < this.oldestAvailable) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid].revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Keys in etcd order (UTF-16 code units, as the MVCC store orders them). */
  keys(): readonly string[] {
    this.sortedKeys ??= [...this.objects.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sortedKeys;
  }

  /** Key and object of every current object, in key order. */
  *entries(): Generator<readonly [string, KubeObject]> {
    for (const key of this.keys()) yield [key, this.objects.get(key)!] as const;
  }

  /**
   * The objects as of `revision` (≥ oldestAvailable), sorted by key: the current state with the later
   * events undone. Undefined when the revision is out of the window.
   */
  stateAt(revision: number): Map<string, KubeObject> | undefined {
    if (revision < this.oldestAvailable) return undefined;
    const state = new Map(this.objects);
    for (let i = this.history.length - 1; i >= 0 && this.history[i].revision > revision; i--) {
      const e = this.history[i];
      if (e.prevObject) state.set(e.key, e.prevObject);
      else state.delete(e.key);
    }
    return state;
  }
}
