import { enqueueActions, setup } from 'xstate';
import type { HealthOk, HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import type { CloudResponseMessage } from '../../src/cloud/protocol.ts';
import type { CloudControllerManagerConfig } from './config.ts';
import {
  cachesSynced, newServiceController, nextDeadline, onCloudResponse, onHealthOk, onResponse, onTimers, onWatch, start,
  type Outcome, type ServiceControllerState,
} from './service-controller.ts';

/**
 * cloud-controller-manager (`ccm-0`) running its service controller (service-controller.ts) against one
 * kube-apiserver and the simulated cloud's API (`cloud-provider`). `syncing` until its Service and Node
 * caches have listed, then `running`; both re-enter on every message so the one timer tracks the next
 * deadline (an informer's, a call's timeout, a back-off's end).
 *
 * Its informers share one connection to the apiserver, pinged after 30 s without a read (`health.probe`;
 * the apiserver's host answers `health.ok`); an unanswered ping closes it and every informer on it relists
 * (src/client/connection-health.ts).
 */
export interface CloudControllerManagerContext {
  services: ServiceControllerState;
  now: () => number;
}

export type CloudControllerManagerEvent = ((ApiResponseMessage | ApiWatchMessage | CloudResponseMessage) & { from: string }) | HealthOk;

export const CCM_IDLE_WAKEUP_MS = 60_000;

type Enqueue = Parameters<Parameters<typeof enqueueActions<CloudControllerManagerContext, CloudControllerManagerEvent, undefined, CloudControllerManagerEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function apply(enqueue: Enqueue, outcome: Outcome): void {
  for (const emitted of outcome.emits) enqueue.emit(emitted);
  enqueue.assign(() => ({ services: outcome.state }));
}

export const cloudControllerManagerMachine = setup({
  types: {
    context: {} as CloudControllerManagerContext,
    events: {} as CloudControllerManagerEvent,
    input: {} as HostedInput<CloudControllerManagerConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    startInformers: enqueueActions(({ context, enqueue }) => apply(enqueue, start(context.services, context.now()))),
    receiveResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.response') apply(enqueue, onResponse(context.services, event, context.now()));
    }),
    receiveWatchEvents: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.watch') apply(enqueue, onWatch(context.services, event, context.now()));
    }),
    receiveCloudAnswer: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'cloud.response') apply(enqueue, onCloudResponse(context.services, event, context.now()));
    }),
    receiveHealthOk: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'health.ok') apply(enqueue, onHealthOk(context.services, event, context.now()));
    }),
    handleTimers: enqueueActions(({ context, enqueue }) => apply(enqueue, onTimers(context.services, context.now()))),
  },
  guards: {
    cachesSynced: ({ context }) => cachesSynced(context.services),
  },
  delays: {
    wakeup: ({ context }) => {
      const at = nextDeadline(context.services);
      return at === undefined ? CCM_IDLE_WAKEUP_MS : Math.max(0, at - context.now());
    },
  },
}).createMachine({
  id: 'cloud-controller-manager',
  context: ({ input }) => ({ services: newServiceController(input.address, input.incarnation, input.config, input.now()), now: input.now }),
  entry: 'startInformers',
  initial: 'syncing',
  states: {
    syncing: {
      always: { guard: 'cachesSynced', target: 'running' },
      on: {
        'api.response': { target: 'syncing', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'syncing', reenter: true, actions: 'receiveWatchEvents' },
        'cloud.response': { target: 'syncing', reenter: true, actions: 'receiveCloudAnswer' },
        'health.ok': { target: 'syncing', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'syncing', reenter: true, actions: 'handleTimers' } },
    },
    running: {
      on: {
        'api.response': { target: 'running', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'running', reenter: true, actions: 'receiveWatchEvents' },
        'cloud.response': { target: 'running', reenter: true, actions: 'receiveCloudAnswer' },
        'health.ok': { target: 'running', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'running', reenter: true, actions: 'handleTimers' } },
    },
  },
});
