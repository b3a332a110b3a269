// etcd's watch machinery over an MvccStore, delivered through a deterministic pull queue.
//
// A watcher is created "unsynced" when it starts in the past: watch() replays history from the
// retained log immediately, then the watcher is "synced" and receives each new revision as the
// store commits it. So every watcher is synced between calls, and requestProgress() can always
// answer at once. Responses accumulate in one FIFO queue; the owning actor calls drain() after
// applying entries and forwards each response to the client that owns response.watchId.
import { WATCH_COMPACTED_REASON, WATCH_DUPLICATE_ID_REASON } from './errors.ts';
import { spanContains, toSpan } from './keyspan.ts';
import type { KeySpan } from './keyspan.ts';
import type { MvccStore } from './store.ts';
import type { Commit, Event, KeySelector, ResponseHeader } from './types.ts';

export type WatchFilter = 'NOPUT' | 'NODELETE';

export interface WatchRequest extends KeySelector {
  /** First revision to deliver; 0/absent = current revision + 1 (future changes only). */
  startRevision?: number;
  prevKv?: boolean;
  /** Opt in to periodic progress notifications (see WatchHub.progressTick). */
  progressNotify?: boolean;
  filters?: WatchFilter[];
  /** Client-chosen id; 0/absent = assign one (etcd's AutoWatchID). */
  watchId?: number;
}

export interface WatchResponse {
  watchId: number;
  /** Event responses: >= every event's modRevision. Progress notifications: current revision. */
  header: ResponseHeader;
  /** Complete revisions only, in revision then sub-revision order. */
  events: Event[];
  created?: true;
  canceled?: true;
  cancelReason?: string;
  /** Set when the watch was canceled because its start revision was compacted. */
  compactRevision?: number;
  /** No events; every event of the watch up to header.revision has been delivered before. */
  progressNotify?: true;
}

export interface WatchHubOptions {
  /** Catch-up responses are cut at this many events, but never inside a revision. */
  maxEventsPerResponse?: number;
}

const NO_EVENTS: readonly Event[] = Object.freeze([]);

/** The id etcd reports for a watch that could not be created. */
export const INVALID_WATCH_ID = -1;

interface Watcher {
  readonly id: number;
  readonly span: KeySpan;
  readonly prevKv: boolean;
  readonly progressNotify: boolean;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  /** Next revision this watcher has not yet looked at. */
  nextRev: number;
  /** Whether events were sent since the last progressTick (etcd sends idle watchers progress). */
  sentSinceTick: boolean;
}

export class WatchHub {
  private readonly watchers = new Map<number, Watcher>();
  private queue: WatchResponse[] = [];
  private nextId = 0;
  /** Set while the hub follows the store's commits: only while it has watchers (commits are cheaper unwatched). */
  private unsubscribe: (() => void) | undefined;
  private readonly maxEvents: number;

  constructor(
    private store: MvccStore,
    options: WatchHubOptions = {},
  ) {
    this.maxEvents = Math.max(1, options.maxEventsPerResponse ?? 1000);
  }

  /** Creates a watch; returns its id, or INVALID_WATCH_ID (with a canceled response) on a duplicate id. */
  watch(req: WatchRequest): number {
    const current = this.store.revision;
    const requested = req.watchId ?? 0;
    if (requested !== 0 && this.watchers.has(requested)) {
      this.push({
        watchId: INVALID_WATCH_ID,
        header: { revision: current },
        events: [],
        created: true,
        canceled: true,
        cancelReason: WATCH_DUPLICATE_ID_REASON,
      });
      return INVALID_WATCH_ID;
    }
    const id = requested !== 0 ? requested : this.allocateId();
    this.push({ watchId: id, header: { revision: current }, events: [], created: true });
    const start = req.startRevision && req.startRevision > 0 ? req.startRevision : current + 1;
    if (start < this.store.compactRevision) {
      this.pushCompacted(id);
      return id;
    }
    const filters = req.filters ?? [];
    const w: Watcher = {
      id,
      span: toSpan(req),
      prevKv: req.prevKv ?? false,
      progressNotify: req.progressNotify ?? false,
      noPut: filters.includes('NOPUT'),
      noDelete: filters.includes('NODELETE'),
      nextRev: start,
      sentSinceTick: false,
    };
    this.watchers.set(id, w);
    this.follow();
    this.catchUp(w);
    return id;
  }

  /** Cancels a watch (a canceled response is queued). Returns false for an unknown id. */
  cancel(watchId: number): boolean {
    if (!this.watchers.delete(watchId)) return false;
    this.unfollowIfIdle();
    this.push({ watchId, header: { revision: this.store.revision }, events: [], canceled: true });
    return true;
  }

  /** etcd's RequestProgress: a progress notification at the current revision for each watch (or one). */
  requestProgress(watchId?: number): void {
    for (const w of this.watchers.values()) {
      if (watchId === undefined || w.id === watchId) this.pushProgress(w);
    }
  }

  /**
   * Call on the owner's progress-notify interval (etcd: 10 minutes): watchers that asked for
   * progressNotify and received no events since the previous tick get a progress notification.
   */
  progressTick(): void {
    for (const w of this.watchers.values()) {
      if (w.progressNotify && !w.sentSinceTick) this.pushProgress(w);
      w.sentSinceTick = false;
    }
  }

  /** Takes every queued response, oldest first. */
  drain(): WatchResponse[] {
    const out = this.queue;
    this.queue = [];
    return out;
  }

  get pending(): number {
    return this.queue.length;
  }

  watchIds(): number[] {
    return [...this.watchers.keys()];
  }

  /**
   * Re-attaches to a store restored from a snapshot (a member that installed a Raft snapshot).
   * Each watcher resumes from its next revision, or is canceled if that was compacted away.
   */
  replaceStore(store: MvccStore): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.store = store;
    if (this.watchers.size > 0) this.follow();
    for (const w of [...this.watchers.values()]) {
      if (w.nextRev > store.revision) continue;
      if (w.nextRev < store.compactRevision) {
        this.watchers.delete(w.id);
        this.pushCompacted(w.id);
      } else this.catchUp(w);
    }
    this.unfollowIfIdle();
  }

  /** Detaches from the store and drops all watchers (no responses). */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.watchers.clear();
  }

  private follow(): void {
    this.unsubscribe ??= this.store.subscribe((c) => this.onCommit(c));
  }

  private unfollowIfIdle(): void {
    if (this.watchers.size > 0 || !this.unsubscribe) return;
    this.unsubscribe();
    this.unsubscribe = undefined;
  }

  private allocateId(): number {
    while (this.watchers.has(this.nextId)) this.nextId++;
    return this.nextId++;
  }

  private onCommit(c: Commit): void {
    for (const w of this.watchers.values()) {
      if (w.nextRev > c.revision) continue; // starts in the future
      if (w.nextRev < c.revision) {
        this.catchUp(w); // only after replaceStore skipped ahead; the log covers c.revision too
        continue;
      }
      const events = this.select(w, c.events);
      w.nextRev = c.revision + 1;
      if (events.length > 0) this.pushEvents(w, events as Event[], c.revision);
    }
  }

  /** Replays retained history from w.nextRev to the current revision, whole revisions per response. */
  private catchUp(w: Watcher): void {
    const current = this.store.revision;
    const match = (key: string) => spanContains(w.span, key);
    let batch: Event[] = [];
    let batchRev = 0;
    for (let rev = w.nextRev; rev <= current; rev++) {
      const commit = this.store.commitAt(rev, match, w.prevKv);
      if (!commit) continue;
      const events = this.select(w, commit.events);
      if (events.length === 0) continue;
      if (batch.length > 0 && batch.length + events.length > this.maxEvents) {
        this.pushEvents(w, batch, batchRev);
        batch = [];
      }
      batch.push(...events);
      batchRev = rev;
    }
    w.nextRev = Math.max(w.nextRev, current + 1); // a future start stays in the future
    if (batch.length > 0) this.pushEvents(w, batch, current);
  }

  /** The events `w` sees. Every watcher is asked on every commit and most see nothing: no array for them. */
  private select(w: Watcher, events: readonly Event[]): readonly Event[] {
    let out: Event[] | undefined;
    for (const e of events) {
      if (!spanContains(w.span, e.kv.key)) continue;
      if ((e.type === 'PUT' && w.noPut) || (e.type === 'DELETE' && w.noDelete)) continue;
      (out ??= []).push(w.prevKv || !e.prevKv ? e : { type: e.type, kv: e.kv });
    }
    return out ?? NO_EVENTS;
  }

  private pushEvents(w: Watcher, events: Event[], revision: number): void {
    w.sentSinceTick = true;
    this.push({ watchId: w.id, header: { revision }, events });
  }

  private pushProgress(w: Watcher): void {
    this.push({ watchId: w.id, header: { revision: this.store.revision }, events: [], progressNotify: true });
  }

  private pushCompacted(id: number): void {
    const compactRevision = this.store.compactRevision;
    this.push({
      watchId: id,
      header: { revision: this.store.revision },
      events: [],
      canceled: true,
      cancelReason: WATCH_COMPACTED_REASON,
      compactRevision,
    });
  }

  private push(r: WatchResponse): void {
    this.queue.push(r);
  }
}
