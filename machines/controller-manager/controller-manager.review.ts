import type { AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { ControllerManagerContext } from './controller-manager.machine.ts';
import { cachesSynced } from './manager.ts';

/**
 * Review sample for the controller-manager: every controller (the default) against "apiserver-0". Its only inputs are
 * API answers, so the samples answer whatever it is waiting for: empty lists for its informers' current
 * list requests (which lets it reach `running`), and a bookmark on each open watch.
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'kcm-0',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { apiserver: 'apiserver-0' },
});

const context = (snapshot: AnyMachineSnapshot) => snapshot.context as ControllerManagerContext;

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'api.response': (snapshot) => [
    ...Object.values(context(snapshot).manager.informers).flatMap((informer) =>
      informer.list ? [{ type: 'api.response', from: 'apiserver-0', requestId: informer.list.requestId, code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } }] : []),
    // An answer to a fire-and-forget event write.
    { type: 'api.response', from: 'apiserver-0', requestId: 'kcm-0#0/events/1', code: 201, body: {} },
  ],
  'api.watch': (snapshot) =>
    Object.values(context(snapshot).manager.informers).flatMap((informer) =>
      informer.watch ? [{ type: 'api.watch', from: 'apiserver-0', requestId: informer.watch.requestId, events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } }] }] : []),
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  running: (snapshot) => (cachesSynced(context(snapshot).manager) ? null : 'workers running before the caches synced'),
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
  return JSON.stringify([snapshot.value, manager.needed.filter((name) => manager.informers[name].hasSynced).length]);
};
