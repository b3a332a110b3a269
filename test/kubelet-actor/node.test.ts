import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/kubelet/format.ts';
import { NodeHarness, nginxPod } from './harness.ts';

describe('kubelet actor: Node registration, status and Lease', () => {
  it('registers its Node with capacity, allocatable, labels, taints and pod CIDR, and reports Ready', () => {
    const h = new NodeHarness({
      nodes: [
        { name: 'node-1', capacity: { cpu: '8', memory: '32Gi' }, labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
        { name: 'node-2', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], unschedulable: true },
      ],
    });
    h.run(3_000);
    const n1 = h.node('node-1')!;
    expect(n1.metadata?.labels).toMatchObject({
      'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'topology.kubernetes.io/zone': 'zone-a',
    });
    expect(n1.spec).toMatchObject({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    expect(n1.status?.capacity).toMatchObject({ cpu: '8', memory: '32Gi', pods: '110' });
    expect(n1.status?.allocatable).toMatchObject({ cpu: '8', memory: '32668Mi', pods: '110' });
    expect(n1.status?.addresses).toEqual([{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'node-1' }]);
    expect(n1.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });

    const n2 = h.node('node-2')!;
    expect(n2.spec).toMatchObject({
      podCIDR: '10.244.2.0/24',
      unschedulable: true,
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
    });
    expect(n2.status?.addresses?.[0]).toEqual({ type: 'InternalIP', address: '172.18.0.3' });
  });

  it('renews its Lease in kube-node-lease every 10 s (4 % jitter), owned by its Node', () => {
    const h = new NodeHarness();
    h.run(2_000);
    const renewals: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t = h.lease()?.spec?.renewTime;
      if (t !== undefined && renewals.at(-1) !== parseTimestamp(t)) renewals.push(parseTimestamp(t));
      h.run(1_000);
    }
    const lease = h.lease()!;
    expect(lease.spec).toMatchObject({ holderIdentity: 'node-1', leaseDurationSeconds: 40 });
    expect(lease.metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: h.node()!.metadata!.uid }]);
    const gaps = renewals.slice(1).map((t, i) => t - renewals[i]);
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(10_000);
      expect(gap).toBeLessThanOrEqual(10_500);
    }
  });

  it('posts node status when it changes (a new image) and at least every 5 minutes', () => {
    const h = new NodeHarness();
    h.run(3_000);
    const heartbeat = () => parseTimestamp(h.node()!.status!.conditions!.find((c) => c.type === 'Ready')!.lastHeartbeatTime!);
    const first = heartbeat();
    h.run(200_000);
    // Unchanged status: no post for 5 minutes (the Lease is the heartbeat).
    expect(heartbeat()).toBe(first);
    h.run(110_000);
    expect(heartbeat()).toBeGreaterThanOrEqual(first + 300_000);
    expect(heartbeat()).toBeLessThanOrEqual(first + 311_000);
    const before = h.node()!.status!.images!.length;
    h.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'redis' }, spec: { nodeName: 'node-1', containers: [{ name: 'redis', image: 'redis:7' }] } });
    h.run(15_000);
    expect(h.node()!.status!.images!.map((i) => i.names?.[1])).toContain('docker.io/library/redis:7');
    expect(h.node()!.status!.images!.length).toBe(before + 1);
  });

  it('is a pure function of the seed: the same run twice gives the same objects and events', () => {
    const once = () => {
      const h = new NodeHarness({ seed: 7, nodes: [{ name: 'node-1' }, { name: 'node-2' }] });
      h.run(2_000);
      h.createPod(nginxPod('a', { annotations: { 'kubesim.io/exit-after-ms': '3000', 'kubesim.io/exit-code': '1' } }));
      h.createPod(nginxPod('b', { node: 'node-2' }));
      h.run(60_000);
      return JSON.stringify([h.pod('a'), h.pod('b'), h.events(), h.lease('node-2'), h.kubeletContext().kubelet.stats]);
    };
    expect(once()).toBe(once());
  });
});
