import { expired, notFound, statusError, type Status } from '../protocol.ts';
import { decodeContinue, encodeContinue } from '../continue-token.ts';
import { badRequest, fail, timeoutError, tooManyRequests } from '../errors.ts';
import type { KeyValue } from '../../etcd/protocol.ts';
import { decodeFromStorage, type KubeObject } from '../objects.ts';
import { parseResourceVersion, type RequestedVersion } from '../resource-version.ts';
import { apiVersionOf, cachePrefixOf, listKindOf } from '../resources.ts';
import { compileFilter, type ObjectFilter } from '../selectors.ts';
import type { WatchCache } from '../watch-cache/cache.ts';
import { response, type Effect, type Flow, type Scope } from './effects.ts';
import { getScaleFlow } from './scale.ts';
import { currentRevision, rangeResult, readKey, readRange, waitForCache } from './storage.ts';

/**
 * GET, LIST and WATCH, routed as kube-apiserver 1.31's cacher routes them (ConsistentListFromCache on, its
 * default): a list with resourceVersion unset is a consistent read served by the watch cache once it has
 * caught up with etcd's current revision (falling back to etcd when it does not within cacheWaitMs); a
 * paginated list with resourceVersion unset, a continuation, and a GET with resourceVersion unset are read
 * from etcd; "0" or a revision are served by the watch cache, once it has caught up with the revision asked
 * for. Continuations are read from etcd at the first page's revision.
 */

const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** Why the cache could not serve in time: still (re)initializing (429), or behind the revision asked for (504). */
export function cacheWaitFailure(cache: WatchCache | undefined, rv: RequestedVersion): Status {
  if (!cache?.ready) return tooManyRequests('storage is (re)initializing', 1);
  const asked = rv.kind === 'at' ? rv.revision : 0;
  return timeoutError(`Too large resource version: ${asked}, current: ${cache.revision}`, 1, [
    { reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' },
  ]);
}

function* cacheAt(s: Scope, rv: RequestedVersion): Generator<Effect, WatchCache, unknown> {
  const prefix = cachePrefixOf(s.target.resource);
  const reached = yield* waitForCache(prefix, rv.kind === 'at' ? rv.revision : 0);
  const cache = s.env.cache(prefix);
  if (!reached || !cache) fail(cacheWaitFailure(cache, rv));
  return cache;
}

export function* getFlow(s: Scope): Flow {
  if (s.target.subresource === 'scale') return yield* getScaleFlow(s);
  const { resource } = s.target;
  const rv = parseResourceVersion(s.request.query);
  let obj: KubeObject | undefined;
  if (rv.kind === 'unset') {
    const kv = yield* readKey(s.target.key!);
    obj = kv && decodeKv(s.env.cache(cachePrefixOf(resource)), kv);
  } else {
    obj = (yield* cacheAt(s, rv)).get(s.target.key!);
  }
  if (!obj) fail(notFound(resource.group, resource.plural, s.target.name ?? ''));
  return response(200, obj);
}

function parseLimit(raw: unknown): number {
  if (raw === undefined || raw === null) return 0;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) fail(badRequest(`limit: Invalid value: ${JSON.stringify(raw)}: must be an integer`));
  return raw > 0 ? raw : 0;
}

function checkMatch(s: Scope, rv: RequestedVersion): 'NotOlderThan' | 'Exact' | undefined {
  const match = s.request.query?.resourceVersionMatch as unknown;
  if (match === undefined || match === '') return undefined;
  if (match !== 'NotOlderThan' && match !== 'Exact') {
    fail(badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(String(match))}: supported values: "Exact", "NotOlderThan"`));
  }
  if (rv.kind === 'unset') fail(badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'));
  if (match === 'Exact' && rv.kind === 'any') fail(badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  return match;
}

interface Page {
  items: KubeObject[];
  revision: number;
  continueToken?: string;
  remaining?: number;
}

/** One page: the matches in key order from `entries`, at most `limit`, and where the next page starts. */
function pageOf(s: Scope, entries: Iterable<readonly [string, KubeObject]>, filter: ObjectFilter, limit: number, revision: number): Page {
  const scope = s.target.scopePrefix;
  const items: KubeObject[] = [];
  let lastKey = '';
  let remaining = 0;
  for (const [key, obj] of entries) {
    if (!key.startsWith(scope) || !filter.matches(obj)) continue;
    if (limit > 0 && items.length === limit) {
      remaining++;
      continue;
    }
    items.push(obj);
    lastKey = key;
  }
  if (remaining === 0) return { items, revision };
  return {
    items, revision, continueToken: encodeContinue(revision, `${lastKey}\u0000`, scope),
    // Upstream reports a count only when no selector could make it wrong.
    ...(filter.everything ? { remaining } : {}),
  };
}

function listBody(s: Scope, page: Page): unknown {
  const { resource } = s.target;
  return {
    kind: listKindOf(resource),
    apiVersion: apiVersionOf(resource),
    metadata: {
      resourceVersion: String(page.revision),
      ...(page.continueToken ? { continue: page.continueToken } : {}),
      ...(page.remaining !== undefined ? { remainingItemCount: page.remaining } : {}),
    },
    items: page.items,
  };
}

/**
 * A stored value as an object. The watch cache usually holds the very same version already decoded (same
 * key and mod revision, hence the same bytes): that frozen object is shared instead of parsing the JSON again.
 */
function decodeKv(cache: WatchCache | undefined, kv: KeyValue): KubeObject | undefined {
  const cached = cache?.get(kv.key);
  if (cached !== undefined && cached.metadata?.resourceVersion === String(kv.modRevision)) return cached;
  return decodeFromStorage(kv.value, kv.modRevision);
}

/** Upstream's cap on how many keys one etcd read of a selective list asks for. */
const MAX_RANGE_LIMIT = 10_000;

/**
 * One page read from etcd as upstream's etcd3 store.GetList reads it: `limit` keys at a time from `start`,
 * all at one revision (the first read's), asking for twice as many each time a selector leaves the page
 * short; the page continues after the last key looked at whenever etcd has more or the page is full.
 */
function* listFromEtcd(s: Scope, filter: ObjectFilter, limit: number, start: string, revision: number, continuing: boolean): Generator<Effect, Page, unknown> {
  const scope = s.target.scopePrefix;
  const cache = s.env.cache(cachePrefixOf(s.target.resource));
  const items: KubeObject[] = [];
  let key = start;
  let atRevision = revision;
  let batch = limit;
  let lastKey = '';
  let hasMore = false;
  let count = 0;
  for (;;) {
    const outcome = yield* readRange(scope, key, atRevision, batch);
    if (continuing && outcome.status === 'error' && outcome.error.code === 'Compacted') {
      const restart = encodeContinue(-1, start, scope);
      fail({ ...statusError('Expired', CONTINUE_TOO_OLD), metadata: { continue: restart } as Status['metadata'] });
    }
    const result = rangeResult(outcome);
    if (atRevision <= 0) atRevision = result.header.revision;
    count = result.count;
    hasMore = result.more;
    for (const kv of result.kvs) {
      if (limit > 0 && items.length >= limit) {
        hasMore = true;
        break;
      }
      lastKey = kv.key;
      const obj = decodeKv(cache, kv);
      if (obj && filter.matches(obj)) items.push(obj);
    }
    if (!hasMore || limit === 0 || items.length >= limit) break;
    batch = Math.min(batch * 2, MAX_RANGE_LIMIT);
    key = `${lastKey}\u0000`;
  }
  if (!hasMore || limit === 0) return { items, revision: atRevision };
  return {
    items, revision: atRevision, continueToken: encodeContinue(atRevision, `${lastKey}\u0000`, scope),
    // Upstream reports a count only when no selector could make it wrong.
    ...(filter.everything ? { remaining: count - limit } : {}),
  };
}

/**
 * ConsistentListFromCache: etcd's current revision by a quorum read, then the cache once it has reached it
 * (while it waits the runner asks etcd for progress notifications on the cache's feed, so a quiet resource
 * catches up too). Undefined — read from etcd instead — when the cache is not ready or does not catch up
 * within cacheWaitMs (upstream falls back on "Too large resource version" after its 3 s wait).
 */
function* consistentListFromCache(s: Scope, filter: ObjectFilter): Generator<Effect, Page | undefined, unknown> {
  const prefix = cachePrefixOf(s.target.resource);
  if (!s.env.cache(prefix)?.ready) return undefined;
  const revision = yield* currentRevision(s.target.resource.etcdPrefix);
  if (!(yield* waitForCache(prefix, revision))) return undefined;
  const cache = s.env.cache(prefix)!;
  return pageOf(s, cache.entries(), filter, 0, cache.revision);
}

export function* listFlow(s: Scope): Flow {
  const { resource, scopePrefix } = s.target;
  const query = s.request.query ?? {};
  const filter = compileFilter(resource, query, s.target.name);
  const rv = parseResourceVersion(query);
  const limit = parseLimit(query.limit);
  const match = checkMatch(s, rv);
  if (query.continue !== undefined && query.continue !== '') {
    if (rv.kind !== 'unset') fail(badRequest('specifying resource version is not allowed when using continue'));
    const token = decodeContinue(query.continue, scopePrefix);
    return response(200, listBody(s, yield* listFromEtcd(s, filter, limit, token.startKey, Math.max(0, token.revision), true)));
  }
  if (rv.kind === 'unset') {
    // Upstream's shouldDelegateList: the cache does not paginate a consistent read, so limit > 0 goes to etcd.
    const fromCache = limit === 0 ? yield* consistentListFromCache(s, filter) : undefined;
    return response(200, listBody(s, fromCache ?? (yield* listFromEtcd(s, filter, limit, scopePrefix, 0, false))));
  }

  const cache = yield* cacheAt(s, rv);
  if (match === 'Exact' && rv.kind === 'at') {
    const state = cache.stateAt(rv.revision);
    if (!state) fail(expired(String(rv.revision), String(cache.oldestAvailable)));
    const entries = [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return response(200, listBody(s, pageOf(s, entries, filter, limit, rv.revision)));
  }
  return response(200, listBody(s, pageOf(s, cache.entries(), filter, limit, cache.revision)));
}

export function* watchFlow(s: Scope): Flow {
  const { resource, scopePrefix } = s.target;
  const query = s.request.query ?? {};
  const filter = compileFilter(resource, query, s.target.name);
  const rv = parseResourceVersion(query);
  const timeout = query.timeoutSeconds as unknown;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0)) {
    fail(badRequest(`timeoutSeconds: Invalid value: ${JSON.stringify(timeout)}: must be a non-negative integer`));
  }
  const min = s.env.config.minRequestTimeoutSeconds;
  // Upstream spreads watch lifetimes over [min, 2·min) so clients do not all reconnect at once.
  const timeoutMs = typeof timeout === 'number' && timeout > 0 ? timeout * 1000 : Math.floor(min * (1 + s.env.random())) * 1000;
  const sendInitialEvents = query.sendInitialEvents as unknown;
  const cache = yield* cacheAt(s, sendInitialEvents === true ? rv : { kind: 'any' });
  const fromRevision = rv.kind === 'at' && sendInitialEvents !== true ? rv.revision : undefined;
  return {
    kind: 'watch',
    watch: {
      cachePrefix: cache.prefix,
      scopePrefix,
      filter,
      resource,
      fromRevision,
      initialEvents: fromRevision === undefined && !(sendInitialEvents === false && rv.kind === 'unset'),
      initialEventsEndBookmark: sendInitialEvents === true,
      bookmarks: query.allowWatchBookmarks === true,
      timeoutMs,
    },
  };
}
