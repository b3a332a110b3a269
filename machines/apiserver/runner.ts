import { ApiError, internalError, requestTimedOut } from '../../src/apiserver/errors.ts';
import type { Effect, EtcdOutcome, Flow, FlowResult, KubeletAnswer } from '../../src/apiserver/flows/index.ts';
import type { ApiRequestMessage, Status } from '../../src/apiserver/protocol.ts';
import type { KubeletLogsDataMessage } from '../../src/kubelet/log-protocol.ts';
import { nextId, observe, send } from './context.ts';
import { openLogStream } from './log-streams.ts';
import type { ApiServerContext, Inflight } from './types.ts';
import { registerWatch } from './watches.ts';

/**
 * Drives request flows (src/apiserver/flows): runs a flow until it waits, sends the etcd operations it
 * waits for to the etcd client actor, and resumes it when their outcomes arrive or the cache catches up.
 * Whatever a flow throws becomes a Status response: an ApiError as it is, anything else a 500 — the
 * apiserver never fails because of one request.
 */

export function requestKey(client: string, requestId: string): string {
  return `${client}\u0000${requestId}`;
}

export function startRequest(ctx: ApiServerContext, message: ApiRequestMessage & { from?: string }, flow: Flow): void {
  const now = ctx.now();
  const request = message.request as Partial<ApiRequestMessage['request']> | undefined;
  const inflight: Inflight = {
    id: requestKey(message.from!, String(message.requestId)),
    client: message.from,
    requestId: message.requestId,
    verb: String(request?.verb ?? ''),
    resource: String(request?.resource ?? ''),
    subresource: request?.subresource,
    flow,
    startedAt: now,
    // A watch's own lifetime is timeoutSeconds; this deadline only bounds getting it started.
    deadline: now + ctx.config.requestTimeoutMs,
  };
  ctx.inflight.set(inflight.id, inflight);
  advance(ctx, inflight, undefined);
}

/** Internal work (bootstrap, compaction): a flow with nobody to answer. */
export function startInternal(ctx: ApiServerContext, kind: string, flow: Flow): void {
  const now = ctx.now();
  const inflight: Inflight = { id: nextId(ctx, kind), verb: kind, resource: '', flow, startedAt: now, deadline: now + ctx.config.requestTimeoutMs };
  ctx.inflight.set(inflight.id, inflight);
  advance(ctx, inflight, undefined);
}

function advance(ctx: ApiServerContext, inf: Inflight, input: unknown): void {
  for (;;) {
    let step: IteratorResult<unknown, FlowResult>;
    try {
      step = inf.flow.next(input);
    } catch (e) {
      return finish(ctx, inf, { kind: 'response', code: 0, body: errorStatus(ctx, inf, e) });
    }
    if (step.done) return finish(ctx, inf, step.value);
    const effect = step.value as Effect;
    if (effect.type === 'etcd') {
      const opIds = effect.requests.map((request, slot) => {
        const opId = nextId(ctx, 'op');
        ctx.ops.set(opId, { inflightId: inf.id, slot });
        send(ctx, ctx.config.etcdClient, { type: 'etcd.client.invoke', opId, request, replyTo: ctx.self });
        return opId;
      });
      inf.wait = { kind: 'etcd', opIds, outcomes: opIds.map(() => undefined), remaining: opIds.length };
      return;
    }
    if (effect.type === 'kubelet') {
      const requestId = nextId(ctx, 'kubelet');
      send(ctx, `${effect.node}/kubelet`, { ...effect.message, requestId });
      inf.wait = { kind: 'kubelet', requestId, until: ctx.now() + effect.timeoutMs };
      return;
    }
    if (cacheReached(ctx, effect.prefix, effect.minRevision)) {
      input = true;
      continue;
    }
    inf.wait = { kind: 'cache', prefix: effect.prefix, minRevision: effect.minRevision, until: ctx.now() + ctx.config.cacheWaitMs };
    (ctx.cacheWaiting ??= new Set()).add(inf.id);
    requestProgress(ctx, effect.prefix);
    return;
  }
}

/**
 * While a request waits for a cache to catch up, ask etcd for a progress notification on the cache's feed,
 * so a quiet resource's cache learns it is current (upstream's progressRequester; it asks every 100 ms while
 * anyone waits, here on each tick).
 */
function requestProgress(ctx: ApiServerContext, prefix: string): void {
  const feed = ctx.feeds.get(prefix);
  if (feed?.watchId && feed.cache.ready) send(ctx, ctx.config.etcdClient, { type: 'etcd.client.watch.progress', watchId: feed.watchId });
}

function cacheReached(ctx: ApiServerContext, prefix: string, minRevision: number): boolean {
  const cache = ctx.feeds.get(prefix)?.cache;
  return cache !== undefined && cache.ready && cache.revision >= minRevision;
}

function errorStatus(ctx: ApiServerContext, inf: Inflight, e: unknown): Status {
  if (e instanceof ApiError) return e.status;
  const message = e instanceof Error ? e.message : String(e);
  observe(ctx, { type: 'obs.api.panic', at: ctx.now(), verb: inf.verb, resource: inf.resource, message });
  return internalError(message);
}

function finish(ctx: ApiServerContext, inf: Inflight, result: FlowResult): void {
  ctx.inflight.delete(inf.id);
  if (inf.wait?.kind === 'etcd') for (const opId of inf.wait.opIds) ctx.ops.delete(opId);
  inf.wait = undefined;
  const code = result.kind !== 'response' ? 200 : result.code || (result.body as Status).code;
  if (inf.client !== undefined) {
    ctx.answered.set(inf.id, ctx.now());
    if (result.kind === 'watch') registerWatch(ctx, inf, result.watch);
    else if (result.kind === 'stream') openLogStream(ctx, inf, result.stream);
    else send(ctx, inf.client, { type: 'api.response', requestId: inf.requestId, code, body: result.body, ...(result.contentType ? { contentType: result.contentType } : {}) });
  }
  observe(ctx, {
    type: 'obs.api.request', at: ctx.now(), client: inf.client ?? ctx.self, requestId: inf.requestId ?? inf.id,
    verb: inf.verb, resource: inf.resource, ...(inf.subresource ? { subresource: inf.subresource } : {}),
    code, latencyMs: ctx.now() - inf.startedAt,
  });
}

/** An etcd client outcome for a flow; false when it belongs to nobody (a timed-out or earlier request). */
export function resumeWithOutcome(ctx: ApiServerContext, opId: string, outcome: EtcdOutcome): boolean {
  const op = ctx.ops.get(opId);
  if (!op) return false;
  ctx.ops.delete(opId);
  const inf = ctx.inflight.get(op.inflightId);
  if (!inf || inf.wait?.kind !== 'etcd') return true;
  const wait = inf.wait;
  if (wait.outcomes[op.slot] === undefined) wait.remaining--;
  wait.outcomes[op.slot] = outcome;
  if (wait.remaining === 0) {
    inf.wait = undefined;
    advance(ctx, inf, wait.outcomes);
  }
  return true;
}

/** A kubelet's first reply, for the flow that called it; false when nobody waits for it (a stream's later part). */
export function resumeWithKubeletAnswer(ctx: ApiServerContext, message: KubeletLogsDataMessage): boolean {
  if (message.seq !== 1) return false;
  for (const inf of ctx.inflight.values()) {
    const wait = inf.wait;
    if (wait?.kind !== 'kubelet' || wait.requestId !== message.requestId) continue;
    inf.wait = undefined;
    const answer: KubeletAnswer = { requestId: wait.requestId, reply: message };
    advance(ctx, inf, answer);
    return true;
  }
  return false;
}

/** Resumes the flows waiting for this cache that it now satisfies. */
export function resumeCacheWaiters(ctx: ApiServerContext, prefix: string): void {
  const waiting = ctx.cacheWaiting;
  if (!waiting || waiting.size === 0) return;
  for (const id of [...waiting]) {
    const inf = ctx.inflight.get(id);
    const wait = inf?.wait;
    if (wait?.kind !== 'cache') {
      waiting.delete(id);
    } else if (wait.prefix === prefix && cacheReached(ctx, prefix, wait.minRevision)) {
      waiting.delete(id);
      inf!.wait = undefined;
      advance(ctx, inf!, true);
    }
  }
}

/** Deadlines: requests past the request timeout get 504; cache waits past cacheWaitMs resume with false. */
export function expireRequests(ctx: ApiServerContext): void {
  const now = ctx.now();
  const waitedFor = new Set<string>();
  for (const inf of [...ctx.inflight.values()]) {
    if (now >= inf.deadline) {
      finish(ctx, inf, { kind: 'response', code: 504, body: requestTimedOut() });
    } else if (inf.wait?.kind === 'cache' && now >= inf.wait.until) {
      inf.wait = undefined;
      advance(ctx, inf, false);
    } else if (inf.wait?.kind === 'kubelet' && now >= inf.wait.until) {
      const answer: KubeletAnswer = { requestId: inf.wait.requestId };
      inf.wait = undefined;
      advance(ctx, inf, answer);
    } else if (inf.wait?.kind === 'cache' && !waitedFor.has(inf.wait.prefix)) {
      waitedFor.add(inf.wait.prefix);
      requestProgress(ctx, inf.wait.prefix);
    }
  }
  // Duplicate suppression only needs to outlive any redelivery of the same message. Entries are added
  // once each, as requests finish, so the map is in time order: stop at the first one still fresh.
  for (const [key, at] of ctx.answered) {
    if (now - at <= 60_000) break;
    ctx.answered.delete(key);
  }
}
