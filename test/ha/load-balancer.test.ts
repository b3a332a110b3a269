// The apiserver load balancer: nodes reach the apiservers through it; when one apiserver crashes, the
// health checks take it out (3 missed probes, 2 s apart), its clients' watches end and they move to a
// healthy one — kubelets keep posting status and the cluster converges.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { describe, expect, it } from 'vitest';
import { checkConvergence, formatViolations } from '../../src/check/convergence/index.ts';
import type { Cluster } from '../../src/cluster/index.ts';
import { parseTimestamp } from '../../src/kubelet/format.ts';
import { clusterView } from '../cluster-view.ts';
import type { BalancerState } from '../../machines/load-balancer/balancer.ts';
import { buildCluster } from '../../src/cluster/index.ts';
import { runUntil } from './harness.ts';


function converged(cluster: Cluster): string {
  return formatViolations(checkConvergence(clusterView(cluster)));
}

const balancer = (cluster: Cluster) => (cluster.sim.host('apiserver-lb').snapshot()!.context as { balancer: BalancerState }).balancer;

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: nginx, image: nginx:1.25, ports: [{ name: http, containerPort: 80 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: http }]
`;

describe('apiserver load balancer', () => {
  it('has no load balancer with one apiserver: nodes talk to it directly', () => {
    const cluster = buildCluster({ nodes: { count: 1 } }, { seed: 1 });
    expect(cluster.loadBalancer).toBeUndefined();
    expect(cluster.sim.has('apiserver-lb')).toBe(false);
  });

  it('moves the clients of a crashed apiserver; kubelets keep posting status and the cluster converges', () => {
    const cluster = buildCluster({ etcd: { members: 3 }, apiservers: 3, nodes: { count: 3 } }, { seed: 4 }).start();
    cluster.apply(WEB);
    expect(runUntil(cluster, () => converged(cluster) === '', 60_000)).toBe(true);
    // Every kubelet and kube-proxy reached its apiserver through the balancer, spread over the three.
    const lb = balancer(cluster);
    expect(new Set([...lb.sticky.values()])).toEqual(new Set(cluster.apiservers));
    const victim = lb.sticky.get('node-1/kubelet')!;

    cluster.crash(victim);
    const crashedAt = cluster.now;
    // fall 3 × inter 2 s: down within 8 s.
    expect(runUntil(cluster, () => !balancer(cluster).backends.get(victim)!.up, 8_000)).toBe(true);
    expect(balancer(cluster).stats.resets).toBeGreaterThan(0);
    expect([...balancer(cluster).sticky.values()]).not.toContain(victim);

    cluster.runFor(20_000);
    for (const node of cluster.nodes) {
      const lease = cluster.get<Lease & { metadata: object }>('leases', node, 'kube-node-lease')!;
      expect(parseTimestamp(lease.spec!.renewTime!), `${node}'s lease`).toBeGreaterThan(crashedAt + 5_000);
    }
    cluster.scale('deployment/web', 5);
    expect(runUntil(cluster, () => converged(cluster) === '', 60_000)).toBe(true);

    // Back up: 2 answered probes bring it back into rotation.
    cluster.restart(victim);
    expect(runUntil(cluster, () => balancer(cluster).backends.get(victim)!.up, 10_000)).toBe(true);
  });
});
