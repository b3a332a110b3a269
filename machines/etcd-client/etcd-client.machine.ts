import { enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { KvResponseMessage, WatchCreateRequest, WatchResponseMessage } from '../../src/etcd/protocol.ts';
import { chooseTarget, handlingOf, isMutation, parseWireId, wireId } from './client-logic.ts';
import type {
  EtcdClientConfig, EtcdClientContext, EtcdClientEvent, OpenWatch, OpOutcome, PendingOp,
} from './types.ts';

/**
 * An etcd client (what clientv3 does for the apiserver): sends each request to a member, follows leader
 * hints, retries reads and not-yet-proposed requests on another member, and gives up on a write whose
 * attempt timed out — reporting it as UNKNOWN (it may still commit), never as failed. Watches are resumed on
 * another member from the last revision seen + 1 when their stream stalls or is cancelled by a failure.
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

function attempt(enqueue: Enqueue, op: PendingOp, target: string, attemptNo: number, now: number, context: EtcdClientContext): PendingOp {
  const next: PendingOp = {
    ...op, target, attempt: attemptNo, requestId: wireId(op.opId, attemptNo), attemptDeadline: now + context.attemptTimeoutMs,
  };
  enqueue.emit({ type: 'net.send', to: target, message: { type: 'etcd.request', requestId: next.requestId, request: op.request } });
  return next;
}

function openStream(enqueue: Enqueue, watch: OpenWatch, target: string, now: number): OpenWatch {
  const resumes = watch.streamId === '' ? 0 : watch.resumes + 1;
  const streamId = wireId(watch.watchId, resumes);
  const request: WatchCreateRequest =
    watch.lastRevision > 0 ? { ...watch.request, startRevision: watch.lastRevision + 1 } : watch.request;
  enqueue.emit({ type: 'net.send', to: target, message: { type: 'etcd.watch.create', watchId: streamId, request } });
  enqueue.emit({ type: 'obs.etcd.watchOpen', watchId: watch.watchId, stream: resumes, at: now, request });
  return { ...watch, streamId, target, resumes, lastHeardAt: now, nextSeq: 0 };
}

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
      const op = attempt(enqueue, {
        opId: event.opId, request: event.request, replyTo: event.replyTo, invokedAt: now,
        requestId: '', target, attempt: 0, attemptDeadline: 0, deadline: now + context.requestTimeoutMs,
      }, target, 0, now, context);
      context.pending.set(op.opId, op);
      enqueue.assign({ cursor });
    }),
    handleResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.response') return;
      const { id, attempt: attemptNo } = parseWireId(event.requestId);
      const op = context.pending.get(id);
      if (!op || op.attempt !== attemptNo) return; // an answer to an abandoned attempt
      if (event.ok) {
        const leaderHint = isMutation(op.request) ? event.from : context.leaderHint;
        complete(enqueue, context, op, { status: 'ok', result: event.result });
        enqueue.assign({ leaderHint });
        return;
      }
      const error = (event as Extract<KvResponseMessage, { ok: false }>).error;
      const handling = handlingOf(op.request, error);
      if (handling === 'definite') {
        complete(enqueue, context, op, { status: 'error', error });
      } else if (handling === 'unknown') {
        complete(enqueue, context, op, { status: 'unknown', reason: error.message });
      } else {
        const hinted = { ...context, leaderHint: error.leaderHint ?? null };
        const { target, cursor } = chooseTarget(hinted, event.from);
        context.pending.set(op.opId, attempt(enqueue, op, target, op.attempt + 1, context.now(), context));
        enqueue.assign({ cursor, leaderHint: hinted.leaderHint });
      }
    }),
    checkDeadlines: enqueueActions(({ context, enqueue }) => {
      const now = context.now();
      let cursor = context.cursor;
      let leaderHint = context.leaderHint;
      for (const op of [...context.pending.values()]) {
        if (now >= op.deadline || (now >= op.attemptDeadline && isMutation(op.request))) {
          // A write whose attempt timed out may still commit: unknown, and never sent twice.
          complete(enqueue, context, op, { status: 'unknown', reason: 'context deadline exceeded' });
        } else if (now >= op.attemptDeadline) {
          if (leaderHint === op.target) leaderHint = null;
          const choice = chooseTarget({ ...context, cursor, leaderHint }, op.target);
          cursor = choice.cursor;
          context.pending.set(op.opId, attempt(enqueue, op, choice.target, op.attempt + 1, now, context));
        }
      }
      let watches = context.watches;
      for (const watch of Object.values(context.watches)) {
        if (now - watch.lastHeardAt >= context.watchStallMs) {
          const choice = chooseTarget({ ...context, cursor, leaderHint: null }, watch.target);
          cursor = choice.cursor;
          enqueue.emit({ type: 'net.send', to: watch.target, message: { type: 'etcd.watch.cancel', watchId: watch.streamId } });
          watches = { ...watches, [watch.watchId]: openStream(enqueue, watch, choice.target, now) };
        } else if (now - watch.lastHeardAt >= context.watchStallMs / 3) {
          // Ask for progress so a quiet but healthy stream is told apart from a dead one.
          enqueue.emit({ type: 'net.send', to: watch.target, message: { type: 'etcd.watch.progress', watchId: watch.streamId } });
        }
      }
      enqueue.assign({ watches, cursor, leaderHint });
    }),
    openWatch: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.client.watch') return;
      const { target, cursor } = chooseTarget(context);
      const watch = openStream(enqueue, {
        watchId: event.watchId, request: event.request, replyTo: event.replyTo, streamId: '', target,
        lastRevision: 0, lastHeardAt: 0, resumes: 0, nextSeq: 0,
      }, target, context.now());
      enqueue.assign({ watches: { ...context.watches, [watch.watchId]: watch }, cursor });
    }),
    closeWatch: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.client.unwatch') return;
      const watch = context.watches[event.watchId];
      if (!watch) return;
      enqueue.emit({ type: 'net.send', to: watch.target, message: { type: 'etcd.watch.cancel', watchId: watch.streamId } });
      const watches = { ...context.watches };
      delete watches[event.watchId];
      enqueue.assign({ watches });
    }),
    requestProgress: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.client.watch.progress') return;
      const watch = context.watches[event.watchId];
      if (!watch) return;
      enqueue.emit({ type: 'net.send', to: watch.target, message: { type: 'etcd.watch.progress', watchId: watch.streamId } });
    }),
    handleWatchResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.watch.response') return;
      const { id } = parseWireId(event.watchId);
      const watch = context.watches[id];
      if (!watch || watch.streamId !== event.watchId) return; // from a stream we already left
      const response = event as WatchResponseMessage;
      const now = context.now();
      if (response.seq !== undefined && response.seq !== watch.nextSeq) {
        // A lost response means the stream broke (over TCP it could not have continued): resume elsewhere.
        const { target, cursor } = chooseTarget({ ...context, leaderHint: null }, watch.target);
        enqueue.emit({ type: 'net.send', to: watch.target, message: { type: 'etcd.watch.cancel', watchId: watch.streamId } });
        enqueue.assign({ watches: { ...context.watches, [id]: openStream(enqueue, watch, target, now) }, cursor });
        return;
      }
      enqueue.emit({ type: 'obs.etcd.watch', watchId: id, client: context.self, at: now, stream: watch.resumes, response });
      if (watch.replyTo) {
        enqueue.emit({ type: 'net.send', to: watch.replyTo, message: { type: 'etcd.client.watchEvent', watchId: id, response } });
      }
      let lastRevision = watch.lastRevision;
      for (const e of response.events) lastRevision = Math.max(lastRevision, e.kv.modRevision);
      if (response.progressNotify) lastRevision = Math.max(lastRevision, response.header.revision);
      // A watch "from now" starts after the revision current at creation.
      if (response.created && !watch.request.startRevision && lastRevision === 0) lastRevision = response.header.revision;
      let updated: OpenWatch = { ...watch, lastRevision, lastHeardAt: now, nextSeq: watch.nextSeq + 1 };
      const watches = { ...context.watches };
      if (response.canceled && response.compactRevision) {
        delete watches[id]; // history is gone: the watcher must relist, as an informer does on 410
      } else {
        if (response.canceled) {
          const { target, cursor } = chooseTarget({ ...context, leaderHint: null }, watch.target);
          updated = openStream(enqueue, updated, target, now);
          enqueue.assign({ cursor });
        }
        watches[id] = updated;
      }
      enqueue.assign({ watches });
    }),
  },
  guards: {
    nothingOutstanding: ({ context }) =>
      context.pending.size === 0 && Object.keys(context.watches).length === 0,
  },
  delays: {
    tick: ({ context }) => context.tickMs,
  },
}).createMachine({
  id: 'etcdClient',
  context: ({ input }) => ({
    self: input.address,
    members: input.config.members,
    attemptTimeoutMs: input.config.attemptTimeoutMs ?? 1_000,
    requestTimeoutMs: input.config.requestTimeoutMs ?? 5_000,
    tickMs: input.config.tickMs ?? 50,
    watchStallMs: input.config.watchStallMs ?? 3_000,
    leaderHint: null,
    cursor: 0,
    pending: new Map(),
    watches: {},
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
  },
  states: {
    idle: {
      on: {
        'etcd.client.invoke': { target: 'busy', actions: 'startOperation' },
        'etcd.client.watch': { target: 'busy', actions: 'openWatch' },
      },
    },
    // Targetless while busy, so new work does not re-enter the state and restart the tick.
    busy: {
      always: { guard: 'nothingOutstanding', target: 'idle' },
      after: { tick: { target: 'busy', reenter: true, actions: 'checkDeadlines' } },
      on: {
        'etcd.client.invoke': { actions: 'startOperation' },
        'etcd.client.watch': { actions: 'openWatch' },
      },
    },
  },
});
