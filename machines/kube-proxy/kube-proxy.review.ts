import type { AnyMachineSnapshot } from 'xstate';
import type { HostedInput } from '../../src/host/contract.ts';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { KubeProxyConfig } from './config.ts';
import type { KubeProxyContext } from './kube-proxy.machine.ts';
import { cachesSynced } from './proxier.ts';
import { pendingProbe } from '../../src/client/index.ts';

/**
 * Review sample for kube-proxy on node-1 against "apiserver-0". Its only inputs are API answers, so the
 * samples answer what it waits for: empty lists for its informers' list requests (which lets it reach
 * `running`) and a bookmark on each open watch. Both modes are sampled.
 */
const input = (mode: 'iptables' | 'ipvs') => (now: () => number): HostedInput<KubeProxyConfig> => ({
  address: 'node-1/kube-proxy',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { apiserver: 'apiserver-0', nodeName: 'node-1', mode },
});

export const reviewInput: ReviewModule['reviewInput'] = input('iptables');
export const reviewInputs: ReviewModule['reviewInputs'] = { ipvs: input('ipvs') };

const context = (snapshot: AnyMachineSnapshot) => snapshot.context as KubeProxyContext;

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'api.response': (snapshot) => [
    ...Object.values(context(snapshot).proxier.informers).flatMap((informer) =>
      informer.list ? [{ type: 'api.response', from: 'apiserver-0', requestId: informer.list.requestId, code: 200, body: { metadata: { resourceVersion: '1' }, items: [] } }] : []),
    // A late answer to a request nobody waits for any more (an abandoned list).
    { type: 'api.response', from: 'apiserver-0', requestId: 'node-1/kube-proxy#0/stale', code: 200, body: {} },
  ],
  'api.watch': (snapshot) =>
    Object.values(context(snapshot).proxier.informers).flatMap((informer) =>
      informer.watch ? [{ type: 'api.watch', from: 'apiserver-0', requestId: informer.watch.requestId, events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } }] }] : []),
  // The apiserver acks the connection's health ping (an unknown id when none is out: ignored).
  'health.ok': (snapshot) => [{ type: 'health.ok', from: 'apiserver-0', incarnation: 0, id: pendingProbe(context(snapshot).proxier.connections) ?? 'node-1/kube-proxy#0/conn/apiserver-0/ping-0' }],
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  running: (snapshot) => (cachesSynced(context(snapshot).proxier) ? null : 'running before the caches synced'),
  syncingCaches: (snapshot) => (context(snapshot).proxier.syncs === 0 ? null : 'rules written before the caches synced'),
};

/** Tell snapshots apart by state and by which informers have synced (what `cachesSynced` reads). */
export const reviewSerializeState: ReviewModule['reviewSerializeState'] = (snapshot) => {
  const { informers } = context(snapshot).proxier;
  return JSON.stringify([snapshot.value, Object.values(informers).map((i) => i.hasSynced)]);
};
