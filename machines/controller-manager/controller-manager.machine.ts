import { enqueueActions, setup } from 'xstate';
import type { HealthOk, HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import { RESTART_AFTER_LOST_LEASE_MS, type ControllerManagerConfig } from './config.ts';
import {
  cachesSynced, exitProcess, handleHealthOk, handleResponse, handleTimers, handleWatch, mayRunControllers, newManager, nextDeadline, startElection,
  startManager, startWorkers, type ManagerState, type Outcome,
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
 *
 * With --leader-elect (the default) the process first runs its elector in `electing`; only once it holds
 * the Lease kube-system/kube-controller-manager do the controllers and their informers start. Losing the
 * lease is fatal upstream (klog.Fatal, then the kubelet restarts the static pod): → `exited`, where
 * nothing runs, and after the restart back-off a fresh process starts over in `electing`.
 *
 * Every client of the process shares one connection to the apiserver, pinged after 30 s without a read
 * (`health.probe`; the apiserver's host answers `health.ok`); an unanswered ping closes it and every
 * informer on it relists (src/client/connection-health.ts).
 */
export interface ControllerManagerContext {
  manager: ManagerState;
  now: () => number;
  /** What a fresh process after a lost lease starts from. */
  readonly input: Pick<HostedInput<ControllerManagerConfig>, 'address' | 'incarnation' | 'config'>;
}

export type ControllerManagerEvent = ((ApiResponseMessage | ApiWatchMessage) & { from: string }) | HealthOk;

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
    startElection: enqueueActions(({ context, enqueue }) => apply(enqueue, startElection(context.manager, context.now()))),
    startInformers: enqueueActions(({ context, enqueue }) => apply(enqueue, startManager(context.manager, context.now()))),
    exitProcess: enqueueActions(({ context, enqueue }) => apply(enqueue, exitProcess(context.manager, context.now()))),
    restartProcess: enqueueActions(({ context, enqueue }) => {
      const { address, incarnation, config } = context.input;
      const previous = context.manager;
      const fresh = newManager(address, incarnation, config, context.now(), previous.elector?.rng ?? [1, 2, 3, 4], previous.life + 1);
      apply(enqueue, startElection(fresh, context.now()));
    }),
    receiveResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.response') apply(enqueue, handleResponse(context.manager, event, context.now()));
    }),
    receiveWatchEvents: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.watch') apply(enqueue, handleWatch(context.manager, event, context.now()));
    }),
    receiveHealthOk: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'health.ok') apply(enqueue, handleHealthOk(context.manager, event, context.now()));
    }),
    handleTimers: enqueueActions(({ context, enqueue }) => apply(enqueue, handleTimers(context.manager, context.now()))),
    startWorkers: enqueueActions(({ context, enqueue }) => apply(enqueue, startWorkers(context.manager, context.now()))),
  },
  guards: {
    cachesSynced: ({ context }) => cachesSynced(context.manager),
    leading: ({ context }) => mayRunControllers(context.manager),
    lostLease: ({ context }) => context.manager.lostLease,
  },
  delays: {
    wakeup: ({ context }) => {
      const at = nextDeadline(context.manager);
      return at === undefined ? IDLE_WAKEUP_MS : Math.max(0, at - context.now());
    },
    restartBackoff: () => RESTART_AFTER_LOST_LEASE_MS,
  },
}).createMachine({
  id: 'controllerManager',
  context: ({ input }) => ({
    manager: newManager(input.address, input.incarnation, input.config, input.now(), input.rng),
    now: input.now,
    input: { address: input.address, incarnation: input.incarnation, config: input.config },
  }),
  entry: 'startElection',
  initial: 'electing',
  states: {
    electing: {
      always: { guard: 'leading', target: 'syncingCaches', actions: 'startInformers' },
      on: {
        'api.response': { target: 'electing', reenter: true, actions: 'receiveResponse' },
        'health.ok': { target: 'electing', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'electing', reenter: true, actions: 'handleTimers' } },
    },
    syncingCaches: {
      always: [
        { guard: 'lostLease', target: 'exited', actions: 'exitProcess' },
        { guard: 'cachesSynced', target: 'running', actions: 'startWorkers' },
      ],
      on: {
        'api.response': { target: 'syncingCaches', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'syncingCaches', reenter: true, actions: 'receiveWatchEvents' },
        'health.ok': { target: 'syncingCaches', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'syncingCaches', reenter: true, actions: 'handleTimers' } },
    },
    running: {
      always: { guard: 'lostLease', target: 'exited', actions: 'exitProcess' },
      on: {
        'api.response': { target: 'running', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'running', reenter: true, actions: 'receiveWatchEvents' },
        'health.ok': { target: 'running', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'running', reenter: true, actions: 'handleTimers' } },
    },
    exited: {
      after: { restartBackoff: { target: 'electing', actions: 'restartProcess' } },
    },
  },
});
