// Regression (cluster campaign seeds 23, 52, 55, 67): after the node-lifecycle controller marks a pod
// NotReady while its node is unreachable, the kubelet writes its own status back once it can (the status
// manager's syncBatch needsReconcile), instead of leaving the pod Running but not Ready for ever.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { needsReconcile } from '../../machines/kubelet/status-manager.ts';
import { core, update } from '../apiserver/harness.ts';
import { NodeHarness, nginxPod } from './harness.ts';

const ready = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

/** What MarkPodsNotReady writes: the same status with Ready=False. */
function markNotReady(h: NodeHarness, name: string): number {
  const pod = h.pod(name)!;
  const conditions = pod.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
  return h.call(update(core('pods'), 'default', name, { ...pod, status: { ...pod.status, conditions } }, 'status')).code;
}

describe('kubelet status manager: needsReconcile', () => {
  it('writes its status back after someone else changed the Ready condition while the node was cut off', () => {
    const h = new NodeHarness();
    h.run(2_000);
    h.createPod(nginxPod('web'));
    expect(h.runUntil(() => ready(h.pod('web')) === 'True', 30_000)).toBe(true);
    h.sim.partition({ id: 'cut', from: ['node-1'], to: ['apiserver-0'], oneWay: false });
    h.run(60_000);
    expect(markNotReady(h, 'web')).toBe(200);
    h.run(20_000);
    expect(ready(h.pod('web'))).toBe('False');
    h.sim.heal('cut');
    // The watch comes back, then within one syncBatch period (10 s) the kubelet re-posts.
    expect(h.runUntil(() => ready(h.pod('web')) === 'True', 90_000)).toBe(true);
    expect(h.observed('obs.kubelet.statusReconciled').length).toBeGreaterThanOrEqual(1);
  });

  it('re-posts even without a partition, and only once per divergence', () => {
    const h = new NodeHarness();
    h.run(2_000);
    h.createPod(nginxPod('web'));
    expect(h.runUntil(() => ready(h.pod('web')) === 'True', 30_000)).toBe(true);
    h.run(20_000);
    const before = h.observed('obs.kubelet.statusReconciled').length;
    expect(before).toBe(0);
    expect(markNotReady(h, 'web')).toBe(200);
    expect(h.runUntil(() => ready(h.pod('web')) === 'True', 15_000)).toBe(true);
    h.run(30_000);
    expect(h.observed('obs.kubelet.statusReconciled').length).toBe(1);
  });

  it('compares only what the kubelet owns', () => {
    const cached = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'a' }] };
    expect(needsReconcile(cached, { ...cached, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'b' }, { type: 'DisruptionTarget', status: 'True' }] })).toBe(false);
    expect(needsReconcile(cached, { ...cached, conditions: [{ type: 'Ready', status: 'False' }] })).toBe(true);
    expect(needsReconcile(cached, { ...cached, phase: 'Failed' })).toBe(true);
    expect(needsReconcile(cached, undefined)).toBe(false);
  });
});
