import { enqueueActions, setup } from 'xstate';
import type { HealthOk, HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import type { KubeProxyConfig } from './config.ts';
import {
  cachesSynced, handleHealthOk, handleResponse, handleTimers, handleWatch, newProxier, nextDeadline, startProxier,
  type Outcome, type ProxierState,
} from './proxier.ts';

/**
 * kube-proxy on one node: informers on Services and EndpointSlices (through the apiserver named in its
 * config) and a sync runner that rewrites the node's whole service rule table — iptables chains or IPVS
 * virtual servers — whenever they change (at most one sync per minSyncPeriod after a burst of two) and
 * every syncPeriod. The table is the node's kernel state, kept on the host's disk without fsync, so it
 * stays as it was when kube-proxy stops: a crashed kube-proxy leaves stale rules until its next
 * incarnation's first sync.
 *
 * `syncingCaches` until both informers have listed (no rules are written before: isInitialized), then
 * `running`. Both re-enter on every message so the one timer tracks the earliest deadline.
 *
 * Its informers share one connection to the apiserver, pinged after 30 s without a read (`health.probe`;
 * the apiserver's host answers `health.ok`); an unanswered ping closes it and every informer on it relists
 * (src/client/connection-health.ts).
 */
export interface KubeProxyContext {
  proxier: ProxierState;
  now: () => number;
}

export type KubeProxyEvent = ((ApiResponseMessage | ApiWatchMessage) & { from: string }) | HealthOk;

/** With nothing due, wake up anyway now and then (cheap; nothing happens). */
export const IDLE_WAKEUP_MS = 60_000;

type Enqueue = Parameters<Parameters<typeof enqueueActions<KubeProxyContext, KubeProxyEvent, undefined, KubeProxyEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function apply(enqueue: Enqueue, outcome: Outcome): void {
  for (const emitted of outcome.emits) enqueue.emit(emitted);
  enqueue.assign(() => ({ proxier: outcome.state }));
}

export const kubeProxyMachine = setup({
  types: {
    context: {} as KubeProxyContext,
    events: {} as KubeProxyEvent,
    input: {} as HostedInput<KubeProxyConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    startInformers: enqueueActions(({ context, enqueue }) => apply(enqueue, startProxier(context.proxier, context.now()))),
    receiveResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.response') apply(enqueue, handleResponse(context.proxier, event, context.now()));
    }),
    receiveWatchEvents: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.watch') apply(enqueue, handleWatch(context.proxier, event, context.now()));
    }),
    receiveHealthOk: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'health.ok') apply(enqueue, handleHealthOk(context.proxier, event, context.now()));
    }),
    handleTimers: enqueueActions(({ context, enqueue }) => apply(enqueue, handleTimers(context.proxier, context.now()))),
  },
  guards: {
    cachesSynced: ({ context }) => cachesSynced(context.proxier),
  },
  delays: {
    wakeup: ({ context }) => {
      const at = nextDeadline(context.proxier);
      return at === undefined ? IDLE_WAKEUP_MS : Math.max(0, at - context.now());
    },
  },
}).createMachine({
  id: 'kubeProxy',
  context: ({ input }) => ({ proxier: newProxier(input.address, input.incarnation, input.config, input.now()), now: input.now }),
  entry: 'startInformers',
  initial: 'syncingCaches',
  states: {
    syncingCaches: {
      always: { guard: 'cachesSynced', target: 'running' },
      on: {
        'api.response': { target: 'syncingCaches', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'syncingCaches', reenter: true, actions: 'receiveWatchEvents' },
        'health.ok': { target: 'syncingCaches', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'syncingCaches', reenter: true, actions: 'handleTimers' } },
    },
    running: {
      on: {
        'api.response': { target: 'running', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'running', reenter: true, actions: 'receiveWatchEvents' },
        'health.ok': { target: 'running', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'running', reenter: true, actions: 'handleTimers' } },
    },
  },
});
