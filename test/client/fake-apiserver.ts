// A fake kube-apiserver for tests of clients (informers, controllers): the protocol of
// src/apiserver/protocol.ts served from an in-memory store (fake-apiserver-store.ts), with watch streams
// (replay from a resourceVersion, bookmarks, timeoutSeconds) and faults a test can switch on at any
// time: watch batches delayed (per-stream order kept), duplicated, dropped (the stream breaks: that
// batch and everything after are lost and it goes silent, as a dead connection), or closed; and 410
// Expired on demand. Like the real apiserver it numbers each stream's messages (`seq`), so a client can
// tell a message the bus lost, repeated or reordered from a whole stream. It does no scheduling, admission or validation; pods change only when told.
import { assign, enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type {
  ApiRequestMessage, ApiWatchCancelMessage, ApiWatchMessage, WatchEventBody,
} from '../../src/apiserver/protocol.ts';
import { expired, type Status } from '../../src/apiserver/protocol.ts';
import type { KubeObject } from '../../src/client/index.ts';
import { apiVersionOf, resourceForPlural } from '../../src/api/index.ts';
import { rngNext, type RngState } from '../../src/sim/random.ts';
import {
  apiCreate, apiDelete, apiGet, apiList, apiPatch, apiUpdate, compactAll, emptyApiStore, selects,
  type ApiResult, type ApiStore, type HistoryEntry,
} from './fake-apiserver-store.ts';

export interface WatchFaults {
  /** Each watch batch waits a uniform [min, max] ms before leaving; a stream never reorders. */
  delayMs?: readonly [number, number];
  /** Probability a batch is delivered twice. */
  duplicate?: number;
  /** Probability the stream breaks at a batch (it and all later ones are lost; the stream goes silent). */
  drop?: number;
  /** Probability the stream is ended cleanly after a batch. */
  close?: number;
  /** Resources (plural) the faults apply to; all when absent. */
  resources?: readonly string[];
}

export interface FakeApiserverConfig {
  /** BOOKMARK to every watch that allows them this often; 0 = never. */
  bookmarkIntervalMs?: number;
  /** Watch events kept for replay; a watch from before them gets 410. */
  historyLimit?: number;
  faults?: WatchFaults;
  /** How a watch from a too-old resourceVersion is refused: an ERROR event (as kube-apiserver) or a 410 response. */
  expiredAs?: 'event' | 'response';
}

export interface OpenWatch {
  from: string;
  requestId: string;
  resource: string;
  namespace?: string;
  labelSelector?: string;
  bookmarks: boolean;
  expiresAt?: number;
  /** Release time of its last batch: later batches never leave earlier. */
  tail: number;
  broken: boolean;
  /** Messages put on this stream so far (the last one's `seq`). */
  sent: number;
}

export interface Delivery {
  at: number;
  seq: number;
  to: string;
  message: ApiWatchMessage;
}

export interface RequestLogEntry {
  at: number;
  from: string;
  requestId: string;
  verb: string;
  resource: string;
  name?: string;
  code: number;
}

export interface FakeStats {
  batches: number;
  delayed: number;
  duplicated: number;
  dropped: number;
  closed: number;
  expired: number;
  /** Requests delivered again by the network, ignored. */
  repeatedRequests: number;
}

export interface FakeApiserverContext {
  now: () => number;
  api: ApiStore;
  faults: WatchFaults;
  bookmarkIntervalMs: number;
  expiredAs: 'event' | 'response';
  rng: RngState;
  watches: Record<string, OpenWatch>;
  outbox: Delivery[];
  seq: number;
  nextBookmarkAt?: number;
  log: RequestLogEntry[];
  /** `from|requestId` of every request served: a copy the network repeats is ignored, as the apiserver does. */
  served: Readonly<Record<string, true>>;
  stats: FakeStats;
  rejections: { verb: string; resource: string; remaining: number; status: Status }[];
}

/** Test commands, sent straight to the host (`host.send`). */
export type FakeCommand =
  | { type: 'fake.faults'; faults: WatchFaults }
  /** Forget all history and end every watch with 410 Expired. */
  | { type: 'fake.expire' }
  /** Create or replace an object as a client's PUT would, without a resourceVersion check. */
  | { type: 'fake.put'; resource: string; object: KubeObject; subresource?: 'status' }
  | { type: 'fake.delete'; resource: string; namespace?: string; name: string }
  /** Answer the next `times` matching requests with this error instead of serving them. */
  | { type: 'fake.reject'; verb: string; resource: string; times: number; status: Status };

export type FakeApiserverEvent =
  | (ApiRequestMessage & { from: string })
  | (ApiWatchCancelMessage & { from: string })
  | FakeCommand;

const IDLE_MS = 3_600_000;
const requestKey = (from: string, requestId: string): string => `${from}|${requestId}`;

function draw(context: FakeApiserverContext): [number, FakeApiserverContext] {
  const [u, rng] = rngNext(context.rng);
  return [u, { ...context, rng }];
}

function faultsApply(context: FakeApiserverContext, resource: string): boolean {
  return context.faults.resources === undefined || context.faults.resources.includes(resource);
}

/** Puts one batch on a stream, through the faults. */
function deliver(context: FakeApiserverContext, id: string, events: WatchEventBody[], closed = false): FakeApiserverContext {
  const watch = context.watches[id];
  if (!watch || watch.broken) return context;
  let ctx = context;
  let w: OpenWatch = watch;
  let duplicate = false;
  let close = closed;
  const stats = { ...ctx.stats, batches: ctx.stats.batches + 1 };
  let delay = 0;
  if (faultsApply(ctx, w.resource)) {
    const f = ctx.faults;
    let u: number;
    if (f.drop) {
      [u, ctx] = draw(ctx);
      if (u < f.drop) {
        return { ...ctx, watches: { ...ctx.watches, [id]: { ...w, broken: true } }, stats: { ...stats, dropped: stats.dropped + 1 } };
      }
    }
    if (f.delayMs) {
      [u, ctx] = draw(ctx);
      delay = f.delayMs[0] + u * (f.delayMs[1] - f.delayMs[0]);
      if (delay > 0) stats.delayed++;
    }
    if (f.duplicate) {
      [u, ctx] = draw(ctx);
      duplicate = u < f.duplicate;
      if (duplicate) stats.duplicated++;
    }
    if (f.close && !close) {
      [u, ctx] = draw(ctx);
      close = u < f.close;
      if (close) stats.closed++;
    }
  }
  const at = Math.max(ctx.now() + delay, w.tail);
  w = { ...w, tail: at, sent: w.sent + 1 };
  const message: ApiWatchMessage = { type: 'api.watch', requestId: w.requestId, events, ...(close ? { closed: true } : {}), seq: w.sent };
  const outbox = [...ctx.outbox, { at, seq: ctx.seq, to: w.from, message }];
  let seq = ctx.seq + 1;
  if (duplicate && !close) outbox.push({ at, seq: seq++, to: w.from, message });
  const watches = { ...ctx.watches };
  if (close) delete watches[id];
  else watches[id] = w;
  return { ...ctx, outbox, seq, watches, stats };
}

function eventBody(entry: HistoryEntry): WatchEventBody {
  return { type: entry.type, object: entry.object };
}

function matchesWatch(watch: OpenWatch, entry: HistoryEntry): boolean {
  return watch.resource === entry.resource &&
    (!watch.namespace || entry.object.metadata?.namespace === watch.namespace) &&
    selects(watch.labelSelector, entry.object);
}

function broadcast(context: FakeApiserverContext, entries: HistoryEntry[]): FakeApiserverContext {
  let ctx = context;
  for (const entry of entries) {
    for (const id of Object.keys(ctx.watches).sort()) {
      if (matchesWatch(ctx.watches[id], entry)) ctx = deliver(ctx, id, [eventBody(entry)]);
    }
  }
  return ctx;
}

function logRequest(context: FakeApiserverContext, event: ApiRequestMessage & { from: string }, name: string | undefined, code: number): RequestLogEntry[] {
  const { verb, resource } = event.request;
  return [...context.log, { at: context.now(), from: event.from, requestId: event.requestId, verb, resource, ...(name ? { name } : {}), code }];
}

type Emit = (event: HostedEmitted) => void;

function respond(emit: Emit, to: string, requestId: string, code: number, body: unknown): void {
  emit({ type: 'net.send', to, message: { type: 'api.response', requestId, code, body } });
}

function openWatch(context: FakeApiserverContext, event: ApiRequestMessage & { from: string }, emit: Emit): FakeApiserverContext {
  const request = event.request;
  const query = request.query ?? {};
  const rv = query.resourceVersion ?? '';
  const fromRv = rv === '' || rv === '0' ? undefined : Number(rv);
  const r = resourceForPlural(request.resource, request.group);
  if (fromRv !== undefined && fromRv < context.api.compactedRv) {
    const status = expired(rv, String(context.api.compactedRv));
    const stats = { ...context.stats, expired: context.stats.expired + 1 };
    if (context.expiredAs === 'response') {
      respond(emit, event.from, event.requestId, 410, status);
      return { ...context, stats };
    }
    const message: ApiWatchMessage = { type: 'api.watch', requestId: event.requestId, events: [{ type: 'ERROR', object: status }], closed: true, seq: 1 };
    return { ...context, stats, outbox: [...context.outbox, { at: context.now(), seq: context.seq, to: event.from, message }], seq: context.seq + 1 };
  }
  const id = requestKey(event.from, event.requestId);
  const watch: OpenWatch = {
    from: event.from, requestId: event.requestId, resource: request.resource, namespace: request.namespace,
    labelSelector: query.labelSelector, bookmarks: query.allowWatchBookmarks === true,
    expiresAt: query.timeoutSeconds ? context.now() + query.timeoutSeconds * 1000 : undefined, tail: 0, broken: false, sent: 0,
  };
  let ctx: FakeApiserverContext = { ...context, watches: { ...context.watches, [id]: watch } };
  if (fromRv !== undefined && r) {
    const replay = ctx.api.history.filter((entry) => entry.rv > fromRv && matchesWatch(watch, entry)).map(eventBody);
    if (replay.length > 0) ctx = deliver(ctx, id, replay);
  }
  return ctx;
}

function serve(received: FakeApiserverContext, event: ApiRequestMessage & { from: string }, emit: Emit): FakeApiserverContext {
  const request = event.request;
  const key = requestKey(event.from, event.requestId);
  if (received.served[key]) return { ...received, stats: { ...received.stats, repeatedRequests: received.stats.repeatedRequests + 1 } };
  const context = { ...received, served: { ...received.served, [key]: true as const } };
  if (request.verb === 'watch') {
    return { ...openWatch(context, event, emit), log: logRequest(context, event, undefined, 200) };
  }
  const rejection = context.rejections.find((r) => r.verb === request.verb && r.resource === request.resource && r.remaining > 0);
  if (rejection) {
    respond(emit, event.from, event.requestId, rejection.status.code, rejection.status);
    const rejections = context.rejections.map((r) => (r === rejection ? { ...r, remaining: r.remaining - 1 } : r));
    return { ...context, rejections, log: logRequest(context, event, request.name, rejection.status.code) };
  }
  const now = context.now();
  let result: ApiResult;
  switch (request.verb) {
    case 'get': result = apiGet(context.api, request); break;
    case 'list': result = apiList(context.api, request); break;
    case 'create': result = apiCreate(context.api, request, now); break;
    case 'update': result = apiUpdate(context.api, request); break;
    case 'patch': result = apiPatch(context.api, request); break;
    case 'delete': result = apiDelete(context.api, request); break;
    default:
      result = { store: context.api, code: 405, body: { kind: 'Status', code: 405, reason: 'MethodNotAllowed', message: `${request.verb} is not supported by the fake`, status: 'Failure' }, events: [] };
  }
  respond(emit, event.from, event.requestId, result.code, result.body);
  const name = request.name ?? (result.code < 300 ? (result.body as KubeObject).metadata?.name : undefined);
  const ctx = { ...context, api: result.store, log: logRequest(context, event, name, result.code) };
  return broadcast(ctx, result.events);
}

function command(context: FakeApiserverContext, cmd: FakeCommand): FakeApiserverContext {
  switch (cmd.type) {
    case 'fake.faults':
      return { ...context, faults: cmd.faults };
    case 'fake.reject':
      return { ...context, rejections: [...context.rejections, { verb: cmd.verb, resource: cmd.resource, remaining: cmd.times, status: cmd.status }] };
    case 'fake.expire': {
      let ctx: FakeApiserverContext = { ...context, api: compactAll(context.api) };
      const status = expired('0', String(ctx.api.rv));
      for (const id of Object.keys(ctx.watches).sort()) {
        const watch = ctx.watches[id];
        if (watch.broken) continue;
        const message: ApiWatchMessage = { type: 'api.watch', requestId: watch.requestId, events: [{ type: 'ERROR', object: status }], closed: true, seq: watch.sent + 1 };
        ctx = { ...ctx, outbox: [...ctx.outbox, { at: Math.max(ctx.now(), watch.tail), seq: ctx.seq, to: watch.from, message }], seq: ctx.seq + 1 };
      }
      return { ...ctx, watches: {}, stats: { ...ctx.stats, expired: ctx.stats.expired + 1 } };
    }
    case 'fake.put': {
      const r = resourceForPlural(cmd.resource);
      const meta = cmd.object.metadata ?? {};
      const request = {
        verb: 'update' as const, group: r?.group ?? '', version: r?.version ?? 'v1', resource: cmd.resource,
        namespace: meta.namespace, name: meta.name, body: cmd.object, subresource: cmd.subresource,
      };
      const exists = context.api.objects[cmd.resource]?.[meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name ?? ''];
      const result = exists ? apiUpdate(context.api, request, true) : apiCreate(context.api, { ...request, verb: 'create' }, context.now());
      return broadcast({ ...context, api: result.store }, result.events);
    }
    case 'fake.delete': {
      const r = resourceForPlural(cmd.resource);
      const result = apiDelete(context.api, { verb: 'delete', group: r?.group ?? '', version: 'v1', resource: cmd.resource, namespace: cmd.namespace, name: cmd.name });
      return broadcast({ ...context, api: result.store }, result.events);
    }
  }
}

/** Bookmarks and watch timeouts due now. */
function housekeeping(context: FakeApiserverContext): FakeApiserverContext {
  const now = context.now();
  let ctx = context;
  for (const id of Object.keys(ctx.watches).sort()) {
    const watch = ctx.watches[id];
    if (watch.expiresAt !== undefined && now >= watch.expiresAt) ctx = deliver(ctx, id, [], true);
  }
  if (ctx.bookmarkIntervalMs > 0 && ctx.nextBookmarkAt !== undefined && now >= ctx.nextBookmarkAt) {
    for (const id of Object.keys(ctx.watches).sort()) {
      const watch = ctx.watches[id];
      const r = resourceForPlural(watch.resource);
      if (!watch.bookmarks || !r) continue;
      ctx = deliver(ctx, id, [{ type: 'BOOKMARK', object: { apiVersion: apiVersionOf(r), kind: r.kind, metadata: { resourceVersion: String(ctx.api.rv) } } }]);
    }
    ctx = { ...ctx, nextBookmarkAt: now + ctx.bookmarkIntervalMs };
  }
  return ctx;
}

/** Sends every batch whose time has come, in release order. */
function flush(context: FakeApiserverContext, emit: Emit): FakeApiserverContext {
  const now = context.now();
  const due = context.outbox.filter((d) => d.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
  if (due.length === 0) return context;
  for (const d of due) emit({ type: 'net.send', to: d.to, message: { ...d.message } });
  return { ...context, outbox: context.outbox.filter((d) => d.at > now) };
}

export const fakeApiserverMachine = setup({
  types: {
    context: {} as FakeApiserverContext,
    events: {} as FakeApiserverEvent,
    input: {} as HostedInput<FakeApiserverConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    serveRequest: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'api.request') return;
      const next = flush(serve(context, event, (e) => enqueue.emit(e)), (e) => enqueue.emit(e));
      enqueue.assign(() => next);
    }),
    cancelWatch: assign(({ context, event }) => {
      if (event.type !== 'api.watch.cancel') return {};
      const watches = { ...context.watches };
      delete watches[requestKey(event.from, event.requestId)];
      return { watches };
    }),
    runCommand: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.request' || event.type === 'api.watch.cancel') return;
      const next = flush(command(context, event), (e) => enqueue.emit(e));
      enqueue.assign(() => next);
    }),
    wakeUp: enqueueActions(({ context, enqueue }) => {
      const next = flush(housekeeping(context), (e) => enqueue.emit(e));
      enqueue.assign(() => next);
    }),
  },
  delays: {
    nextWakeup: ({ context }) => {
      const times = context.outbox.map((d) => d.at);
      if (context.nextBookmarkAt !== undefined) times.push(context.nextBookmarkAt);
      for (const w of Object.values(context.watches)) if (w.expiresAt !== undefined) times.push(w.expiresAt);
      return times.length === 0 ? IDLE_MS : Math.max(0, Math.min(...times) - context.now());
    },
  },
}).createMachine({
  id: 'fakeApiserver',
  context: ({ input }) => {
    const bookmarkIntervalMs = input.config.bookmarkIntervalMs ?? 1_000;
    return {
      now: input.now,
      api: emptyApiStore(input.rng, input.config.historyLimit ?? 10_000),
      faults: input.config.faults ?? {},
      bookmarkIntervalMs,
      expiredAs: input.config.expiredAs ?? 'event',
      rng: [input.rng[3], input.rng[2], input.rng[1], input.rng[0]] as RngState,
      watches: {},
      outbox: [],
      seq: 0,
      nextBookmarkAt: bookmarkIntervalMs > 0 ? input.now() + bookmarkIntervalMs : undefined,
      log: [],
      served: {},
      stats: { batches: 0, delayed: 0, duplicated: 0, dropped: 0, closed: 0, expired: 0, repeatedRequests: 0 },
      rejections: [],
    };
  },
  initial: 'serving',
  states: {
    // Re-entered on every event so the wake-up timer always tracks the earliest pending release.
    serving: {
      on: {
        'api.request': { target: 'serving', reenter: true, actions: 'serveRequest' },
        'api.watch.cancel': { target: 'serving', reenter: true, actions: 'cancelWatch' },
        'fake.faults': { target: 'serving', reenter: true, actions: 'runCommand' },
        'fake.expire': { target: 'serving', reenter: true, actions: 'runCommand' },
        'fake.put': { target: 'serving', reenter: true, actions: 'runCommand' },
        'fake.delete': { target: 'serving', reenter: true, actions: 'runCommand' },
        'fake.reject': { target: 'serving', reenter: true, actions: 'runCommand' },
      },
      after: { nextWakeup: { target: 'serving', reenter: true, actions: 'wakeUp' } },
    },
  },
});
