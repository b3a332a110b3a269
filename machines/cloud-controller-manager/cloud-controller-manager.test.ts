// The cloud-controller-manager's service controller against the simulated cloud, in a whole cluster: a
// `type: LoadBalancer` Service gets the cleanup finalizer, EXTERNAL-IP <pending> until the cloud has
// provisioned its load balancer, then the pool's first IP; traffic to that IP lands on a ready pod through
// a node's node port; backends follow the nodes; deletion tears the load balancer down before the finalizer
// goes. With the cloud API down provisioning fails and retries, and succeeds once it is back.
import type { Service } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { cloudLoadBalancers, LoadBalancerTraffic } from '../../src/cloud/index.ts';
import { buildCluster, type Cluster } from '../../src/cluster/index.ts';
import { ServiceTraffic } from '../../src/network/index.ts';
import { mergePatchRequest } from '../../src/client/index.ts';
import { EXCLUDE_FROM_LB_LABEL, LOAD_BALANCER_CLEANUP_FINALIZER } from './service-controller.ts';

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: nginx, image: nginx:1.25, ports: [{ containerPort: 80 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 80, targetPort: 80 }]
`;

const svc = (cluster: Cluster) => cluster.get<Service>('services', 'web', 'default');
const externalIP = (cluster: Cluster) => svc(cluster)?.status?.loadBalancer?.ingress?.[0]?.ip;
const reasons = (cluster: Cluster) => cluster.eventLog.filter((e) => e.event.source?.component === 'service-controller').map((e) => e.event.reason);

describe('cloud-controller-manager: service controller and the simulated cloud', () => {
  it('provisions a load balancer with latency, routes to ready pods, follows nodes, cleans up on delete', () => {
    const cluster = buildCluster({}, { seed: 31 }).start();
    expect(cluster.layout.cloudControllerManager).toBe('ccm-0');
    cluster.apply(MANIFEST);
    cluster.runFor(3_000);
    // Pending: the finalizer is on, the cloud is still provisioning.
    expect(svc(cluster)?.metadata?.finalizers).toEqual([LOAD_BALANCER_CLEANUP_FINALIZER]);
    expect(externalIP(cluster)).toBeUndefined();
    expect(svc(cluster)?.spec?.ports?.[0].nodePort).toBeGreaterThanOrEqual(30000);
    cluster.runFor(10_000);
    expect(externalIP(cluster)).toBe('203.0.113.10');
    expect(svc(cluster)?.status?.loadBalancer?.ingress?.[0]).toEqual({ ip: '203.0.113.10', ipMode: 'VIP' });
    expect(reasons(cluster)).toEqual(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']);
    const ensured = cluster.eventLog.find((e) => e.event.reason === 'EnsuredLoadBalancer')!.event;
    expect(ensured).toMatchObject({ type: 'Normal', message: 'Ensured load balancer', involvedObject: { kind: 'Service', name: 'web', namespace: 'default' } });

    // Traffic to the external IP: a backend node's node port, then a ready pod.
    const ready = new Set(cluster.list<{ status?: { podIP?: string } } & { metadata?: object }>('pods', { labelSelector: 'app=web' }).map((p) => `${p.status?.podIP}:80`));
    const lb = new LoadBalancerTraffic(cluster.sim, new ServiceTraffic(cluster.sim));
    const outcomes = Array.from({ length: 9 }, () => lb.request('203.0.113.10:80'));
    expect(outcomes.every((r) => r.ok && ready.has(r.endpoint)), JSON.stringify(outcomes[0])).toBe(true);
    expect(new Set(outcomes.map((r) => r.backend))).toEqual(new Set(['node-1', 'node-2', 'node-3']));

    // A node leaves the backends (labelled out): UpdatedLoadBalancer, and the cloud has two backends.
    const label = mergePatchRequest({ group: '', version: 'v1', resource: 'nodes' }, 'node-3', { metadata: { labels: { [EXCLUDE_FROM_LB_LABEL]: 'true' } } });
    expect(cluster.client.call(label).code).toBe(200);
    cluster.runFor(5_000);
    expect(reasons(cluster)).toContain('UpdatedLoadBalancer');
    expect(cloudLoadBalancers(cluster.sim)[0].nodes.map((n) => n.name)).toEqual(['node-1', 'node-2']);

    cluster.delete('services', 'web', { namespace: 'default' });
    cluster.runFor(5_000);
    expect(svc(cluster)).toBeUndefined();
    expect(reasons(cluster).slice(-2)).toEqual(['DeletingLoadBalancer', 'DeletedLoadBalancer']);
    expect(cloudLoadBalancers(cluster.sim)).toEqual([]);
    cluster.stop();
  });

  it('cloud API down: SyncLoadBalancerFailed and retries with back-off; back up: ensured', () => {
    const cluster = buildCluster({}, { seed: 32 }).start();
    cluster.crash('cloud-provider');
    cluster.apply(MANIFEST);
    cluster.runFor(125_000);
    expect(externalIP(cluster)).toBeUndefined();
    const failed = cluster.eventLog.find((e) => e.event.reason === 'SyncLoadBalancerFailed')?.event;
    expect(failed).toMatchObject({ type: 'Warning', message: 'Error syncing load balancer: failed to ensure load balancer: cloud provider did not answer within 120s' });
    cluster.restart('cloud-provider');
    cluster.runFor(30_000);
    expect(externalIP(cluster)).toBe('203.0.113.10');
    cluster.stop();
  });

  it('components.cloudControllerManager: false leaves both out', () => {
    const cluster = buildCluster({ components: { cloudControllerManager: false } }, { seed: 3 });
    expect(cluster.sim.has('ccm-0') || cluster.sim.has('cloud-provider')).toBe(false);
    cluster.stop();
  });
});
