import type { AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { ApiServerContext } from './types.ts';

/**
 * Review sample: an apiserver serving namespaces only (one watch cache), so the list result of that one
 * cache takes it to `serving`. The etcd answers are built from the snapshot (the op and watch ids are the
 * machine's own).
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'apiserver-0',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { resources: ['namespaces'] },
});

const ctx = (snapshot: AnyMachineSnapshot) => snapshot.context as ApiServerContext;
const header = { revision: 1, raftTerm: 1, memberId: 'etcd-0' };

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'api.request': [
    { type: 'api.request', from: 'client', requestId: 'get', request: { verb: 'get', group: '', version: 'v1', resource: 'namespaces', name: 'default' } },
    { type: 'api.request', from: 'client', requestId: 'bad', request: { verb: 'create', group: '', version: 'v1', resource: 'namespaces', body: 'junk' } },
    { type: 'api.request', from: 'client', requestId: 'watch', request: { verb: 'watch', group: '', version: 'v1', resource: 'namespaces' } },
  ],
  'api.watch.cancel': [{ type: 'api.watch.cancel', from: 'client', requestId: 'watch' }],
  'etcd.client.result': (snapshot) => [
    ...[...ctx(snapshot).feedByListOp.keys()].map((opId) => ({
      type: 'etcd.client.result', from: 'apiserver-0/etcd', opId, outcome: { status: 'ok', result: { header, kvs: [], count: 0, more: false } },
    })),
    { type: 'etcd.client.result', from: 'apiserver-0/etcd', opId: 'unknown-op', outcome: { status: 'unknown', reason: 'context deadline exceeded' } },
  ],
  // A kubelet's log data nobody waits for (a stream this incarnation does not know): it is cancelled.
  'kubelet.logs.data': [{ type: 'kubelet.logs.data', from: 'node-1/kubelet', requestId: 'stale', seq: 2, data: 'line\n' }],
  'etcd.client.watchEvent': (snapshot) =>
    [...ctx(snapshot).feedByWatch.keys()].map((watchId) => ({
      type: 'etcd.client.watchEvent', from: 'apiserver-0/etcd', watchId,
      response: { type: 'etcd.watch.response', watchId: `${watchId}#0`, header: { ...header, revision: 2 }, events: [], progressNotify: true },
    })),
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  '*': (snapshot) => (ctx(snapshot).outbox.length === 0 ? null : 'an action left effects in the outbox'),
  serving: (snapshot) => ([...ctx(snapshot).feeds.values()].every((f) => f.cache.ready) ? null : 'serving with a watch cache not ready'),
};
