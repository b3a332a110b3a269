import type { AnyMachineSnapshot } from 'xstate';
import type { HostedInput } from '../../src/host/contract.ts';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { CoreDnsContext } from './coredns.machine.ts';
import { ready, type CoreDnsConfig } from './state.ts';
import { pendingProbe } from '../../src/client/index.ts';

/**
 * Review sample for CoreDNS against "apiserver-0": empty lists answer its informers (so it reaches
 * `serving`), a bookmark each open watch, and a late answer to a request nobody waits for.
 */
export const reviewInput: ReviewModule['reviewInput'] = (now: () => number): HostedInput<CoreDnsConfig> => ({
  address: 'coredns-0', incarnation: 0, rng: [1, 2, 3, 4], disk: new Map(), now, config: { apiserver: 'apiserver-0' },
});

const context = (snapshot: AnyMachineSnapshot) => snapshot.context as CoreDnsContext;

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'api.response': (snapshot) => [
    ...Object.values(context(snapshot).dns.informers).flatMap((informer) =>
      informer.list ? [{ type: 'api.response', from: 'apiserver-0', requestId: informer.list.requestId, code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } }] : []),
    { type: 'api.response', from: 'apiserver-0', requestId: 'coredns-0#0/stale', code: 200, body: {} },
  ],
  'api.watch': (snapshot) =>
    Object.values(context(snapshot).dns.informers).flatMap((informer) =>
      informer.watch ? [{ type: 'api.watch', from: 'apiserver-0', requestId: informer.watch.requestId, events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } }] }] : []),
  // The apiserver acks the connection's health ping (an unknown id when none is out: ignored).
  'health.ok': (snapshot) => [{ type: 'health.ok', from: 'apiserver-0', incarnation: 0, id: pendingProbe(context(snapshot).dns.connections) ?? 'coredns-0#0/conn/apiserver-0/ping-0' }],
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  serving: (snapshot) => (ready(context(snapshot).dns) ? null : 'serving before the caches synced'),
};

export const reviewSerializeState: ReviewModule['reviewSerializeState'] = (snapshot) =>
  JSON.stringify([snapshot.value, Object.values(context(snapshot).dns.informers).map((i) => i.hasSynced)]);
