import { expired, notFound, statusError, type Status } from '../protocol.ts';
import { decodeContinue, encodeContinue } from '../continue-token.ts';
import { badRequest, fail, timeoutError, tooManyRequests } from '../errors.ts';
import { decodeFromStorage, type KubeObject } from '../objects.ts';
import { parseResourceVersion, type RequestedVersion } from '../resource-version.ts';
import { apiVersionOf, cachePrefixOf, listKindOf } from '../resources.ts';
import { compileFilter, type ObjectFilter } from '../selectors.ts';
import type { WatchCache } from '../watch-cache/cache.ts';
import { response, type Effect, type Flow, type Scope } from './effects.ts';
import { getScaleFlow } from './scale.ts';
import { rangeResult, readKey, readRange, waitForCache } from './storage.ts';

/**
 * GET, LIST and WATCH. Reads with resourceVersion unset are consistent reads from etcd (as kube-apiserver
 * 1.30 does without ConsistentListFromCache); "0" or a revision are served by the watch cache, once it has
 * caught up with the revision asked for. Continuations are read from etcd at the first page's revision.
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
    obj = kv && decodeFromStorage(kv.value, kv.modRevision);
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

function* decoded(kvs: readonly { key: string; value: string; modRevision: number }[]): Generator<readonly [string, KubeObject]> {
  for (const kv of kvs) {
    const obj = decodeFromStorage(kv.value, kv.modRevision);
    if (obj) yield [kv.key, obj] as const;
  }
}

function* listFromEtcd(s: Scope, filter: ObjectFilter, limit: number, start: string, revision: number, continuing: boolean): Generator<Effect, Page, unknown> {
  const outcome = yield* readRange(s.target.scopePrefix, start, revision);
  if (continuing && outcome.status === 'error' && outcome.error.code === 'Compacted') {
    const restart = encodeContinue(-1, start, s.target.scopePrefix);
    fail({ ...statusError('Expired', CONTINUE_TOO_OLD), metadata: { continue: restart } as Status['metadata'] });
  }
  const result = rangeResult(outcome);
  return pageOf(s, decoded(result.kvs), filter, limit, revision > 0 ? revision : result.header.revision);
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
  if (rv.kind === 'unset') return response(200, listBody(s, yield* listFromEtcd(s, filter, limit, scopePrefix, 0, false)));

  const cache = yield* cacheAt(s, rv);
  if (match === 'Exact' && rv.kind === 'at') {
    const state = cache.stateAt(rv.revision);
    if (!state) fail(expired(String(rv.revision), String(cache.oldestAvailable)));
    const entries = [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return response(200, listBody(s, pageOf(s, entries, filter, limit, rv.revision)));
  }
  const current = cache.keys().map((key) => [key, cache.get(key)!] as const);
  return response(200, listBody(s, pageOf(s, current, filter, limit, cache.revision)));
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
