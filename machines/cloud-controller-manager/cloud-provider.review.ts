import type { AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { CloudProviderContext } from './cloud-provider.machine.ts';

/**
 * Review sample for the simulated cloud: calls from the cloud-controller-manager creating, updating,
 * reading and deleting one load balancer. Invariant: no two load balancers share an external IP.
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'cloud-provider', incarnation: 0, rng: [1, 2, 3, 4], disk: new Map(), now, config: { provisionMs: 10_000 },
});

const context = (snapshot: AnyMachineSnapshot) => snapshot.context as CloudProviderContext;
const nodes = [{ name: 'node-1', address: '172.18.0.2' }];

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'cloud.request': [
    { type: 'cloud.request', from: 'ccm-0', requestId: 'r1', call: { op: 'EnsureLoadBalancer', name: 'a1', service: 'default/web', ports: [{ protocol: 'TCP', port: 80, nodePort: 30080 }], nodes } },
    { type: 'cloud.request', from: 'ccm-0', requestId: 'r2', call: { op: 'UpdateLoadBalancer', name: 'a1', nodes: [] } },
    { type: 'cloud.request', from: 'ccm-0', requestId: 'r3', call: { op: 'GetLoadBalancer', name: 'a1' } },
    { type: 'cloud.request', from: 'ccm-0', requestId: 'r4', call: { op: 'EnsureLoadBalancerDeleted', name: 'a1' } },
  ],
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  '*': (snapshot) => {
    const ips = Object.values(context(snapshot).cloud.balancers).map((lb) => lb.ip);
    return new Set(ips).size === ips.length ? null : `an external IP given twice: ${ips.join(', ')}`;
  },
};
