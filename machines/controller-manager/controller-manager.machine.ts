import { enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import type { ControllerManagerConfig } from './config.ts';
import {
  cachesSynced, handleResponse, handleTimers, handleWatch, newManager, nextDeadline, startManager, startWorkers,
  type ManagerState, type Outcome,
} from './manager.ts';

/**
 * kube-controller-manager: one process, one set of shared informers feeding every enabled controller's
 * work queue (ReplicaSet, Deployment, node lifecycle, taint eviction, Endpoints, EndpointSlice, Job,
 * DaemonSet, garbage collector, namespace — the modules of controllers.ts), as upstream. It talks only to
 * the apiserver named in its config, over the API protocol (src/apiserver/protocol.ts).
 *
 * `syncingCaches` lists and starts watches; handlers already queue keys. Once every informer has synced
 * (WaitForCacheSync) the workers start and the machine is `running`. Both states re-enter on every
 * message so the one timer always tracks the earliest deadline (informer back-off/stall/resync, delayed
 * queue keys, request timeouts). No disk: a restarted controller-manager relists, as upstream.
 */
export interface ControllerManagerContext {
  manager: ManagerState;
  now: () => number;
}

export type ControllerManagerEvent = (ApiResponseMessage | ApiWatchMessage) & { from: string };

/** With nothing due, wake up anyway now and then (cheap; nothing happens). */
export const IDLE_WAKEUP_MS = 60_000;

type Enqueue = Parameters<Parameters<typeof enqueueActions<ControllerManagerContext, ControllerManagerEvent, undefined, ControllerManagerEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function apply(enqueue: Enqueue, outcome: Outcome): void {
  for (const emitted of outcome.emits) enqueue.emit(emitted);
  enqueue.assign(() => ({ manager: outcome.state }));
}

export const controllerManagerMachine = setup({
  types: {
    context: {} as ControllerManagerContext,
    events: {} as ControllerManagerEvent,
    input: {} as HostedInput<ControllerManagerConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    startInformers: enqueueActions(({ context, enqueue }) => apply(enqueue, startManager(context.manager, context.now()))),
    receiveResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.response') apply(enqueue, handleResponse(context.manager, event, context.now()));
    }),
    receiveWatchEvents: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.watch') apply(enqueue, handleWatch(context.manager, event, context.now()));
    }),
    handleTimers: enqueueActions(({ context, enqueue }) => apply(enqueue, handleTimers(context.manager, context.now()))),
    startWorkers: enqueueActions(({ context, enqueue }) => apply(enqueue, startWorkers(context.manager, context.now()))),
  },
  guards: {
    cachesSynced: ({ context }) => cachesSynced(context.manager),
  },
  delays: {
    wakeup: ({ context }) => {
      const at = nextDeadline(context.manager);
      return at === undefined ? IDLE_WAKEUP_MS : Math.max(0, at - context.now());
    },
  },
}).createMachine({
  id: 'controllerManager',
  context: ({ input }) => ({ manager: newManager(input.address, input.incarnation, input.config, input.now()), now: input.now }),
  entry: 'startInformers',
  initial: 'syncingCaches',
  states: {
    syncingCaches: {
      always: { guard: 'cachesSynced', target: 'running', actions: 'startWorkers' },
      on: {
        'api.response': { target: 'syncingCaches', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'syncingCaches', reenter: true, actions: 'receiveWatchEvents' },
      },
      after: { wakeup: { target: 'syncingCaches', reenter: true, actions: 'handleTimers' } },
    },
    running: {
      on: {
        'api.response': { target: 'running', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'running', reenter: true, actions: 'receiveWatchEvents' },
      },
      after: { wakeup: { target: 'running', reenter: true, actions: 'handleTimers' } },
    },
  },
});
