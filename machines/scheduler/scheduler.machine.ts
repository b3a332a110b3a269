import { enqueueActions, setup } from 'xstate';
import type { HealthOk, HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import { RESTART_AFTER_LOST_LEASE_MS, type SchedulerConfig } from './config.ts';
import {
  cachesSynced, exitProcess, handleHealthOk, handleResponse, handleTimers, handleWatch, newSchedulerState, nextDeadline, startScheduler, startScheduling,
  type SchedulerState,
} from './scheduler.ts';

/**
 * kube-scheduler with the default profile: shared informers (pods, nodes, namespaces, services,
 * replicasets) feed the scheduling queue and the scheduler cache; once they have synced, scheduling
 * cycles run one at a time, each binding its pod asynchronously through `pods/<name>/binding`. It talks
 * only to the apiserver named in its config, over the API protocol (src/apiserver/protocol.ts).
 *
 * `syncingCaches` lists and starts watches (handlers already fill the queue and the cache); once every
 * informer has synced the machine is `scheduling`. Both states re-enter on every message so the one
 * timer tracks the earliest deadline (informer back-off/stall, binding timeouts, the queue's 1 s backoff
 * and 30 s leftover flushes). No disk: a restarted scheduler relists, as upstream.
 *
 * With --leader-elect (the default) the elector starts once the caches synced; cycles run only while
 * this process holds the Lease kube-system/kube-scheduler. Losing it is fatal upstream (klog.Fatal, then
 * the kubelet restarts the static pod): `scheduling` → `exited`, where nothing runs, and after the
 * restart back-off a fresh process starts over in `syncingCaches`.
 *
 * Every client of the process shares one connection to the apiserver, pinged after 30 s without a read
 * (`health.probe`; the apiserver's host answers `health.ok`); an unanswered ping closes it and every
 * informer on it relists (src/client/connection-health.ts).
 *
 * The context's `scheduler` is mutated in place by every action (indexed queue and cache; see README.md).
 */
export interface SchedulerContext {
  scheduler: SchedulerState;
  now: () => number;
  /** What a fresh process after a lost lease starts from. */
  readonly input: Pick<HostedInput<SchedulerConfig>, 'address' | 'incarnation' | 'config'>;
}

export type SchedulerEvent = ((ApiResponseMessage | ApiWatchMessage) & { from: string }) | HealthOk;

/** With nothing due, wake up anyway now and then (cheap; nothing happens). */
export const IDLE_WAKEUP_MS = 60_000;

type Enqueue = Parameters<Parameters<typeof enqueueActions<SchedulerContext, SchedulerEvent, undefined, SchedulerEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function emitAll(enqueue: Enqueue, emits: readonly HostedEmitted[]): void {
  for (const emitted of emits) enqueue.emit(emitted);
}

export const schedulerMachine = setup({
  types: {
    context: {} as SchedulerContext,
    events: {} as SchedulerEvent,
    input: {} as HostedInput<SchedulerConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    startInformers: enqueueActions(({ context, enqueue }) => emitAll(enqueue, startScheduler(context.scheduler, context.now()))),
    receiveResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.response') emitAll(enqueue, handleResponse(context.scheduler, event, context.now()));
    }),
    receiveWatchEvents: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'api.watch') emitAll(enqueue, handleWatch(context.scheduler, event, context.now()));
    }),
    receiveHealthOk: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'health.ok') emitAll(enqueue, handleHealthOk(context.scheduler, event, context.now()));
    }),
    handleTimers: enqueueActions(({ context, enqueue }) => emitAll(enqueue, handleTimers(context.scheduler, context.now()))),
    startScheduling: enqueueActions(({ context, enqueue }) => emitAll(enqueue, startScheduling(context.scheduler, context.now()))),
    exitProcess: enqueueActions(({ context, enqueue }) => emitAll(enqueue, exitProcess(context.scheduler, context.now()))),
    restartProcess: enqueueActions(({ context, enqueue }) => {
      const { address, incarnation, config } = context.input;
      const previous = context.scheduler;
      const scheduler = newSchedulerState(address, incarnation, config, previous.rng, context.now(), previous.life + 1);
      enqueue.assign({ scheduler });
      emitAll(enqueue, startScheduler(scheduler, context.now()));
    }),
  },
  guards: {
    cachesSynced: ({ context }) => cachesSynced(context.scheduler),
    lostLease: ({ context }) => context.scheduler.lostLease,
  },
  delays: {
    wakeup: ({ context }) => {
      const now = context.now();
      const at = nextDeadline(context.scheduler, now);
      return at === undefined ? IDLE_WAKEUP_MS : Math.max(0, at - now);
    },
    restartBackoff: () => RESTART_AFTER_LOST_LEASE_MS,
  },
}).createMachine({
  id: 'scheduler',
  context: ({ input }) => ({
    scheduler: newSchedulerState(input.address, input.incarnation, input.config, input.rng, input.now()),
    now: input.now,
    input: { address: input.address, incarnation: input.incarnation, config: input.config },
  }),
  entry: 'startInformers',
  initial: 'syncingCaches',
  states: {
    syncingCaches: {
      always: { guard: 'cachesSynced', target: 'scheduling', actions: 'startScheduling' },
      on: {
        'api.response': { target: 'syncingCaches', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'syncingCaches', reenter: true, actions: 'receiveWatchEvents' },
        'health.ok': { target: 'syncingCaches', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'syncingCaches', reenter: true, actions: 'handleTimers' } },
    },
    scheduling: {
      always: { guard: 'lostLease', target: 'exited', actions: 'exitProcess' },
      on: {
        'api.response': { target: 'scheduling', reenter: true, actions: 'receiveResponse' },
        'api.watch': { target: 'scheduling', reenter: true, actions: 'receiveWatchEvents' },
        'health.ok': { target: 'scheduling', reenter: true, actions: 'receiveHealthOk' },
      },
      after: { wakeup: { target: 'scheduling', reenter: true, actions: 'handleTimers' } },
    },
    exited: {
      after: { restartBackoff: { target: 'syncingCaches', actions: 'restartProcess' } },
    },
  },
});
