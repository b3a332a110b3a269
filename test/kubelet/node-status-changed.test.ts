import type { NodeStatus } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { applyNodeStatus, nodeStatus, nodeStatusHasChanged, shouldReportNodeStatus, NODE_STATUS_REPORT_FREQUENCY_MS } from '../../src/kubelet/node-status.ts';

const config = { name: 'worker-1', internalIP: '172.18.0.3', cpu: '4', memory: '16Gi', podCIDR: '10.244.1.0/24' };
/** As it comes back from the apiserver: a JSON round trip, keys in another order. */
const fromApiserver = (s: NodeStatus): NodeStatus => JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(s).reverse())));

describe('nodeStatusHasChanged / applyNodeStatus', () => {
  it('ignores heartbeat times, key order and condition order', () => {
    const original = fromApiserver(nodeStatus(config, 0));
    original.conditions!.reverse();
    const later = applyNodeStatus(original, nodeStatus(config, 10_000, { previous: original }));
    expect(nodeStatusHasChanged(original, later)).toBe(false);
    expect(shouldReportNodeStatus(original, later, 0, 10_000)).toBe(false);
    expect(shouldReportNodeStatus(original, later, 0, NODE_STATUS_REPORT_FREQUENCY_MS)).toBe(true);
  });

  it('sees a condition someone else overwrote, and sets a new transition time', () => {
    const original = fromApiserver(nodeStatus(config, 0));
    const unknown: NodeStatus = { ...original, conditions: original.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c)) };
    const computed = applyNodeStatus(unknown, nodeStatus(config, 50_000, { previous: unknown }));
    expect(nodeStatusHasChanged(unknown, computed)).toBe(true);
    expect(computed.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: '2024-04-17T00:00:50Z' });
    // The bug this replaces: against what the kubelet itself last posted, nothing changed.
    expect(nodeStatusHasChanged(original, applyNodeStatus(original, nodeStatus(config, 50_000, { previous: original })))).toBe(false);
  });

  it('keeps fields and conditions the kubelet does not own; sees any other field change', () => {
    const original: NodeStatus = {
      ...fromApiserver(nodeStatus(config, 0)),
      volumesInUse: ['kubernetes.io/csi/x'],
    };
    original.conditions!.push({ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' });
    const computed = applyNodeStatus(original, nodeStatus(config, 10_000, { previous: original }));
    expect(computed.volumesInUse).toEqual(['kubernetes.io/csi/x']);
    expect(computed.conditions!.map((c) => c.type)).toEqual(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready', 'NetworkUnavailable']);
    expect(nodeStatusHasChanged(original, computed)).toBe(false);
    expect(nodeStatusHasChanged(original, { ...computed, addresses: [] })).toBe(true);
    // Quantities compare by value: the apiserver answers in canonical form.
    expect(nodeStatusHasChanged({ ...computed, allocatable: { ...computed.allocatable, 'ephemeral-storage': '96636764k' } }, { ...computed, allocatable: { ...computed.allocatable, 'ephemeral-storage': '96636764000' } })).toBe(false);
    expect(nodeStatusHasChanged(computed, { ...computed, allocatable: { ...computed.allocatable, memory: '1Gi' } })).toBe(true);
    expect(nodeStatusHasChanged(undefined, computed)).toBe(true);
  });
});
