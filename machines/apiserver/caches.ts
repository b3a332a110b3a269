import type { RangeResult, WatchResponseMessage } from '../../src/etcd/protocol.ts';
import type { EtcdOutcome } from '../../src/apiserver/flows/index.ts';
import { cachePrefixOf } from '../../src/apiserver/resources.ts';
import { WatchCache } from '../../src/apiserver/watch-cache/cache.ts';
import { KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS } from '../etcd-client/keepalive.ts';
import { nextId, observe, send } from './context.ts';
import { resumeCacheWaiters } from './runner.ts';
import type { ApiServerContext, CacheFeed } from './types.ts';
import { dispatch, terminateWatchers } from './watches.ts';

/**
 * The feeds of the watch caches (upstream's cacher reflector): per etcd prefix, one list through the etcd
 * client actor, then one etcd watch from the list's revision + 1. A feed starts over (list, then watch)
 * when etcd cancels the watch because its start was compacted, or the etcd client says it no longer has it.
 * A quiet resource's watch is silent by right (the etcd client watches its connections, not each watch), so
 * a feed silent for cacheStallMs asks the client for progress (again every cacheStallMs while silent): the
 * answer shows the watch alive; a client that restarted answers that it has no such watch. Only a feed
 * unanswered for longer than the client's own failover (keepalive time + timeout) is started over.
 */

const LIST_RETRY_MS = 1_000;
/** How long the etcd client may take to notice a dead member and resume its watches elsewhere. */
const ETCD_CLIENT_FAILOVER_MS = KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS;

export function startFeeds(ctx: ApiServerContext): void {
  for (const resource of ctx.served) {
    const prefix = cachePrefixOf(resource);
    if (ctx.feeds.has(prefix)) continue;
    const feed: CacheFeed = { cache: new WatchCache(prefix, resource, ctx.config.watchCacheSize), watchId: '', lastHeardAt: ctx.now() };
    ctx.feeds.set(prefix, feed);
    startList(ctx, feed);
  }
}

export function allCachesReady(ctx: ApiServerContext): boolean {
  for (const feed of ctx.feeds.values()) if (!feed.cache.ready) return false;
  return true;
}

const LIST_OP = 'list';

/** Whether an op id is a feed's list (told by the id alone, so a pure guard can use it). */
export function isListOp(opId: string): boolean {
  return opId.includes(`.${LIST_OP}`);
}

function startList(ctx: ApiServerContext, feed: CacheFeed): void {
  if (feed.listOpId) ctx.feedByListOp.delete(feed.listOpId);
  const opId = nextId(ctx, LIST_OP);
  feed.listOpId = opId;
  feed.retryAt = undefined;
  feed.lastHeardAt = ctx.now();
  ctx.feedByListOp.set(opId, feed.cache.prefix);
  send(ctx, ctx.config.etcdClient, {
    type: 'etcd.client.invoke', opId, request: { op: 'range', key: feed.cache.prefix, prefix: true }, replyTo: ctx.self,
  });
}

/** The result of a feed's list; false when the op is not a feed's. */
export function handleListResult(ctx: ApiServerContext, opId: string, outcome: EtcdOutcome): boolean {
  const prefix = ctx.feedByListOp.get(opId);
  if (prefix === undefined) return false;
  ctx.feedByListOp.delete(opId);
  const feed = ctx.feeds.get(prefix)!;
  feed.listOpId = undefined;
  feed.lastHeardAt = ctx.now();
  if (outcome.status !== 'ok') {
    feed.retryAt = ctx.now() + LIST_RETRY_MS;
    return true;
  }
  const result = outcome.result as RangeResult;
  feed.cache.replace(result.kvs, result.header.revision);
  feed.watchId = nextId(ctx, 'watch');
  ctx.feedByWatch.set(feed.watchId, prefix);
  send(ctx, ctx.config.etcdClient, {
    type: 'etcd.client.watch', watchId: feed.watchId, replyTo: ctx.self,
    request: { key: prefix, prefix: true, startRevision: result.header.revision + 1 },
  });
  observe(ctx, { type: 'obs.api.cacheReady', at: ctx.now(), prefix, revision: result.header.revision, objects: feed.cache.size });
  resumeCacheWaiters(ctx, prefix);
  return true;
}

export function handleWatchResponse(ctx: ApiServerContext, watchId: string, response: WatchResponseMessage): void {
  const prefix = ctx.feedByWatch.get(watchId);
  const feed = prefix === undefined ? undefined : ctx.feeds.get(prefix);
  if (!feed || feed.watchId !== watchId) {
    // A watch of an earlier feed or incarnation that the etcd client still relays: close it.
    send(ctx, ctx.config.etcdClient, { type: 'etcd.client.unwatch', watchId });
    return;
  }
  feed.lastHeardAt = ctx.now();
  if (response.canceled && response.compactRevision !== undefined) {
    observe(ctx, { type: 'obs.api.cacheExpired', at: ctx.now(), prefix: feed.cache.prefix, compactRevision: response.compactRevision });
    restartFeed(ctx, feed);
    return;
  }
  if (response.canceled) {
    // The etcd client resumes every other cancellation itself; one relayed means the watch is gone.
    observe(ctx, { type: 'obs.api.cacheStalled', at: ctx.now(), prefix: feed.cache.prefix });
    restartFeed(ctx, feed);
    return;
  }
  const cache = feed.cache;
  if (response.events.length > 0) {
    const events = cache.apply(response.events, response.header.revision);
    dispatch(ctx, cache.prefix, events, cache.revision);
  } else if (response.progressNotify) {
    cache.progress(response.header.revision);
  }
  resumeCacheWaiters(ctx, cache.prefix);
}

function restartFeed(ctx: ApiServerContext, feed: CacheFeed): void {
  if (feed.watchId) {
    ctx.feedByWatch.delete(feed.watchId);
    send(ctx, ctx.config.etcdClient, { type: 'etcd.client.unwatch', watchId: feed.watchId });
    feed.watchId = '';
  }
  terminateWatchers(ctx, feed.cache.prefix);
  feed.cache.reset();
  startList(ctx, feed);
}

/** Retry failed lists; ask silent feeds' watches for progress; restart feeds that stay unanswered. */
export function checkFeeds(ctx: ApiServerContext): void {
  const now = ctx.now();
  const stall = ctx.config.cacheStallMs;
  for (const feed of ctx.feeds.values()) {
    const silentFor = now - feed.lastHeardAt;
    if (feed.retryAt !== undefined && now >= feed.retryAt) startList(ctx, feed);
    else if (silentFor < stall) continue;
    else if (!feed.watchId || silentFor >= stall + ETCD_CLIENT_FAILOVER_MS) {
      observe(ctx, { type: 'obs.api.cacheStalled', at: now, prefix: feed.cache.prefix });
      restartFeed(ctx, feed);
    } else if (feed.progressAskedAt === undefined || now - feed.progressAskedAt >= stall) {
      feed.progressAskedAt = now;
      send(ctx, ctx.config.etcdClient, { type: 'etcd.client.watch.progress', watchId: feed.watchId });
    }
  }
}
