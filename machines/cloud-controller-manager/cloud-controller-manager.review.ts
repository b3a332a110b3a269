import type { AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { CloudControllerManagerContext } from './cloud-controller-manager.machine.ts';
import { cachesSynced } from './service-controller.ts';
import { pendingProbe } from '../../src/client/index.ts';

/**
 * Review sample for the cloud-controller-manager against "apiserver-0" and "cloud-provider": empty lists
 * answer its informers (so it reaches `running`), a bookmark each open watch, and answers nobody waits for
 * (a late API answer, a late cloud answer).
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'ccm-0', incarnation: 0, rng: [1, 2, 3, 4], disk: new Map(), now, config: { apiserver: 'apiserver-0' },
});

const context = (snapshot: AnyMachineSnapshot) => snapshot.context as CloudControllerManagerContext;

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'api.response': (snapshot) => [
    ...Object.values(context(snapshot).services.informers).flatMap((informer) =>
      informer.list ? [{ type: 'api.response', from: 'apiserver-0', requestId: informer.list.requestId, code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } }] : []),
    { type: 'api.response', from: 'apiserver-0', requestId: 'ccm-0#0/svc/stale', code: 200, body: {} },
  ],
  'api.watch': (snapshot) =>
    Object.values(context(snapshot).services.informers).flatMap((informer) =>
      informer.watch ? [{ type: 'api.watch', from: 'apiserver-0', requestId: informer.watch.requestId, events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } }] }] : []),
  // The apiserver acks the connection's health ping (an unknown id when none is out: ignored).
  'health.ok': (snapshot) => [{ type: 'health.ok', from: 'apiserver-0', incarnation: 0, id: pendingProbe(context(snapshot).services.connections) ?? 'ccm-0#0/conn/apiserver-0/ping-0' }],
  'cloud.response': [{ type: 'cloud.response', from: 'cloud-provider', requestId: 'ccm-0#0/cloud/stale', ok: true }],
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  running: (snapshot) => (cachesSynced(context(snapshot).services) ? null : 'running before the caches synced'),
  '*': (snapshot) => {
    const { ops } = context(snapshot).services;
    const ids = Object.values(ops).map((o) => o.requestId);
    return new Set(ids).size === ids.length ? null : 'two operations share a request id';
  },
};

export const reviewSerializeState: ReviewModule['reviewSerializeState'] = (snapshot) =>
  JSON.stringify([snapshot.value, Object.values(context(snapshot).services.informers).map((i) => i.hasSynced)]);
