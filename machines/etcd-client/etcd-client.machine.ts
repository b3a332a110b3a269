import { enqueueActions, setup } from 'xstate';
import type { Address } from '../../src/bus/envelope.ts';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { KvResponseMessage, WatchCreateRequest, WatchResponseMessage } from '../../src/etcd/protocol.ts';
import { chooseTarget, handlingOf, isMutation, parseWireId, wireId } from './client-logic.ts';
import {
  connect, dueKeepalives, heardFrom, KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, nextDeadline, noteDeadline, receivePong,
} from './keepalive.ts';
import type {
  EtcdClientConfig, EtcdClientContext, EtcdClientEvent, OpenWatch, OpOutcome, PendingOp,
} from './types.ts';

/**
 * An etcd client (what clientv3 does for the apiserver): sends each request to a member, follows leader
 * hints, retries reads and not-yet-proposed requests on another member, and gives up on a write whose
 * attempt timed out — reporting it as UNKNOWN (it may still commit), never as failed. Watches are resumed on
 * another member from the last revision seen + 1 when their stream breaks (a gap in its sequence, a
 * cancellation by a failure) or its connection dies: liveness is gRPC keepalive per member connection
 * (keepalive.ts), so a quiet healthy cluster costs one ping per connection per 30 s, not one per watch.
 * One timer, armed for the earliest deadline (attempt, request, watch creation, ping), replaces a tick.
 *
 * Every invocation and outcome is emitted as an observation (`obs.etcd.invoke` / `obs.etcd.complete`,
 * `obs.etcd.watch`), from which src/etcd/history.ts builds the history that the checkers read.
 */
type Enqueue = Parameters<Parameters<typeof enqueueActions<EtcdClientContext, EtcdClientEvent, undefined, EtcdClientEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

/** Reports the outcome and forgets the operation (in place: O(1) however many are outstanding). */
function complete(enqueue: Enqueue, context: EtcdClientContext, op: PendingOp, outcome: OpOutcome): void {
  enqueue.emit({ type: 'obs.etcd.complete', opId: op.opId, client: context.self, at: context.now(), outcome });
  if (op.replyTo) {
    enqueue.emit({ type: 'net.send', to: op.replyTo, message: { type: 'etcd.client.result', opId: op.opId, outcome } });
  }
  context.pending.delete(op.opId);
}

/** Sends to `member`, dialling its connection first if there is none (the dial's handshake is a ping). */
function dial(enqueue: Enqueue, context: EtcdClientContext, member: Address, now: number): void {
  const handshake = connect(context, member, now);
  if (handshake) enqueue.emit({ type: 'net.send', to: member, message: { ...handshake } });
}

function attempt(enqueue: Enqueue, op: PendingOp, target: string, attemptNo: number, now: number, context: EtcdClientContext): PendingOp {
  const next: PendingOp = {
    ...op, target, attempt: attemptNo, requestId: wireId(op.opId, attemptNo), attemptDeadline: now + context.attemptTimeoutMs,
  };
  noteDeadline(context, Math.min(next.attemptDeadline, next.deadline));
  dial(enqueue, context, target, now);
  enqueue.emit({ type: 'net.send', to: target, message: { type: 'etcd.request', requestId: next.requestId, request: op.request } });
  return next;
}

function openStream(enqueue: Enqueue, context: EtcdClientContext, watch: OpenWatch, target: string, now: number): OpenWatch {
  const resumes = watch.streamId === '' ? 0 : watch.resumes + 1;
  const streamId = wireId(watch.watchId, resumes);
  const request: WatchCreateRequest =
    watch.lastRevision > 0 ? { ...watch.request, startRevision: watch.lastRevision + 1 } : watch.request;
  const createDeadline = now + context.keepaliveTimeoutMs;
  noteDeadline(context, createDeadline);
  dial(enqueue, context, target, now);
  enqueue.emit({ type: 'net.send', to: target, message: { type: 'etcd.watch.create', watchId: streamId, request } });
  enqueue.emit({ type: 'obs.etcd.watchOpen', watchId: watch.watchId, stream: resumes, at: now, request });
  return { ...watch, streamId, target, resumes, createDeadline, nextSeq: 0 };
}

/** Leaves the watch's stream (telling the member, which drops it) and resumes on another member. */
function resumeElsewhere(enqueue: Enqueue, context: EtcdClientContext, watch: OpenWatch, now: number): void {
  const { target, cursor } = chooseTarget({ ...context, leaderHint: null }, watch.target);
  context.cursor = cursor;
  enqueue.emit({ type: 'net.send', to: watch.target, message: { type: 'etcd.watch.cancel', watchId: watch.streamId } });
  context.watches.set(watch.watchId, openStream(enqueue, context, watch, target, now));
}

/**
 * An attempt that cannot be answered any more (its time is up, or its connection closed): a write may still
 * commit, so its outcome is unknown and it is never sent twice; a read is tried on another member.
 */
function abandonAttempt(enqueue: Enqueue, context: EtcdClientContext, op: PendingOp, now: number, reason: string): void {
  if (now >= op.deadline || isMutation(op.request)) {
    complete(enqueue, context, op, { status: 'unknown', reason });
    return;
  }
  if (context.leaderHint === op.target) context.leaderHint = null;
  const choice = chooseTarget(context, op.target);
  context.cursor = choice.cursor;
  context.pending.set(op.opId, attempt(enqueue, op, choice.target, op.attempt + 1, now, context));
}

/** The connection to `member` is closed (ping unanswered, or the member restarted): fail over everything on it. */
function closeConnection(enqueue: Enqueue, context: EtcdClientContext, member: Address, now: number): void {
  context.connections.delete(member);
  if (context.leaderHint === member) context.leaderHint = null;
  enqueue.emit({ type: 'obs.etcd.connectionClosed', client: context.self, member, at: now });
  for (const watch of [...context.watches.values()]) if (watch.target === member) resumeElsewhere(enqueue, context, watch, now);
  for (const op of [...context.pending.values()]) {
    if (op.target === member) abandonAttempt(enqueue, context, op, now, 'rpc error: code = Unavailable desc = transport is closing');
  }
}

/** The cancel reason when the owner asks about a watch this client does not have. */
export const WATCH_NOT_FOUND = 'etcdclient: no watch with this id (the client restarted or dropped it)';

/** With nothing due (cannot happen while busy: every connection has a keepalive deadline), a safe wake-up. */
const IDLE_WAKEUP_MS = 60_000;

/**
 * The context (`pending`, `watches`, `connections`, `timer`, `cursor`, `leaderHint`) is mutated in place by
 * the actions, as the apiserver's and the etcd member's are: per message the client does O(1) work.
 */
export const etcdClientMachine = setup({
  types: {
    context: {} as EtcdClientContext,
    events: {} as EtcdClientEvent,
    input: {} as HostedInput<EtcdClientConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    startOperation: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.client.invoke') return;
      const now = context.now();
      enqueue.emit({ type: 'obs.etcd.invoke', opId: event.opId, client: context.self, at: now, request: event.request });
      const { target, cursor } = chooseTarget(context);
      context.cursor = cursor;
      const op = attempt(enqueue, {
        opId: event.opId, request: event.request, replyTo: event.replyTo, invokedAt: now,
        requestId: '', target, attempt: 0, attemptDeadline: 0, deadline: now + context.requestTimeoutMs,
      }, target, 0, now, context);
      context.pending.set(op.opId, op);
    }),
    handleResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.response') return;
      const now = context.now();
      heardFrom(context, event.from, now);
      const { id, attempt: attemptNo } = parseWireId(event.requestId);
      const op = context.pending.get(id);
      if (!op || op.attempt !== attemptNo) return; // an answer to an abandoned attempt
      if (event.ok) {
        if (isMutation(op.request)) context.leaderHint = event.from;
        complete(enqueue, context, op, { status: 'ok', result: event.result });
        return;
      }
      const error = (event as Extract<KvResponseMessage, { ok: false }>).error;
      const handling = handlingOf(op.request, error);
      if (handling === 'definite') {
        complete(enqueue, context, op, { status: 'error', error });
      } else if (handling === 'unknown') {
        complete(enqueue, context, op, { status: 'unknown', reason: error.message });
      } else {
        context.leaderHint = error.leaderHint ?? null;
        const { target, cursor } = chooseTarget(context, event.from);
        context.cursor = cursor;
        context.pending.set(op.opId, attempt(enqueue, op, target, op.attempt + 1, now, context));
      }
    }),
    handleTimers: enqueueActions(({ context, enqueue }) => {
      const now = context.now();
      for (const op of [...context.pending.values()]) {
        if (now >= op.deadline || now >= op.attemptDeadline) abandonAttempt(enqueue, context, op, now, 'context deadline exceeded');
      }
      // A stream the member never confirmed (the create, or the member's process, was lost): resume elsewhere.
      for (const watch of [...context.watches.values()]) {
        if (watch.createDeadline > 0 && now >= watch.createDeadline) resumeElsewhere(enqueue, context, watch, now);
      }
      for (const due of dueKeepalives(context, now)) {
        if (due.kind === 'ping') enqueue.emit({ type: 'net.send', to: due.member, message: { ...due.probe } });
        else closeConnection(enqueue, context, due.member, now);
      }
    }),
    armTimer: ({ context }) => {
      const at = nextDeadline(context);
      context.timer.at = at;
      context.timer.earliest = at;
    },
    forgetConnections: ({ context }) => {
      context.connections.clear();
    },
    openWatch: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.client.watch') return;
      const { target, cursor } = chooseTarget(context);
      context.cursor = cursor;
      const watch = openStream(enqueue, context, {
        watchId: event.watchId, request: event.request, replyTo: event.replyTo, streamId: '', target,
        lastRevision: 0, createDeadline: 0, resumes: 0, nextSeq: 0,
      }, target, context.now());
      context.watches.set(watch.watchId, watch);
    }),
    closeWatch: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.client.unwatch') return;
      const watch = context.watches.get(event.watchId);
      if (!watch) return;
      enqueue.emit({ type: 'net.send', to: watch.target, message: { type: 'etcd.watch.cancel', watchId: watch.streamId } });
      context.watches.delete(event.watchId);
    }),
    requestProgress: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.client.watch.progress') return;
      const watch = context.watches.get(event.watchId);
      if (!watch) {
        if (!event.from) return;
        // Not a watch of this client (it restarted since, or dropped it after a compaction): say so, as a
        // cancellation, so the owner starts over instead of waiting on a stream that is gone.
        const response: WatchResponseMessage = {
          type: 'etcd.watch.response', watchId: event.watchId, header: { revision: 0, raftTerm: 0, memberId: '' }, events: [],
          canceled: true, cancelReason: WATCH_NOT_FOUND,
        };
        enqueue.emit({ type: 'net.send', to: event.from, message: { type: 'etcd.client.watchEvent', watchId: event.watchId, response } });
        return;
      }
      enqueue.emit({ type: 'net.send', to: watch.target, message: { type: 'etcd.watch.progress', watchId: watch.streamId } });
    }),
    handleWatchResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.watch.response') return;
      const now = context.now();
      heardFrom(context, event.from, now);
      const { id } = parseWireId(event.watchId);
      const watch = context.watches.get(id);
      if (!watch || watch.streamId !== event.watchId) return; // from a stream we already left
      const response = event as WatchResponseMessage;
      if (response.seq !== undefined && response.seq !== watch.nextSeq) {
        // A lost response means the stream broke (over TCP it could not have continued): resume elsewhere.
        resumeElsewhere(enqueue, context, watch, now);
        return;
      }
      enqueue.emit({ type: 'obs.etcd.watch', watchId: id, client: context.self, at: now, stream: watch.resumes, response });
      if (watch.replyTo) {
        enqueue.emit({ type: 'net.send', to: watch.replyTo, message: { type: 'etcd.client.watchEvent', watchId: id, response } });
      }
      let lastRevision = watch.lastRevision;
      for (const e of response.events) if (e.kv.modRevision > lastRevision) lastRevision = e.kv.modRevision;
      if (response.progressNotify && response.header.revision > lastRevision) lastRevision = response.header.revision;
      // A watch "from now" starts after the revision current at creation.
      if (response.created && !watch.request.startRevision && lastRevision === 0) lastRevision = response.header.revision;
      watch.lastRevision = lastRevision;
      watch.createDeadline = 0;
      watch.nextSeq++;
      if (response.canceled && response.compactRevision) {
        context.watches.delete(id); // history is gone: the watcher must relist, as an informer does on 410
      } else if (response.canceled) {
        const { target, cursor } = chooseTarget({ ...context, leaderHint: null }, watch.target);
        context.cursor = cursor;
        context.watches.set(id, openStream(enqueue, context, watch, target, now));
      }
    }),
    handlePong: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'health.ok') return;
      const now = context.now();
      if (receivePong(context, event, now) === 'reset') closeConnection(enqueue, context, event.from, now);
    }),
  },
  guards: {
    nothingOutstanding: ({ context }) => context.pending.size === 0 && context.watches.size === 0,
    timerLate: ({ context }) => context.timer.earliest < context.timer.at,
  },
  delays: {
    wake: ({ context }) =>
      Number.isFinite(context.timer.at) ? Math.max(0, context.timer.at - context.now()) : IDLE_WAKEUP_MS,
  },
}).createMachine({
  id: 'etcdClient',
  context: ({ input }) => ({
    self: input.address,
    members: input.config.members,
    attemptTimeoutMs: input.config.attemptTimeoutMs ?? 1_000,
    requestTimeoutMs: input.config.requestTimeoutMs ?? 5_000,
    keepaliveTimeMs: input.config.keepaliveTimeMs ?? KEEPALIVE_TIME_MS,
    keepaliveTimeoutMs: input.config.keepaliveTimeoutMs ?? KEEPALIVE_TIMEOUT_MS,
    leaderHint: null,
    cursor: 0,
    pending: new Map(),
    watches: new Map(),
    connections: new Map(),
    timer: { at: Infinity, earliest: Infinity },
    sequence: 0,
    rng: input.rng,
    now: input.now,
  }),
  initial: 'idle',
  on: {
    'etcd.client.unwatch': { actions: 'closeWatch' },
    'etcd.client.watch.progress': { actions: 'requestProgress' },
    'etcd.response': { actions: 'handleResponse' },
    'etcd.watch.response': { actions: 'handleWatchResponse' },
    'health.ok': { actions: 'handlePong' },
  },
  states: {
    // Nothing outstanding: no timer, and no connection kept (grpc-go pings no transport without streams).
    idle: {
      entry: 'forgetConnections',
      on: {
        'etcd.client.invoke': { target: 'busy', actions: 'startOperation' },
        'etcd.client.watch': { target: 'busy', actions: 'openWatch' },
      },
    },
    // New work is targetless, so it does not restart the timer; only a deadline sooner than the armed one
    // (timerLate) re-enters to re-arm it.
    busy: {
      entry: 'armTimer',
      always: [
        { guard: 'nothingOutstanding', target: 'idle' },
        { guard: 'timerLate', target: 'busy', reenter: true },
      ],
      after: { wake: { target: 'busy', reenter: true, actions: 'handleTimers' } },
      on: {
        'etcd.client.invoke': { actions: 'startOperation' },
        'etcd.client.watch': { actions: 'openWatch' },
      },
    },
  },
});
