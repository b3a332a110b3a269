// kubeadm's addons and the `kubernetes` Service: the kube-proxy DaemonSet on every node (control plane
// included) whose pods are ready while their node's kube-proxy actor runs, CoreDNS with the kube-dns
// Service at 10.96.0.10, and `default/kubernetes` at 10.96.0.1 with the apiserver's address as endpoint.
import type { DaemonSet, Deployment } from 'kubernetes-types/apps/v1.js';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCluster, type Cluster } from '../../src/cluster/index.ts';

const ready = (pod: Pod | undefined) => pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

describe('kubeadm addons and the kubernetes Service', () => {
  let cluster: Cluster;
  beforeAll(() => {
    cluster = buildCluster({ controlPlane: { staticPods: true, addons: true }, etcd: { members: 1 }, apiservers: 2, nodes: { count: 2 } }, { seed: 5 });
    cluster.start();
    cluster.runFor(40_000);
  });
  afterAll(() => cluster.stop());

  it('keeps default/kubernetes at 10.96.0.1:443 → 6443 with every apiserver host IP as endpoint', () => {
    const svc = cluster.get<Service>('services', 'kubernetes', 'default')!;
    expect(svc.spec).toMatchObject({ clusterIP: '10.96.0.1', type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] });
    expect(svc.spec?.selector).toBeUndefined();
    const endpoints = cluster.get<Endpoints>('endpoints', 'kubernetes', 'default')!;
    expect(endpoints.subsets?.[0]?.addresses?.map((a) => a.ip)).toEqual(['172.18.250.1', '172.18.250.2']);
    expect(endpoints.subsets?.[0]?.ports).toEqual([{ name: 'https', port: 6443, protocol: 'TCP' }]);
    const slice = cluster.get<EndpointSlice>('endpointslices', 'kubernetes', 'default')!;
    expect(slice.endpoints.map((e) => e.addresses[0]).sort()).toEqual(['172.18.250.1', '172.18.250.2']);
  });

  it('creates kube-dns at 10.96.0.10 and CoreDNS with 2 ready replicas behind it', () => {
    const dns = cluster.get<Service>('services', 'kube-dns', 'kube-system')!;
    expect(dns.spec?.clusterIP).toBe('10.96.0.10');
    expect(dns.spec?.ports?.map((p) => `${p.port}/${p.protocol}`)).toEqual(['53/UDP', '53/TCP', '9153/TCP']);
    const coredns = cluster.get<Deployment>('deployments', 'coredns', 'kube-system')!;
    expect(coredns.status?.readyReplicas).toBe(2);
    expect(coredns.spec?.template.spec?.containers[0]?.image).toBe('registry.k8s.io/coredns/coredns:v1.11.1');
    const endpoints = cluster.get<Endpoints>('endpoints', 'kube-dns', 'kube-system')!;
    expect(endpoints.subsets?.[0]?.addresses).toHaveLength(2);
  });

  it('runs a ready kube-proxy pod on every node, and shows a crashed kube-proxy as not ready until it is back', () => {
    const ds = cluster.get<DaemonSet>('daemonsets', 'kube-proxy', 'kube-system')!;
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 4, numberReady: 4 });
    const proxyOn = (node: string) => cluster.list<Pod>('pods', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' }).find((p) => p.spec?.nodeName === node);
    expect(['control-plane-1', 'control-plane-2', 'node-1', 'node-2'].map((n) => ready(proxyOn(n)))).toEqual([true, true, true, true]);

    cluster.crash('node-1/kube-proxy');
    cluster.runFor(35_000);
    expect(ready(proxyOn('node-1'))).toBe(false);
    expect(ready(proxyOn('node-2'))).toBe(true);
    expect(cluster.events('kube-system').some((e) => e.reason === 'Unhealthy' && e.involvedObject.name === proxyOn('node-1')?.metadata?.name
      && e.message === 'Readiness probe failed: Get "http://172.18.0.2:10256/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)')).toBe(true);
    cluster.restart('node-1/kube-proxy');
    cluster.runFor(15_000);
    expect(ready(proxyOn('node-1'))).toBe(true);
  });
});
