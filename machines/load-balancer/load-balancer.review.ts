import type { AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { LoadBalancerContext } from './load-balancer.machine.ts';

/**
 * Review sample: a load balancer in front of two apiservers. A kubelet opens a watch and gets it
 * answered; the backends answer their probes; with no answers a backend goes down and the watch ends.
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'apiserver-lb',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { backends: ['apiserver-0', 'apiserver-1'] },
});

const context = (snapshot: AnyMachineSnapshot) => snapshot.context as LoadBalancerContext;

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'api.request': [{ type: 'api.request', from: 'node-1/kubelet', requestId: 'w-1', request: { verb: 'watch', group: '', version: 'v1', resource: 'pods' } }],
  'api.watch.cancel': [{ type: 'api.watch.cancel', from: 'node-1/kubelet', requestId: 'w-1' }],
  'api.response': [{ type: 'api.response', from: 'apiserver-0', requestId: 'node-1/kubelet|r-1', code: 200, body: {} }],
  'api.watch': [{ type: 'api.watch', from: 'apiserver-0', requestId: 'node-1/kubelet|w-1', events: [], seq: 1 }],
  'api.stream': [{ type: 'api.stream', from: 'apiserver-0', requestId: 'node-1/kubelet|l-1', seq: 1, data: 'x' }],
  'health.ok': (snapshot) =>
    [...context(snapshot).balancer.backends].flatMap(([backend, h]) => (h.probe ? [{ type: 'health.ok', from: backend, id: h.probe, incarnation: 0 }] : [])),
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  '*': (snapshot) => {
    const { balancer } = context(snapshot);
    for (const [client, backend] of balancer.sticky) {
      if (!balancer.backends.get(backend)?.up) return `${client} sticks to ${backend}, which is down`;
    }
    for (const [backend, open] of balancer.watches) {
      if (open.size > 0 && !balancer.backends.get(backend)?.up) return `watches stay open on ${backend}, which is down`;
    }
    return null;
  },
};

/** The context is mutated in place, so paths are replayed on fresh actors. */
export const reviewExploration: ReviewModule['reviewExploration'] = 'replay';
