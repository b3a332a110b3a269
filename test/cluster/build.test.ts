import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/index.ts';

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
`;

describe('buildCluster', () => {
  it('hosts the control plane at the conventional addresses', () => {
    const cluster = buildCluster({}, { seed: 1 });
    const addresses = cluster.sim.addresses();
    for (const a of ['etcd-1', 'etcd-2', 'etcd-3', 'apiserver-0', 'apiserver-0/etcd', 'kcm-0']) expect(addresses).toContain(a);
    expect(cluster.nodes).toEqual(['node-1', 'node-2', 'node-3']);
    expect(cluster.apiservers).toEqual(['apiserver-0']);
  });

  it('starts, applies a Deployment through the apiserver and the controllers create its pods', () => {
    const cluster = buildCluster({}, { seed: 2 }).start();
    const results = cluster.apply(DEPLOYMENT);
    expect(results.map((r) => `${r.target} ${r.action}`)).toEqual(['deployment.apps/web created']);
    expect(cluster.runUntil(() => cluster.list('pods', { namespace: 'default', labelSelector: 'app=web' }).length === 3, 30_000)).toBe(true);
    const rs = cluster.list('replicasets', { namespace: 'default' });
    expect(rs).toHaveLength(1);
    cluster.runFor(2_000);
    const reasons = cluster.eventLog.map((e) => e.event.reason);
    expect(reasons).toContain('ScalingReplicaSet');
    expect(reasons.filter((r) => r === 'SuccessfulCreate')).toHaveLength(3);
    cluster.stop();
  });
});

describe('several apiservers', () => {
  it('spreads nodes over them and keeps kubectl working when one is down', () => {
    const cluster = buildCluster({ apiservers: 2, nodes: { count: 2 } }, { seed: 5 }).start();
    expect(cluster.apiservers).toEqual(['apiserver-0', 'apiserver-1']);
    expect(cluster.sim.addresses()).toEqual(expect.arrayContaining(['apiserver-1/etcd', 'node-1/kubelet', 'node-2/kubelet']));
    cluster.apply(DEPLOYMENT);
    cluster.crash('apiserver-1');
    // Every request now goes to apiserver-0, which the controllers use too.
    for (let i = 0; i < 4; i++) expect(cluster.get('deployments', 'web', 'default')?.metadata?.name).toBe('web');
    expect(cluster.runUntil(() => cluster.list('pods', { namespace: 'default' }).length === 3, 30_000)).toBe(true);
    cluster.crash('apiserver-0');
    expect(() => cluster.get('deployments', 'web', 'default')).toThrow(/The connection to the server apiserver-0:6443 was refused/);
  });

  it('runs until settled: no writes but heartbeats for the quiet period', () => {
    const cluster = buildCluster({}, { seed: 6 }).start();
    cluster.apply(DEPLOYMENT);
    expect(cluster.runUntilSettled({ quietMs: 10_000, timeoutMs: 120_000 })).toBe(true);
    expect(cluster.list('pods', { namespace: 'default' }).filter((p) => (p as { status?: { phase?: string } }).status?.phase === 'Running')).toHaveLength(3);
  });
});

describe('buildCluster: control-plane replicas', () => {
  it('hosts scheduler and controller-manager replicas on their own apiservers, and the load balancer', () => {
    const cluster = buildCluster({ apiservers: 2, nodes: { count: 1 }, components: { scheduler: { replicas: 3 }, controllerManager: { replicas: 2 } } });
    expect(cluster.schedulers).toEqual(['scheduler-0', 'scheduler-1', 'scheduler-2']);
    expect(cluster.controllerManagers).toEqual(['kcm-0', 'kcm-1']);
    expect(cluster.loadBalancer).toBe('apiserver-lb');
    const apiserverOf = (a: string) => (cluster.sim.host(a).snapshot()!.context as { scheduler?: { config: { apiserver: string } }; manager?: { config: { apiserver: string } } });
    expect(cluster.schedulers.map((a) => apiserverOf(a).scheduler!.config.apiserver)).toEqual(['apiserver-0', 'apiserver-1', 'apiserver-0']);
    expect(cluster.controllerManagers.map((a) => apiserverOf(a).manager!.config.apiserver)).toEqual(['apiserver-0', 'apiserver-1']);
    cluster.stop();
  });

  it('rejects a bad replica count with the field path', () => {
    expect(() => buildCluster({ components: { scheduler: { replicas: 0 } } })).toThrow(/cluster\.components\.scheduler\.replicas/);
    expect(() => buildCluster({ components: { controllerManager: { replicas: 'two' as unknown as number } } })).toThrow(/cluster\.components\.controllerManager\.replicas/);
  });
});
