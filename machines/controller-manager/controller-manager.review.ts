import type { AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { ControllerManagerContext } from './controller-manager.machine.ts';
import { cachesSynced, mayRunControllers } from './manager.ts';
import { electorAnswers } from '../../src/review/lease-answers.ts';
import { pendingProbe } from '../../src/client/index.ts';

/**
 * Review sample for the controller-manager: every controller (the default) against "apiserver-0". Its only inputs are
 * API answers, so the samples answer whatever it is waiting for: empty lists for its informers' current
 * list requests (which lets it reach `running`), a bookmark on each open watch, and the Lease API's answer
 * to the elector's request in flight (so it leads; leaving its renewals unanswered loses the lease).
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'kcm-0',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { apiserver: 'apiserver-0' },
});

/** One controller with one informer: `running` is a few answers away, so losing the lease there is explored too. */
export const reviewInputs: ReviewModule['reviewInputs'] = {
  namespaceControllerOnly: (now) => ({
    address: 'kcm-0', incarnation: 0, rng: [1, 2, 3, 4], disk: new Map(), now, config: { apiserver: 'apiserver-0', controllers: ['namespace'] },
  }),
};

const context = (snapshot: AnyMachineSnapshot) => snapshot.context as ControllerManagerContext;

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'api.response': (snapshot) => [
    ...Object.values(context(snapshot).manager.informers).flatMap((informer) =>
      informer.list ? [{ type: 'api.response', from: 'apiserver-0', requestId: informer.list.requestId, code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } }] : []),
    // An answer to a fire-and-forget event write.
    { type: 'api.response', from: 'apiserver-0', requestId: 'kcm-0#0/events/1', code: 201, body: {} },
    ...electorAnswers(context(snapshot).manager.elector).map((answer) => ({ type: 'api.response', from: 'apiserver-0', ...answer })),
  ],
  'api.watch': (snapshot) =>
    Object.values(context(snapshot).manager.informers).flatMap((informer) =>
      informer.watch ? [{ type: 'api.watch', from: 'apiserver-0', requestId: informer.watch.requestId, events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } }] }] : []),
  // The apiserver acks the connection's health ping (an unknown id when none is out: ignored).
  'health.ok': (snapshot) => [{ type: 'health.ok', from: 'apiserver-0', incarnation: 0, id: pendingProbe(context(snapshot).manager.connections) ?? 'kcm-0#0/conn/apiserver-0/ping-0' }],
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  running: (snapshot) => (cachesSynced(context(snapshot).manager) ? null : 'workers running before the caches synced'),
  electing: (snapshot) => (context(snapshot).manager.needed.some((n) => context(snapshot).manager.informers[n].phase !== 'stopped') ? 'informers started before leading' : null),
  syncingCaches: (snapshot) => (mayRunControllers(context(snapshot).manager) || context(snapshot).manager.lostLease ? null : 'controllers starting without the lease'),
  '*': (snapshot) => {
    const { manager } = context(snapshot);
    for (const [name, cs] of Object.entries(manager.controllers)) {
      const busy = Object.keys(cs.jobs).length;
      if (busy > manager.config.workers[name as keyof typeof manager.config.workers]) return `${busy} ${name} syncs at once`;
    }
    return null;
  },
};

/**
 * Tell snapshots apart by state and by how many of the needed informers have synced (what `cachesSynced`
 * reads). A count, not the set: with every controller on, the sets would make the exploration exponential.
 */
export const reviewSerializeState: ReviewModule['reviewSerializeState'] = (snapshot) => {
  const { manager } = context(snapshot);
  return JSON.stringify([
    snapshot.value, manager.needed.filter((name) => manager.informers[name].hasSynced).length, manager.elector?.phase, manager.elector?.call?.step,
  ]);
};

/**
 * Paths are replayed on fresh actors with a clock that advances: the elector's timers (request timeouts,
 * the renew deadline) act on how much time passed, which the chart's pure transitions do not advance.
 */
export const reviewExploration: ReviewModule['reviewExploration'] = 'replay';
