import type { Address } from '../../bus/envelope.ts';
import type { WatchEventBody } from '../protocol.ts';
import { withResourceVersion, type KubeObject } from '../objects.ts';
import { podNodeName, type ObjectFilter } from '../selectors.ts';
import type { CacheEvent, WatchCache } from './cache.ts';

/** One open watch (upstream's cacheWatcher): where its events go and what it selects. */
export interface Watcher {
  readonly id: string;
  readonly client: Address;
  readonly requestId: string;
  readonly cachePrefix: string;
  /** Only keys under this prefix (a namespace, or the whole resource). */
  readonly scopePrefix: string;
  readonly filter: ObjectFilter;
  readonly kind: string;
  readonly apiVersion: string;
  readonly bookmarks: boolean;
  readonly deadline: number;
  /** Events at or below this revision are not sent (already reflected, or before the watch's start). */
  sentRevision: number;
  nextBookmarkAt: number;
  /** `api.watch` messages sent on this stream so far: the last message's `seq`. */
  sentMessages?: number;
}

/**
 * An event as one watcher sees it: an object that starts matching its selector is ADDED, one that stops
 * matching is DELETED (the previous state, at the event's revision), as upstream's cacheWatcher does.
 */
export function eventFor(w: Watcher, e: CacheEvent): WatchEventBody | undefined {
  if (e.revision <= w.sentRevision || !e.key.startsWith(w.scopePrefix)) return undefined;
  // A kubelet's watch (spec.nodeName=<node>) skips other nodes' pods without testing its whole selector.
  const node = w.filter.nodeName;
  if (node !== undefined && podNodeName(e.object) !== node && (e.prevObject === undefined || podNodeName(e.prevObject) !== node)) return undefined;
  const now = e.type !== 'DELETED' && w.filter.matches(e.object);
  const before = e.prevObject !== undefined && w.filter.matches(e.prevObject);
  if (e.type === 'DELETED') return before ? { type: 'DELETED', object: e.object } : undefined;
  if (now && before) return { type: 'MODIFIED', object: e.object };
  if (now) return { type: 'ADDED', object: e.object };
  if (before) return { type: 'DELETED', object: withResourceVersion(e.prevObject!, e.revision) };
  return undefined;
}

/** No events (shared, frozen: nobody may add to it). */
const NONE = Object.freeze([]) as unknown as WatchEventBody[];

/** The events of one cache update for one watcher, in order; advances what it has seen. */
export function eventsFor(w: Watcher, events: readonly CacheEvent[], revision: number): WatchEventBody[] {
  let out = NONE;
  for (const e of events) {
    const body = eventFor(w, e);
    if (!body) continue;
    if (out === NONE) out = [];
    out.push(body);
  }
  w.sentRevision = Math.max(w.sentRevision, revision);
  return out;
}

/** Synthetic ADDED events for every current object the watcher selects (a watch from "0" or unset). */
export function initialEvents(w: Watcher, cache: WatchCache): WatchEventBody[] {
  const out: WatchEventBody[] = [];
  for (const key of cache.keys()) {
    if (!key.startsWith(w.scopePrefix)) continue;
    const obj = cache.get(key)!;
    if (w.filter.matches(obj)) out.push({ type: 'ADDED', object: obj });
  }
  return out;
}

export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/** A BOOKMARK: an empty object of the kind carrying only the resourceVersion the watcher has reached. */
export function bookmarkFor(w: Watcher, revision: number, initialEventsEnd = false): WatchEventBody {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
  return { type: 'BOOKMARK', object: { kind: w.kind, apiVersion: w.apiVersion, metadata } };
}
