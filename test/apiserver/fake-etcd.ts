import { enqueueActions, setup } from 'xstate';
import type { KvRequestMessage, WatchRequestMessage } from '../../src/etcd/protocol.ts';
import { MvccStore, WatchHub } from '../../src/etcd/mvcc/index.ts';
import { toCommand, toResult } from '../../machines/etcd-member/server/translate.ts';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';

/**
 * A single etcd member for apiserver tests: the etcd client protocol (src/etcd/protocol.ts) served
 * straight from the real MvccStore and WatchHub, without Raft. Every write is persisted and synced, so the
 * member keeps its data across a crash. It stands in for machines/etcd-member where a test needs etcd's
 * semantics but not its replication.
 */

interface FakeEtcdContext {
  self: string;
  store: MvccStore;
  hub: WatchHub;
  /** hub watch id → the client stream it belongs to. */
  streams: Map<number, { client: string; watchId: string; seq: number }>;
  byStream: Map<string, number>;
}

type FakeEtcdEvent = (KvRequestMessage | WatchRequestMessage) & { from: string };

const STORE_KEY = 'store';

function flushWatches(ctx: FakeEtcdContext, emit: (e: HostedEmitted) => void): void {
  for (const r of ctx.hub.drain()) {
    const stream = ctx.streams.get(r.watchId);
    if (!stream) continue;
    emit({
      type: 'net.send', to: stream.client,
      message: {
        type: 'etcd.watch.response', watchId: stream.watchId, seq: stream.seq++, header: { revision: r.header.revision, raftTerm: 1, memberId: ctx.self }, events: r.events,
        ...(r.created ? { created: true } : {}), ...(r.canceled ? { canceled: true, cancelReason: r.cancelReason } : {}),
        ...(r.compactRevision !== undefined ? { compactRevision: r.compactRevision } : {}), ...(r.progressNotify ? { progressNotify: true } : {}),
      },
    });
    if (r.canceled) {
      ctx.streams.delete(r.watchId);
      ctx.byStream.delete(`${stream.client}\u0000${stream.watchId}`);
    }
  }
}

export const fakeEtcdMachine = setup({
  types: {
    context: {} as FakeEtcdContext,
    events: {} as FakeEtcdEvent,
    input: {} as HostedInput<Record<string, never>>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    answer: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.request') return;
      // The member's own protocol ↔ store translation, so the double answers exactly as a member would.
      const command = toCommand(event.request, () => context.store.revision + 1);
      const header = (revision: number) => ({ revision, raftTerm: 1, memberId: context.self });
      const { requestId: _ignored, ...reply } = command
        ? toResult(event.requestId, context.store.apply(command), header)
        : { requestId: event.requestId, ok: false as const, error: { code: 'Unavailable' as const, message: `unsupported op ${event.request.op}` } };
      if (command && command.type !== 'range') {
        enqueue.emit({ type: 'disk.write', key: STORE_KEY, value: context.store.snapshot() });
        enqueue.emit({ type: 'disk.sync' });
      }
      enqueue.emit({ type: 'net.send', to: event.from, message: { type: 'etcd.response', requestId: event.requestId, ...reply } });
      flushWatches(context, enqueue.emit);
    }),
    watch: enqueueActions(({ context, event, enqueue }) => {
      const key = `${event.from}\u0000${(event as WatchRequestMessage).watchId}`;
      if (event.type === 'etcd.watch.create') {
        const { request } = event;
        const id = context.hub.watch({ key: request.key, rangeEnd: request.rangeEnd, prefix: request.prefix, startRevision: request.startRevision, prevKv: request.prevKv });
        context.streams.set(id, { client: event.from, watchId: event.watchId, seq: 0 });
        context.byStream.set(key, id);
      } else {
        const id = context.byStream.get(key);
        if (id !== undefined && event.type === 'etcd.watch.cancel') context.hub.cancel(id);
        if (id !== undefined && event.type === 'etcd.watch.progress') context.hub.requestProgress(id);
      }
      flushWatches(context, enqueue.emit);
    }),
  },
}).createMachine({
  id: 'fakeEtcd',
  context: ({ input }) => {
    const saved = input.disk.get(STORE_KEY) as Parameters<typeof MvccStore.restore>[0] | undefined;
    const store = saved ? MvccStore.restore(saved) : new MvccStore();
    return { self: input.address, store, hub: new WatchHub(store), streams: new Map(), byStream: new Map() };
  },
  on: {
    'etcd.request': { actions: 'answer' },
    'etcd.watch.create': { actions: 'watch' },
    'etcd.watch.cancel': { actions: 'watch' },
    'etcd.watch.progress': { actions: 'watch' },
  },
});
