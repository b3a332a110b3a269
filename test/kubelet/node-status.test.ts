import { describe, expect, it } from 'vitest';
import { NODE_LEASE_RENEW_INTERVAL_MS, NODE_STATUS_REPORT_FREQUENCY_MS, nodeLease, nodeRegistration, nodeStatus, shouldReportNodeStatus } from '../../src/kubelet/node-status.ts';
import { initialImageCache } from '../../src/kubelet/registry.ts';

const config = { name: 'worker-1', internalIP: '172.18.0.3', cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi', podCIDR: '10.244.1.0/24', instanceType: 'm5.xlarge' };

describe('node registration and status', () => {
  it('reports capacity, and allocatable minus reservations and hard eviction thresholds', () => {
    const s = nodeStatus(config, 0);
    expect(s.capacity).toEqual({ cpu: '4', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '110' });
    // 16Gi − 100Mi; 100Gi − int64(100Gi × float32(0.1)): float32 rounding shows, as on real nodes.
    expect(s.allocatable).toEqual({ cpu: '4', 'ephemeral-storage': '96636764000', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16284Mi', pods: '110' });
    const reserved = nodeStatus({ ...config, systemReserved: { cpu: '100m', memory: '500Mi' }, kubeReserved: { cpu: '100m' } }, 0);
    expect(reserved.allocatable).toMatchObject({ cpu: '3800m', memory: '15784Mi' });
  });

  it('carries the real labels, conditions, addresses and node info', () => {
    const n = nodeRegistration(config, 12_000, { images: initialImageCache() });
    expect(n.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': 'worker-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'm5.xlarge' });
    expect(n.spec).toEqual({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    expect(n.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ]);
    expect(n.status?.conditions?.[3]).toMatchObject({ lastHeartbeatTime: '2024-04-17T00:00:12Z', lastTransitionTime: '2024-04-17T00:00:12Z' });
    expect(n.status?.addresses).toEqual([{ type: 'InternalIP', address: '172.18.0.3' }, { type: 'Hostname', address: 'worker-1' }]);
    expect(n.status?.nodeInfo).toMatchObject({ kubeletVersion: 'v1.30.0', containerRuntimeVersion: 'containerd://1.7.15', architecture: 'amd64', operatingSystem: 'linux' });
    expect(n.status?.images?.[0].names?.[1]).toBe('registry.k8s.io/pause:3.9');
  });

  it('keeps transition times, and reports only on change or every 5 minutes', () => {
    const first = nodeStatus(config, 0);
    const later = nodeStatus(config, 10_000, { previous: first });
    expect(later.conditions?.[3].lastTransitionTime).toBe('2024-04-17T00:00:00Z');
    expect(later.conditions?.[3].lastHeartbeatTime).toBe('2024-04-17T00:00:10Z');
    expect(shouldReportNodeStatus(first, later, 0, 10_000)).toBe(false);
    expect(shouldReportNodeStatus(first, later, 0, NODE_STATUS_REPORT_FREQUENCY_MS)).toBe(true);
    const notReady = nodeStatus(config, 20_000, { previous: later, notReadyMessage: 'container runtime is down' });
    expect(notReady.conditions?.[3]).toMatchObject({ status: 'False', reason: 'KubeletNotReady', lastTransitionTime: '2024-04-17T00:00:20Z' });
    expect(shouldReportNodeStatus(later, notReady, 10_000, 20_000)).toBe(true);
  });

  it('renews its lease in kube-node-lease with a MicroTime', () => {
    expect(nodeLease('worker-1', NODE_LEASE_RENEW_INTERVAL_MS + 0.5, 'node-uid')).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'worker-1', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'worker-1', uid: 'node-uid' }] },
      spec: { holderIdentity: 'worker-1', leaseDurationSeconds: 40, renewTime: '2024-04-17T00:00:10.000500Z' },
    });
  });
});
