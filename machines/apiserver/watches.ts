import { expired } from '../../src/apiserver/protocol.ts';
import type { WatchSpec } from '../../src/apiserver/flows/index.ts';
import type { WatchEventBody } from '../../src/apiserver/protocol.ts';
import { apiVersionOf } from '../../src/apiserver/resources.ts';
import type { CacheEvent } from '../../src/apiserver/watch-cache/cache.ts';
import { bookmarkFor, eventsFor, initialEvents, type Watcher } from '../../src/apiserver/watch-cache/watchers.ts';
import { send } from './context.ts';
import type { ApiServerContext, Inflight } from './types.ts';

/**
 * Open watches: registered from a validated watch flow, fed from their resource's cache, batched one
 * `api.watch` message per watcher per cache update, ended by timeoutSeconds, by the client's cancel, or
 * when the cache has to start over (the client re-lists, as after a 410).
 */

/**
 * One message on a watch stream, numbered (`seq` 1, 2, …) so the client can tell a lost, repeated or
 * overtaken message on the bus from a whole stream, as TCP would (a gap breaks the stream).
 */
function deliver(ctx: ApiServerContext, w: Pick<Watcher, 'client' | 'requestId' | 'sentMessages'>, events: WatchEventBody[], closed = false): void {
  if (events.length === 0 && !closed) return;
  const seq = (w.sentMessages ?? 0) + 1;
  w.sentMessages = seq;
  send(ctx, w.client, { type: 'api.watch', requestId: w.requestId, events, ...(closed ? { closed: true } : {}), seq });
}

export function registerWatch(ctx: ApiServerContext, inf: Inflight, spec: WatchSpec): void {
  const client = inf.client!;
  const requestId = inf.requestId!;
  send(ctx, client, { type: 'api.response', requestId, code: 200, body: null });
  const cache = ctx.feeds.get(spec.cachePrefix)!.cache;
  const now = ctx.now();
  const watcher: Watcher = {
    id: inf.id, client, requestId, cachePrefix: spec.cachePrefix, scopePrefix: spec.scopePrefix, filter: spec.filter,
    kind: spec.resource.kind, apiVersion: apiVersionOf(spec.resource), bookmarks: spec.bookmarks,
    deadline: now + spec.timeoutMs, sentRevision: cache.revision, nextBookmarkAt: now + ctx.config.bookmarkIntervalMs,
    sentMessages: 0,
  };
  let events: WatchEventBody[];
  if (spec.fromRevision === undefined) {
    events = spec.initialEvents ? initialEvents(watcher, cache) : [];
    if (spec.initialEventsEndBookmark) events.push(bookmarkFor(watcher, cache.revision, true));
  } else {
    const since = cache.eventsSince(spec.fromRevision);
    if (!since) {
      // The window no longer reaches back to the requested revision: 410 in-stream, then the end.
      deliver(ctx, watcher, [{ type: 'ERROR', object: expired(String(spec.fromRevision), String(cache.oldestAvailable)) }], true);
      return;
    }
    watcher.sentRevision = spec.fromRevision;
    events = eventsFor(watcher, since, Math.max(spec.fromRevision, cache.revision));
  }
  ctx.watchers.set(watcher.id, watcher);
  deliver(ctx, watcher, events);
}

/** A cache update, to every watcher of that cache. */
export function dispatch(ctx: ApiServerContext, prefix: string, events: readonly CacheEvent[], revision: number): void {
  for (const w of ctx.watchers.values()) {
    if (w.cachePrefix !== prefix) continue;
    deliver(ctx, w, eventsFor(w, events, revision));
  }
}

export function cancelWatch(ctx: ApiServerContext, id: string): boolean {
  return ctx.watchers.delete(id);
}

/** The cache starts over: its watchers' streams end (upstream's terminateAllWatchers). */
export function terminateWatchers(ctx: ApiServerContext, prefix: string): void {
  for (const w of [...ctx.watchers.values()]) {
    if (w.cachePrefix !== prefix) continue;
    ctx.watchers.delete(w.id);
    deliver(ctx, w, [], true);
  }
}

/** Timeouts and periodic bookmarks. */
export function tickWatchers(ctx: ApiServerContext): void {
  const now = ctx.now();
  for (const w of [...ctx.watchers.values()]) {
    if (now >= w.deadline) {
      ctx.watchers.delete(w.id);
      deliver(ctx, w, [], true);
      continue;
    }
    if (w.bookmarks && now >= w.nextBookmarkAt) {
      w.nextBookmarkAt = now + ctx.config.bookmarkIntervalMs;
      const cache = ctx.feeds.get(w.cachePrefix)?.cache;
      if (!cache?.ready) continue;
      w.sentRevision = Math.max(w.sentRevision, cache.revision);
      deliver(ctx, w, [bookmarkFor(w, w.sentRevision)]);
    }
  }
}
