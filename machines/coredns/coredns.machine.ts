import { enqueueActions, setup } from 'xstate';
import type { HealthOk, HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import { nextDeadline, newCoreDns, onHealthOk, onResponse, onTimers, onWatch, ready, start, type CoreDnsConfig, type CoreDnsState, type Outcome } from './state.ts';

/**
 * CoreDNS (its kubernetes plugin) for the cluster: watches Services and EndpointSlices and answers DNS
 * from what it has seen. Queries are not bus messages: the request primitive (src/network/request.ts)
 * reads the running actor's caches, which is what a query would be answered from; a crashed CoreDNS
 * answers nothing.
 *
 * `syncing` until both informers have listed (the plugin's ready check), then `serving`; both re-enter
 * on every message so the one timer tracks the informers' next deadline.
 *
 * Its informers share one connection to the apiserver, pinged after 30 s without a read (`health.probe`;
 * the apiserver's host answers `health.ok`); an unanswered ping closes it and every informer on it relists
 * (src/client/connection-health.ts).
 */
export interface CoreDnsContext {
  dns: CoreDnsState;
  now: () => number;
}

export type CoreDnsEvent = ((ApiResponseMessage | ApiWatchMessage) & { from: string }) | HealthOk;

export const IDLE_WAKEUP_MS = 60_000;

type Enqueue = Parameters<Parameters<typeof enqueueActions<CoreDnsContext, CoreDnsEvent, undefined, CoreDnsEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function apply(enqueue: Enqueue, outcome: Outcome): void {
  for (const emitted of outcome.emits) enqueue.emit(emitted);
  enqueue.assign(() => ({ dns: outcome.state }));
}

export const coreDnsMachine = setup({
  types: {
    context: {} as CoreDnsContext,
    events: {} as CoreDnsEvent,
    input: {} as HostedInput<CoreDnsConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    startInformers: enqueueActions(({ context, enqueue }) => apply(enqueue, start(context.dns, context.now()))),
    receiveResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.response') apply(enqueue, onResponse(context.dns, event, context.now()));
    }),
    receiveWatchEvents: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.watch') apply(enqueue, onWatch(context.dns, event, context.now()));
    }),
    receiveHealthOk: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'health.ok') apply(enqueue, onHealthOk(context.dns, event, context.now()));
    }),
    handleTimers: enqueueActions(({ context, enqueue }) => apply(enqueue, onTimers(context.dns, context.now()))),
  },
  guards: {
    cachesSynced: ({ context }) => ready(context.dns),
  },
  delays: {
    wakeup: ({ context }) => {
      const at = nextDeadline(context.dns);
      return at === undefined ? IDLE_WAKEUP_MS : Math.max(0, at - context.now());
    },
  },
}).createMachine({
  id: 'coredns',
  context: ({ input }) => ({ dns: newCoreDns(input.address, input.incarnation, input.config, input.now()), now: input.now }),
  entry: 'startInformers',
  initial: 'syncing',
  states: {
    syncing: {
      always: { guard: 'cachesSynced', target: 'serving' },
      on: {
        'api.response': { target: 'syncing', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'syncing', reenter: true, actions: 'receiveWatchEvents' },
        'health.ok': { target: 'syncing', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'syncing', reenter: true, actions: 'handleTimers' } },
    },
    serving: {
      on: {
        'api.response': { target: 'serving', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'serving', reenter: true, actions: 'receiveWatchEvents' },
        'health.ok': { target: 'serving', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'serving', reenter: true, actions: 'handleTimers' } },
    },
  },
});
