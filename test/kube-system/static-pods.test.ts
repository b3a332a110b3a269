// Control-plane nodes run the control plane as static pods; their mirror pods in kube-system show each
// actor's health (probes over the bus): a crashed scheduler fails its liveness probe, is restarted, and
// stays not ready (startup probe failing) until the actor is back.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCluster, type Cluster } from '../../src/cluster/index.ts';

const SCHEDULER_POD = 'kube-scheduler-control-plane-1';

function kubeSystem(cluster: Cluster): Map<string, Pod> {
  return new Map(cluster.list<Pod>('pods', { namespace: 'kube-system' }).map((p) => [p.metadata!.name!, p]));
}
const ready = (pod: Pod | undefined) => pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const restarts = (pod: Pod | undefined) => pod?.status?.containerStatuses?.[0]?.restartCount ?? 0;

describe('control-plane static pods', () => {
  let cluster: Cluster;
  beforeAll(() => {
    cluster = buildCluster({ controlPlane: { staticPods: true }, etcd: { members: 3 }, nodes: { count: 1 } }, { seed: 3 });
    cluster.start();
    cluster.runFor(30_000);
  });
  afterAll(() => cluster.stop());

  it('registers the control-plane nodes with kubeadm role label and taint', () => {
    const node = cluster.get<Node>('nodes', 'control-plane-1')!;
    expect(node.metadata?.labels?.['node-role.kubernetes.io/control-plane']).toBe('');
    expect(node.spec?.taints).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: '172.18.250.1' });
    expect(cluster.nodes).toEqual(['control-plane-1', 'control-plane-2', 'control-plane-3', 'node-1']);
  });

  it('lists every control-plane pod Running and Ready, as kubeadm mirror pods', () => {
    const pods = kubeSystem(cluster);
    const names = ['etcd-control-plane-1', 'etcd-control-plane-2', 'etcd-control-plane-3', 'kube-apiserver-control-plane-1',
      'kube-controller-manager-control-plane-1', SCHEDULER_POD];
    for (const name of names) {
      const pod = pods.get(name);
      expect(pod?.status?.phase, name).toBe('Running');
      expect(ready(pod), name).toBe(true);
    }
    const scheduler = pods.get(SCHEDULER_POD)!;
    const node = cluster.get<Node>('nodes', 'control-plane-1')!;
    expect(scheduler.metadata?.annotations).toMatchObject({ 'kubernetes.io/config.source': 'file' });
    expect(scheduler.metadata?.annotations?.['kubernetes.io/config.mirror']).toBe(scheduler.metadata?.annotations?.['kubernetes.io/config.hash']);
    expect(scheduler.metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'control-plane-1', uid: node.metadata?.uid, controller: true }]);
    expect(scheduler.metadata?.labels).toEqual({ component: 'kube-scheduler', tier: 'control-plane' });
    expect(scheduler.spec).toMatchObject({ nodeName: 'control-plane-1', priority: 2000001000, priorityClassName: 'system-node-critical', hostNetwork: true });
    expect(scheduler.spec?.containers[0]?.image).toBe('registry.k8s.io/kube-scheduler:v1.30.0');
    expect(scheduler.status?.podIP).toBe('172.18.250.1');
  });

  it('recreates a deleted mirror pod', () => {
    const before = kubeSystem(cluster).get(SCHEDULER_POD)!.metadata!.uid;
    cluster.delete('pods', SCHEDULER_POD, { namespace: 'kube-system' });
    cluster.runFor(5_000);
    const after = kubeSystem(cluster).get(SCHEDULER_POD);
    expect(after?.metadata?.uid).toBeDefined();
    expect(after?.metadata?.uid).not.toBe(before);
    cluster.runFor(2_000);
    expect(ready(kubeSystem(cluster).get(SCHEDULER_POD))).toBe(true);
  });

  it('shows a crashed scheduler: liveness fails, the container restarts and stays not ready until the actor is back', () => {
    cluster.crash('scheduler-0');
    cluster.runFor(60_000);
    // 15 s probe timeout + 8 failures 10 s apart: not yet.
    expect(restarts(kubeSystem(cluster).get(SCHEDULER_POD))).toBe(0);
    cluster.runFor(60_000);
    const crashed = kubeSystem(cluster).get(SCHEDULER_POD);
    expect(restarts(crashed)).toBeGreaterThanOrEqual(1);
    expect(ready(crashed)).toBe(false);
    expect(ready(kubeSystem(cluster).get('kube-apiserver-control-plane-1'))).toBe(true);
    const unhealthy = cluster.events('kube-system').filter((e) => e.reason === 'Unhealthy' && e.involvedObject.name === SCHEDULER_POD);
    expect(unhealthy[0]?.message).toBe('Liveness probe failed: Get "https://127.0.0.1:10259/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)');

    cluster.restart('scheduler-0');
    cluster.runFor(30_000);
    expect(ready(kubeSystem(cluster).get(SCHEDULER_POD))).toBe(true);
  });
});
