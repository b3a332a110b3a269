import type { AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { SchedulerContext } from './scheduler.machine.ts';
import { cachesSynced } from './scheduler.ts';
import { electorAnswers } from '../../src/review/lease-answers.ts';
import { pendingProbe } from '../../src/client/index.ts';

/**
 * Review sample for the scheduler against "apiserver-0". Its only inputs are API answers, so the samples
 * answer whatever it is waiting for: empty lists for its informers' current list requests (which lets it
 * reach `scheduling`), a bookmark on each open watch, an answer to an event write, and the Lease API's
 * answer to the elector's request in flight (so it leads; leaving its renewals unanswered loses the lease).
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'scheduler-0',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { apiserver: 'apiserver-0' },
});

const context = (snapshot: AnyMachineSnapshot) => snapshot.context as SchedulerContext;

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'api.response': (snapshot) => [
    ...Object.values(context(snapshot).scheduler.informers).flatMap((informer) =>
      informer.list ? [{ type: 'api.response', from: 'apiserver-0', requestId: informer.list.requestId, code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } }] : []),
    { type: 'api.response', from: 'apiserver-0', requestId: 'scheduler-0#0/events/1', code: 201, body: {} },
    ...electorAnswers(context(snapshot).scheduler.elector).map((answer) => ({ type: 'api.response', from: 'apiserver-0', ...answer })),
  ],
  'api.watch': (snapshot) =>
    Object.values(context(snapshot).scheduler.informers).flatMap((informer) =>
      informer.watch ? [{ type: 'api.watch', from: 'apiserver-0', requestId: informer.watch.requestId, events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } }] }] : []),
  // The apiserver acks the connection's health ping (an unknown id when none is out: ignored).
  'health.ok': (snapshot) => [{ type: 'health.ok', from: 'apiserver-0', incarnation: 0, id: pendingProbe(context(snapshot).scheduler.connections) ?? 'scheduler-0#0/conn/apiserver-0/ping-0' }],
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  scheduling: (snapshot) => (cachesSynced(context(snapshot).scheduler) ? null : 'scheduling before the caches synced'),
  syncingCaches: (snapshot) => (context(snapshot).scheduler.stats.attempts === 0 ? null : 'a scheduling cycle ran before the caches synced'),
  exited: (snapshot) => (context(snapshot).scheduler.leader === undefined ? null : 'an exited process still leads'),
  '*': (snapshot) => {
    const { scheduler } = context(snapshot);
    for (const call of scheduler.binds.values()) {
      if (scheduler.cache.nodeOf(call.assumed) === undefined) return `binding of ${call.assumed.metadata?.name} in flight without the pod in the cache`;
    }
    return null;
  },
};

/**
 * Tell snapshots apart by state, by which informers have synced (what `cachesSynced` reads), and by the
 * elector's phase and request in flight (what it takes to lead and then lose the lease).
 */
export const reviewSerializeState: ReviewModule['reviewSerializeState'] = (snapshot) => {
  const { scheduler } = context(snapshot);
  const informers = Object.values(scheduler.informers);
  return JSON.stringify([snapshot.value, informers.map((i) => i.hasSynced), scheduler.elector?.phase, scheduler.elector?.call?.step]);
};

/** The context is mutated in place (indexed queue and cache), so paths are replayed on fresh actors. */
export const reviewExploration: ReviewModule['reviewExploration'] = 'replay';
