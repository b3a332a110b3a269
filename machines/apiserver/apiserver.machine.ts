import { assign, enqueueActions, setup } from 'xstate';
import type { ApiServerConfig } from '../../src/apiserver/config.ts';
import { compactionFlow, createFlow, serve, type Flow } from '../../src/apiserver/flows/index.ts';
import { servedResources } from '../../src/apiserver/resources.ts';
import { KUBERNETES_SERVICE_INTERVAL_MS, reconcileKubernetesService } from '../../src/apiserver/bootstrap/kubernetes-service.ts';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import { allCachesReady, checkFeeds, handleListResult, handleWatchResponse, isListOp, startFeeds } from './caches.ts';
import { createContext, flowEnv, observe } from './context.ts';
import { cancelLogStream, relayLogData, tickLogStreams } from './log-streams.ts';
import { expireRequests, requestKey, resumeWithKubeletAnswer, resumeWithOutcome, startInternal, startRequest } from './runner.ts';
import type { ApiServerContext, ApiServerEvent } from './types.ts';
import { cancelWatch, tickWatchers } from './watches.ts';

/**
 * kube-apiserver: serves the Kubernetes API on the bus (`api.request` → `api.response`, watches as
 * `api.watch` streams) over etcd, which it reaches only through its etcd client actor (`<address>/etcd`
 * by default). Each request runs the handler chain authenticate → authorize → mutating admission →
 * validation → validating admission → etcd (src/apiserver/flows); reads at a resourceVersion and every
 * watch are served by per-resource watch caches fed by one etcd watch each.
 *
 * `initializing` until every watch cache has listed (requests are served meanwhile; those that need a
 * cache wait for it), then `serving`, which first creates the system namespaces. A timer tick handles
 * request deadlines, watch timeouts and bookmarks, silent cache feeds and etcd compaction. pods/log asks
 * the pod's kubelet (`kubelet.logs`) and relays its answer, or its stream when following. The context
 * holds mutable maps changed only by these actions; every action ends by emitting the outbox in order.
 */

type Msg<T extends ApiServerEvent['type']> = Extract<ApiServerEvent, { type: T }>;

/** Emits what the helpers queued, in order. */
function flush(ctx: ApiServerContext, emit: (event: HostedEmitted) => void): void {
  const outbox = ctx.outbox;
  for (let i = 0; i < outbox.length; i++) emit(outbox[i]);
  outbox.length = 0;
}

function internalCreate(ctx: ApiServerContext, body: object): Flow {
  const namespaces = servedResources(['namespaces'])[0];
  const env = flowEnv(ctx);
  return createFlow({
    request: { verb: 'create', group: '', version: 'v1', resource: 'namespaces', body },
    target: { resource: namespaces, scopePrefix: '/registry/namespaces/' },
    user: { username: 'system:apiserver', groups: ['system:masters'] },
    env,
  });
}

export const apiserverMachine = setup({
  types: {
    context: {} as ApiServerContext,
    events: {} as ApiServerEvent,
    input: {} as HostedInput<ApiServerConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    startWatchCaches: enqueueActions(({ context, enqueue }) => {
      startFeeds(context);
      flush(context, enqueue.emit);
    }),
    serveRequest: enqueueActions(({ context, event, enqueue }) => {
      const message = event as Msg<'api.request'>;
      if (typeof message.from !== 'string' || typeof message.requestId !== 'string') {
        observe(context, { type: 'obs.api.unanswerable', at: context.now(), from: message.from ?? null });
      } else {
        const key = requestKey(message.from, message.requestId);
        if (context.inflight.has(key) || context.answered.has(key) || context.watchers.has(key)) {
          observe(context, { type: 'obs.api.duplicate', at: context.now(), client: message.from, requestId: message.requestId });
        } else {
          startRequest(context, message, serve(message.request, flowEnv(context)));
        }
      }
      flush(context, enqueue.emit);
    }),
    cancelWatch: enqueueActions(({ context, event, enqueue }) => {
      const message = event as Msg<'api.watch.cancel'>;
      if (typeof message.from === 'string') {
        const key = requestKey(message.from, String(message.requestId));
        // The client closed its stream: a watch, or a followed log (whose kubelet is told to stop).
        if (!cancelWatch(context, key)) cancelLogStream(context, key);
      }
      flush(context, enqueue.emit);
    }),
    relayContainerLogs: enqueueActions(({ context, event, enqueue }) => {
      const message = event as Msg<'kubelet.logs.data'>;
      if (!resumeWithKubeletAnswer(context, message)) relayLogData(context, message);
      flush(context, enqueue.emit);
    }),
    handleEtcdResult: enqueueActions(({ context, event, enqueue }) => {
      const message = event as Msg<'etcd.client.result'>;
      if (!handleListResult(context, message.opId, message.outcome)) resumeWithOutcome(context, message.opId, message.outcome);
      flush(context, enqueue.emit);
    }),
    handleEtcdWatchEvent: enqueueActions(({ context, event, enqueue }) => {
      const message = event as Msg<'etcd.client.watchEvent'>;
      handleWatchResponse(context, message.watchId, message.response);
      flush(context, enqueue.emit);
    }),
    /**
     * Readiness as an immutable field, changed only by a list result: the chart's one guard reads it
     * rather than the mutable caches, so exploring the chart from a shared snapshot stays sound.
     */
    noteCacheReadiness: assign({
      cachesReady: ({ context, event }) =>
        context.cachesReady || (isListOp((event as Msg<'etcd.client.result'>).opId) && allCachesReady(context)),
    }),
    bootstrapSystemNamespaces: enqueueActions(({ context, enqueue }) => {
      if (!context.bootstrapped) {
        context.bootstrapped = true;
        for (const name of context.config.systemNamespaces) {
          startInternal(context, 'bootstrap', internalCreate(context, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
        }
      }
      flush(context, enqueue.emit);
    }),
    runTimers: enqueueActions(({ context, enqueue }) => {
      expireRequests(context);
      tickWatchers(context);
      tickLogStreams(context);
      checkFeeds(context);
      // The `kubernetes` Service (src/apiserver/bootstrap), kept by an apiserver that has an advertise address.
      const advertised = context.config.advertiseAddress;
      if (advertised !== undefined && context.bootstrapped && context.now() >= (context.kubernetesServiceAt ?? 0)) {
        context.kubernetesServiceAt = context.now() + KUBERNETES_SERVICE_INTERVAL_MS;
        startInternal(context, 'kubernetes-service', reconcileKubernetesService(flowEnv(context), advertised));
      }
      const compaction = context.compaction;
      if (context.config.compactionIntervalMs > 0 && context.now() >= compaction.nextAt) {
        compaction.nextAt = context.now() + context.config.compactionIntervalMs;
        startInternal(context, 'compaction', compactionFlow(flowEnv(context)));
      }
      flush(context, enqueue.emit);
    }),
  },
  guards: {
    watchCachesReady: ({ context }) => context.cachesReady,
  },
  delays: {
    tick: ({ context }) => context.config.tickMs,
  },
}).createMachine({
  id: 'apiserver',
  context: ({ input }) => createContext(input),
  entry: 'startWatchCaches',
  initial: 'initializing',
  on: {
    'api.request': { actions: 'serveRequest' },
    'api.watch.cancel': { actions: 'cancelWatch' },
    'etcd.client.result': { actions: ['handleEtcdResult', 'noteCacheReadiness'] },
    'etcd.client.watchEvent': { actions: 'handleEtcdWatchEvent' },
    'kubelet.logs.data': { actions: 'relayContainerLogs' },
  },
  states: {
    initializing: {
      always: { guard: 'watchCachesReady', target: 'serving' },
      after: { tick: { target: 'initializing', reenter: true, actions: 'runTimers' } },
    },
    serving: {
      entry: 'bootstrapSystemNamespaces',
      initial: 'ticking',
      states: {
        // A child, so the tick re-enters it without re-running serving's entry.
        ticking: {
          after: { tick: { target: 'ticking', reenter: true, actions: 'runTimers' } },
        },
      },
    },
  },
});
