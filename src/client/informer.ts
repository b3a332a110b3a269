// A shared informer as pure data + functions, for embedding in any machine's context: client-go's
// reflector (list, then watch from the list's resourceVersion with bookmarks; re-watch from the last
// resourceVersion when a watch ends cleanly or its stream breaks; relist after a back-off when it fails,
// expires (410) or stalls), its cache/indexer, and periodic resync. The machine feeds it `api.response` /
// `api.watch` messages and timer ticks; it answers with the messages to send and the deltas its handlers
// must see.
import type { Address } from '../bus/envelope.ts';
import type { ApiResponseMessage, ApiWatchMessage, UserInfo, WatchEventBody } from '../apiserver/protocol.ts';
import { failureFromStatus, failureOf, isExpired, isTooManyRequests, type ApiFailure } from './api-status.ts';
import { metaNamespaceKey, resourceVersionOf, type KubeObject } from './keys.ts';
import { cancelWatch, listRequest, sendRequest, watchRequest, type Outgoing, type ResourceTarget } from './requests.ts';
import { isNewerResourceVersion } from './resource-version.ts';
import type { HealthProbe } from '../host/contract.ts';
import type { LivenessOptions } from './connection-health.ts';
import { emptyStore, storeDelete, storeGet, storeKeys, storeList, storePut, storeReplace, type Indexers, type Store } from './store.ts';

/** What an informer watches and how it indexes. Static (it holds functions): keep it out of machine context. */
export interface InformerSpec<T extends KubeObject> {
  readonly name: string;
  readonly resource: ResourceTarget;
  /** Undefined: all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly indexers?: Indexers<T>;
}

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** A back-off that started longer ago than this is reset to `initialMs`. */
  readonly resetAfterMs: number;
}

/** Plain data: lives in the informer state. */
export interface InformerOptions {
  readonly apiserver: Address;
  /** Makes request ids unique per host and incarnation (e.g. "kcm-0#1"). */
  readonly idPrefix: string;
  /** Re-deliver every cached object as an update this often; 0 = never. */
  readonly resyncPeriodMs: number;
  /** The watch's timeoutSeconds: the server ends it cleanly after this and the reflector re-watches. */
  readonly watchTimeoutSeconds: number;
  /** A watch silent this long is treated as a dead connection (cancelled, then relisted); 0 = never. */
  readonly stallTimeoutMs: number;
  /** A list unanswered this long failed. */
  readonly listTimeoutMs: number;
  /**
   * HTTP/2 health pings for an informer alone on its connection (client-go's ReadIdleTimeout 30 s,
   * PingTimeout 15 s): a watch silent for `idleMs` gets a `health.probe` to its apiserver; no `health.ok`
   * within `timeoutMs` and the connection is taken as dead (a partition, a crashed server): the watch
   * ends and the reflector relists, as on `informerConnectionLost`. Off when absent: the holder must feed
   * `health.ok` answers to `receiveHealthOk`. A component with several informers shares one check per
   * connection instead (connection-health.ts) and leaves this off.
   */
  readonly liveness?: LivenessOptions;
  readonly backoff: BackoffOptions;
  readonly user?: UserInfo;
  /**
   * No longer needed, and ignored: it let a holder that keeps no earlier informer state have watch events
   * update the cache in place, when an update copied the whole cache. The cache is now a persistent map
   * (store.ts) whose updates copy only a path, for every informer.
   */
  readonly ownsStore?: boolean;
  /**
   * TEST-ONLY planted bug, to prove the tests catch it; never set otherwise. `ignore-watch-gaps`: carry on
   * after a lost watch message instead of treating the stream as broken.
   */
  readonly plant?: 'ignore-watch-gaps';
}

/** client-go's reflector defaults: 5-minute watches, 800 ms → 30 s relist back-off reset after 2 minutes. */
export const DEFAULT_INFORMER_OPTIONS: Omit<InformerOptions, 'apiserver' | 'idPrefix'> = Object.freeze({
  resyncPeriodMs: 0,
  watchTimeoutSeconds: 300,
  // No message at all for longer than the watch's own timeout means the stream is gone.
  stallTimeoutMs: 330_000,
  listTimeoutMs: 60_000,
  backoff: Object.freeze({ initialMs: 800, maxMs: 30_000, factor: 2, resetAfterMs: 120_000 }),
});

export type ReflectorPhase = 'stopped' | 'listing' | 'watching' | 'backoff';

export interface InformerStats {
  readonly lists: number;
  readonly watches: number;
  readonly expired: number;
  readonly stalls: number;
  readonly failures: number;
  /** Watch events at or below the last resourceVersion (duplicates), discarded. */
  readonly staleEvents: number;
  /** Watch messages whose `seq` was already seen (the network repeated them), discarded. */
  readonly duplicateMessages: number;
  /** Watch streams broken by a gap in `seq` (a message lost or overtaken), then watched again. */
  readonly brokenStreams: number;
  readonly resyncs: number;
}

export interface InformerState<T extends KubeObject> {
  readonly name: string;
  readonly options: InformerOptions;
  readonly store: Store<T>;
  readonly phase: ReflectorPhase;
  /** HasSynced: the first list has been delivered. */
  readonly hasSynced: boolean;
  readonly lastSyncResourceVersion: string;
  /** Set when a list from lastSyncResourceVersion was itself too old: the next list is a quorum read. */
  readonly lastSyncResourceVersionUnavailable: boolean;
  readonly seq: number;
  readonly list?: { readonly requestId: string; readonly deadline: number };
  readonly watch?: {
    readonly requestId: string;
    readonly lastHeardAt: number;
    /** The `seq` of the last message taken from this stream (0: none yet). */
    readonly lastSeq: number;
    /** The last `health.ok` from its apiserver (the connection is alive, the stream merely quiet). */
    readonly lastAliveAt?: number;
    /** An unanswered health probe: its id, and when the connection is given up. */
    readonly probe?: { readonly id: string; readonly deadline: number };
  };
  readonly backoff: {
    readonly nextDelayMs: number;
    readonly lastStartedAt?: number;
    readonly until?: number;
    /** After the back-off: watch again (429 on a watch) rather than relist. */
    readonly rewatch: boolean;
  };
  readonly nextResyncAt?: number;
  readonly lastError?: ApiFailure;
  readonly stats: InformerStats;
}

/** What the handlers see, in order (OnAdd / OnUpdate / OnDelete). */
export type Delta<T> =
  | { readonly type: 'added'; readonly object: T }
  /** `old === object` on a resync or a relist of an unchanged object (same resourceVersion). */
  | { readonly type: 'updated'; readonly old: T; readonly object: T }
  /** `finalStateUnknown`: gone from a relist, so `object` is the last state seen (a tombstone). */
  | { readonly type: 'deleted'; readonly object: T; readonly finalStateUnknown: boolean };

export interface InformerStep<T extends KubeObject> {
  readonly state: InformerState<T>;
  readonly sends: readonly Outgoing[];
  /** Health probes of the watch's apiserver (only with `options.liveness`): the holder sends these too. */
  readonly probes?: readonly Outgoing<HealthProbe>[];
  readonly deltas: readonly Delta<T>[];
}

const NO_STATS: InformerStats = Object.freeze({
  lists: 0, watches: 0, expired: 0, stalls: 0, failures: 0, staleEvents: 0, duplicateMessages: 0, brokenStreams: 0, resyncs: 0,
});

export function newInformer<T extends KubeObject>(spec: InformerSpec<T>, options: InformerOptions): InformerState<T> {
  return {
    name: spec.name,
    options,
    store: emptyStore(spec.indexers),
    phase: 'stopped',
    hasSynced: false,
    lastSyncResourceVersion: '',
    lastSyncResourceVersionUnavailable: false,
    seq: 0,
    backoff: { nextDelayMs: options.backoff.initialMs, rewatch: false },
    stats: NO_STATS,
  };
}

function step<T extends KubeObject>(state: InformerState<T>, sends: Outgoing[] = [], deltas: Delta<T>[] = []): InformerStep<T> {
  return { state, sends, deltas };
}

function bump(stats: InformerStats, field: keyof InformerStats): InformerStats {
  return { ...stats, [field]: stats[field] + 1 };
}

/** relistResourceVersion: "0" (any cached state) first, then not older than the last seen, "" after a 410. */
function relistResourceVersion<T extends KubeObject>(state: InformerState<T>): string {
  if (state.lastSyncResourceVersionUnavailable) return '';
  return state.lastSyncResourceVersion === '' ? '0' : state.lastSyncResourceVersion;
}

function beginList<T extends KubeObject>(spec: InformerSpec<T>, state: InformerState<T>, now: number): InformerStep<T> {
  const seq = state.seq + 1;
  const requestId = `${state.options.idPrefix}/${spec.name}/list-${seq}`;
  const request = listRequest(spec.resource, {
    namespace: spec.namespace,
    labelSelector: spec.labelSelector,
    fieldSelector: spec.fieldSelector,
    resourceVersion: relistResourceVersion(state),
    user: state.options.user,
  });
  const next: InformerState<T> = {
    ...state, seq, phase: 'listing', list: { requestId, deadline: now + state.options.listTimeoutMs }, watch: undefined,
    stats: bump(state.stats, 'lists'),
  };
  return step(next, [sendRequest(state.options.apiserver, requestId, request)]);
}

function beginWatch<T extends KubeObject>(spec: InformerSpec<T>, state: InformerState<T>, now: number): InformerStep<T> {
  const seq = state.seq + 1;
  const requestId = `${state.options.idPrefix}/${spec.name}/watch-${seq}`;
  const request = watchRequest(spec.resource, {
    namespace: spec.namespace,
    labelSelector: spec.labelSelector,
    fieldSelector: spec.fieldSelector,
    resourceVersion: state.lastSyncResourceVersion,
    timeoutSeconds: state.options.watchTimeoutSeconds,
    allowWatchBookmarks: true,
    user: state.options.user,
  });
  const next: InformerState<T> = {
    ...state, seq, phase: 'watching', list: undefined, watch: { requestId, lastHeardAt: now, lastSeq: 0 }, stats: bump(state.stats, 'watches'),
  };
  return step(next, [sendRequest(state.options.apiserver, requestId, request)]);
}

/** ExponentialBackoffManager: 800 ms, doubling to 30 s, reset when the last back-off began > 2 min ago. */
function enterBackoff<T extends KubeObject>(state: InformerState<T>, now: number, failure: ApiFailure, rewatch = false): InformerState<T> {
  const opts = state.options.backoff;
  const fresh = state.backoff.lastStartedAt === undefined || now - state.backoff.lastStartedAt > opts.resetAfterMs;
  const delay = fresh ? opts.initialMs : state.backoff.nextDelayMs;
  return {
    ...state,
    phase: 'backoff',
    list: undefined,
    watch: undefined,
    lastError: failure,
    stats: bump(state.stats, 'failures'),
    backoff: { nextDelayMs: Math.min(delay * opts.factor, opts.maxMs), lastStartedAt: now, until: now + delay, rewatch },
  };
}

/** Starts the reflector: the first list (resourceVersion "0"). */
export function startInformer<T extends KubeObject>(spec: InformerSpec<T>, state: InformerState<T>, now: number): InformerStep<T> {
  return state.phase === 'stopped' ? beginList(spec, state, now) : step(state);
}

/** Stops it, closing the watch. The cache is kept (a stopped informer still answers reads). */
export function stopInformer<T extends KubeObject>(state: InformerState<T>): InformerStep<T> {
  const sends = state.watch ? [cancelWatch(state.options.apiserver, state.watch.requestId)] : [];
  return step({ ...state, phase: 'stopped', list: undefined, watch: undefined }, sends);
}

/** True when `requestId` is this informer's current list or watch. */
export function ownsRequest<T extends KubeObject>(state: InformerState<T>, requestId: string): boolean {
  return state.list?.requestId === requestId || state.watch?.requestId === requestId;
}

interface ListBody {
  metadata?: { resourceVersion?: string };
  items?: unknown[];
}

/** A list's items replace the cache: added / updated for what it holds, tombstones for what it lost. */
function replaceFromList<T extends KubeObject>(spec: InformerSpec<T>, state: InformerState<T>, items: readonly T[]): [Store<T>, Delta<T>[]] {
  const deltas: Delta<T>[] = [];
  const entries: (readonly [string, T])[] = [];
  const listed = new Set<string>();
  for (const object of items) {
    const key = metaNamespaceKey(object);
    listed.add(key);
    entries.push([key, object]);
    const old = storeGet(state.store, key);
    deltas.push(old === undefined ? { type: 'added', object } : { type: 'updated', old, object });
  }
  for (const key of storeKeys(state.store)) {
    if (!listed.has(key)) deltas.push({ type: 'deleted', object: storeGet(state.store, key)!, finalStateUnknown: true });
  }
  return [storeReplace(spec.indexers ?? {}, entries), deltas];
}

function onListResponse<T extends KubeObject>(spec: InformerSpec<T>, state: InformerState<T>, message: ApiResponseMessage, now: number): InformerStep<T> {
  const failure = failureOf(message);
  if (failure) {
    // A list from a resourceVersion the server no longer has: retry at once as a quorum read.
    if (isExpired(failure) && relistResourceVersion(state) !== '') {
      return beginList(spec, { ...state, lastSyncResourceVersionUnavailable: true, stats: bump(state.stats, 'expired') }, now);
    }
    return step(enterBackoff(state, now, failure));
  }
  const body = (message.body ?? {}) as ListBody;
  const [store, deltas] = replaceFromList(spec, state, (body.items ?? []) as T[]);
  const resync = state.options.resyncPeriodMs;
  const synced: InformerState<T> = {
    ...state,
    store,
    hasSynced: true,
    lastSyncResourceVersion: body.metadata?.resourceVersion ?? state.lastSyncResourceVersion,
    lastSyncResourceVersionUnavailable: false,
    nextResyncAt: resync > 0 ? (state.nextResyncAt ?? now + resync) : undefined,
  };
  const watching = beginWatch(spec, synced, now);
  return step(watching.state, [...watching.sends], deltas);
}

function onWatchFailure<T extends KubeObject>(state: InformerState<T>, failure: ApiFailure, now: number, sends: Outgoing[], deltas: Delta<T>[]): InformerStep<T> {
  const stats = isExpired(failure) ? bump(state.stats, 'expired') : state.stats;
  return step(enterBackoff({ ...state, stats }, now, failure, isTooManyRequests(failure)), sends, deltas);
}

/** Feeds an `api.response` addressed to this informer (a list answer, or a watch refused up front). */
export function receiveResponse<T extends KubeObject>(
  spec: InformerSpec<T>, state: InformerState<T>, message: ApiResponseMessage, now: number,
): InformerStep<T> {
  if (state.list?.requestId === message.requestId) return onListResponse(spec, state, message, now);
  if (state.watch?.requestId !== message.requestId) return step(state);
  const failure = failureOf(message);
  if (!failure) return step({ ...state, watch: { ...state.watch, lastHeardAt: now } });
  return onWatchFailure(state, failure, now, [], []);
}

function objectOf(event: WatchEventBody): KubeObject {
  return (event.object ?? {}) as KubeObject;
}

/** Where a numbered message stands on its stream: the next one, a repeat, or past a gap. */
function streamPosition(lastSeq: number, seq: number | undefined): 'next' | 'repeat' | 'gap' {
  if (seq === undefined) return 'next'; // an unnumbered stream (old test doubles): take it as it comes
  if (seq <= lastSeq) return 'repeat';
  return seq === lastSeq + 1 ? 'next' : 'gap';
}

/**
 * A message went missing (or is still behind this one): over TCP the stream would have broken here. Close
 * it and watch again from the last resourceVersion processed, as the reflector does when a watch ends; the
 * server replays what followed, or answers 410 and the reflector relists.
 */
function onBrokenStream<T extends KubeObject>(spec: InformerSpec<T>, state: InformerState<T>, message: ApiWatchMessage, now: number): InformerStep<T> {
  const sends = message.closed ? [] : [cancelWatch(state.options.apiserver, message.requestId)];
  const again = beginWatch(spec, { ...state, stats: bump(state.stats, 'brokenStreams') }, now);
  return step(again.state, [...sends, ...again.sends]);
}

/** Feeds an `api.watch` batch addressed to this informer's current watch. */
export function receiveWatch<T extends KubeObject>(
  spec: InformerSpec<T>, state: InformerState<T>, message: ApiWatchMessage, now: number,
): InformerStep<T> {
  if (state.watch?.requestId !== message.requestId) return step(state);
  const position = streamPosition(state.watch.lastSeq, message.seq);
  if (position === 'repeat') return step({ ...state, stats: bump(state.stats, 'duplicateMessages') });
  if (position === 'gap' && state.options.plant !== 'ignore-watch-gaps') return onBrokenStream(spec, state, message, now);
  const indexers = spec.indexers ?? {};
  const deltas: Delta<T>[] = [];
  const lastSeq = message.seq ?? state.watch.lastSeq;
  let current: InformerState<T> = { ...state, watch: { ...state.watch, lastHeardAt: now, lastSeq } };
  for (const event of message.events) {
    if (event.type === 'ERROR') {
      const sends = message.closed ? [] : [cancelWatch(state.options.apiserver, message.requestId)];
      return onWatchFailure(current, failureFromStatus(event.object), now, sends, deltas);
    }
    const rv = resourceVersionOf(objectOf(event));
    if (event.type === 'BOOKMARK') {
      if (rv !== '' && isNewerResourceVersion(rv, current.lastSyncResourceVersion)) current = { ...current, lastSyncResourceVersion: rv };
      continue;
    }
    if (rv !== '' && current.lastSyncResourceVersion !== '' && !isNewerResourceVersion(rv, current.lastSyncResourceVersion)) {
      current = { ...current, stats: bump(current.stats, 'staleEvents') };
      continue;
    }
    const object = event.object as T;
    const key = metaNamespaceKey(object);
    const old = storeGet(current.store, key);
    if (event.type === 'DELETED') {
      current = { ...current, store: storeDelete(current.store, indexers, key) };
      deltas.push({ type: 'deleted', object, finalStateUnknown: false });
    } else {
      current = { ...current, store: storePut(current.store, indexers, key, object) };
      deltas.push(old === undefined ? { type: 'added', object } : { type: 'updated', old, object });
    }
    if (rv !== '') current = { ...current, lastSyncResourceVersion: rv };
  }
  if (message.closed) {
    // A clean end (timeoutSeconds, or the server let go): watch again from where we are.
    const again = beginWatch(spec, current, now);
    return step(again.state, [...again.sends], deltas);
  }
  return step(current, [], deltas);
}

/** Timers: back-off over, list timed out, watch stalled, resync due. */
export function tickInformer<T extends KubeObject>(spec: InformerSpec<T>, state: InformerState<T>, now: number): InformerStep<T> {
  let current = state;
  const sends: Outgoing[] = [];
  const probes: Outgoing<HealthProbe>[] = [];
  const deltas: Delta<T>[] = [];
  if (current.phase === 'backoff' && current.backoff.until !== undefined && now >= current.backoff.until) {
    const rewatch = current.backoff.rewatch && current.hasSynced;
    const resumed = rewatch ? beginWatch(spec, current, now) : beginList(spec, current, now);
    current = { ...resumed.state, backoff: { ...resumed.state.backoff, until: undefined, rewatch: false } };
    sends.push(...resumed.sends);
  } else if (current.phase === 'listing' && current.list && now >= current.list.deadline) {
    current = enterBackoff(current, now, { code: 504, reason: 'Timeout', message: 'list timed out' });
  } else if (current.phase === 'watching' && current.watch?.probe && now >= current.watch.probe.deadline) {
    // No answer to the health ping: the connection is dead, and the watch on it with it.
    const lost = informerConnectionLost(current, current.options.apiserver, now);
    current = lost.state;
    sends.push(...lost.sends);
  } else if (current.phase === 'watching' && current.watch && current.options.liveness && !current.watch.probe &&
    now >= livenessProbeAt(current.watch, current.options.liveness.idleMs)) {
    const seq = current.seq + 1;
    const id = `${current.options.idPrefix}/${spec.name}/probe-${seq}`;
    probes.push({ to: current.options.apiserver, message: { type: 'health.probe', id } });
    current = { ...current, seq, watch: { ...current.watch, probe: { id, deadline: now + current.options.liveness.timeoutMs } } };
  } else if (current.phase === 'watching' && current.watch && current.options.stallTimeoutMs > 0 &&
    now - current.watch.lastHeardAt >= current.options.stallTimeoutMs) {
    sends.push(cancelWatch(current.options.apiserver, current.watch.requestId));
    current = enterBackoff({ ...current, stats: bump(current.stats, 'stalls') }, now, {
      code: 504, reason: 'Timeout', message: 'watch stalled',
    });
  }
  if (current.hasSynced && current.nextResyncAt !== undefined && now >= current.nextResyncAt) {
    for (const object of storeList(current.store)) deltas.push({ type: 'updated', old: object, object });
    current = { ...current, nextResyncAt: now + current.options.resyncPeriodMs, stats: bump(current.stats, 'resyncs') };
  }
  return probes.length > 0 ? { ...step(current, sends, deltas), probes } : step(current, sends, deltas);
}

function livenessProbeAt(watch: NonNullable<InformerState<KubeObject>['watch']>, idleMs: number): number {
  return Math.max(watch.lastHeardAt, watch.lastAliveAt ?? -Infinity) + idleMs;
}

/** True when `id` is the health probe of this informer's watch (the holder routes `health.ok` here). */
export function ownsHealthProbe<T extends KubeObject>(state: InformerState<T>, id: string): boolean {
  return state.watch?.probe?.id === id;
}

/** A `health.ok` for the watch's probe: the connection is alive; probe again after the next idle spell. */
export function receiveHealthOk<T extends KubeObject>(state: InformerState<T>, id: string, now: number): InformerStep<T> {
  if (!state.watch || state.watch.probe?.id !== id) return step(state);
  return step({ ...state, watch: { requestId: state.watch.requestId, lastHeardAt: state.watch.lastHeardAt, lastSeq: state.watch.lastSeq, lastAliveAt: now } });
}

/**
 * What a watch or list in flight sees when the connection carrying it closes after an unanswered health
 * ping: the stream decoder fails with "http2: client connection lost", which is no probable EOF, so the
 * watch ends with an InternalError event; the reflector's watch() logs "watch of … ended with: …" and
 * returns, and ListAndWatch runs again after the back-off (wait.BackoffUntil): a relist, not a re-watch
 * (k8s.io/client-go/tools/cache/reflector.go, k8s.io/apimachinery/pkg/watch/streamwatcher.go). A list in
 * flight fails with the transport error and is retried the same way. Other informers are untouched.
 */
export function informerConnectionLost<T extends KubeObject>(state: InformerState<T>, apiserver: Address, now: number): InformerStep<T> {
  if (state.options.apiserver !== apiserver || (state.phase !== 'watching' && state.phase !== 'listing')) return step(state);
  const sends = state.watch ? [cancelWatch(apiserver, state.watch.requestId)] : [];
  const failure: ApiFailure = state.watch
    ? { code: 500, reason: 'InternalError', message: CONNECTION_LOST_WATCH_MESSAGE }
    : { code: 500, reason: '', message: 'http2: client connection lost' };
  return step(enterBackoff({ ...state, stats: bump(state.stats, 'stalls') }, now, failure), sends);
}

/** The Status a watch's decoder reports when its connection is lost (the ClientWatchDecoding reporter). */
export const CONNECTION_LOST_WATCH_MESSAGE =
  'an error on the server ("unable to decode an event from the watch stream: http2: client connection lost") has prevented the request from succeeding';

/** When `tickInformer` next has something to do. */
export function informerDeadline<T extends KubeObject>(state: InformerState<T>): number | undefined {
  const candidates: number[] = [];
  if (state.phase === 'backoff' && state.backoff.until !== undefined) candidates.push(state.backoff.until);
  if (state.phase === 'listing' && state.list) candidates.push(state.list.deadline);
  if (state.phase === 'watching' && state.watch && state.options.stallTimeoutMs > 0) {
    candidates.push(state.watch.lastHeardAt + state.options.stallTimeoutMs);
  }
  if (state.phase === 'watching' && state.watch && state.options.liveness) {
    candidates.push(state.watch.probe ? state.watch.probe.deadline : livenessProbeAt(state.watch, state.options.liveness.idleMs));
  }
  if (state.hasSynced && state.nextResyncAt !== undefined) candidates.push(state.nextResyncAt);
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}
