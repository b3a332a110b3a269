import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { reconcilePodStates } from '../../machines/kubelet/cri-client.ts';
import { criClientViolation, registrationViolation, statusRecordViolation } from '../../machines/kubelet/invariants.ts';
import { needsSync } from '../../machines/kubelet/pod-workers.ts';
import { newKubeletActor, type KubeletActorState } from '../../machines/kubelet/state.ts';
import { newKubelet } from '../../src/kubelet/kubelet-state.ts';
import { syncPod } from '../../src/kubelet/sync.ts';
import { NODE, makePod } from '../kubelet/helpers.ts';

const CONFIG = {
  apiserver: 'apiserver-0',
  runtime: 'node-1/containerd',
  node: { name: 'node-1', internalIP: '172.18.0.2', cpu: '4', memory: '8Gi', podCIDR: '10.244.1.0/24' },
};

function fresh(): KubeletActorState {
  return newKubeletActor('node-1/kubelet', 0, [1, 2, 3, 4], CONFIG, 0);
}

describe('kubelet actor state', () => {
  it('syncs on spec and metadata changes, not on its own status writes coming back', () => {
    const pod = makePod({});
    const withStatus: Pod = { ...pod, metadata: { ...pod.metadata, resourceVersion: '9' }, status: { phase: 'Running' } };
    expect(needsSync(pod, withStatus)).toBe(false);
    expect(needsSync(pod, { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2024-04-17T00:01:00Z' } })).toBe(true);
    expect(needsSync(pod, { ...pod, metadata: { ...pod.metadata, annotations: { 'kubesim.io/exit-code': '1' } } })).toBe(true);
  });

  it('forgets a pending pull the runtime never heard of, so the next sync asks again', () => {
    const r = syncPod(newKubelet(NODE), makePod({}), 0);
    const uid = 'uid-web';
    expect(Object.keys(r.state.pods[uid].pulls)).toEqual(['app']);
    // The runtime's state without the pull (the call was lost with a runtime crash).
    const lost = { ...r.state, runtime: { ...r.state.runtime, pulls: {} } };
    expect(reconcilePodStates(lost, {}).pods[uid].pulls).toEqual({});
    // Or with the pull under another id: the pod worker follows it.
    const pullId = r.state.pods[uid].pulls.app.pullId;
    const renamed = { ...r.state, runtime: { ...r.state.runtime, pulls: { other: { ...r.state.runtime.pulls[pullId], id: 'other' } } } };
    expect(reconcilePodStates(renamed, { [pullId]: 'other' }).pods[uid].pulls.app.pullId).toBe('other');
  });
});

describe('kubelet invariants', () => {
  it('hold for a fresh kubelet', () => {
    const s = fresh();
    expect([criClientViolation(s), registrationViolation(s), statusRecordViolation(s)]).toEqual([null, null, null]);
  });

  it('catch CRI calls queued with none in flight (a planted bug)', () => {
    const s = fresh();
    const broken = { ...s, cri: { ...s.cri, outbox: [{ method: 'Relist' as const }] } };
    expect(criClientViolation(broken)).toBe('1 CRI calls queued with none in flight');
  });

  it('catch a registration before the runtime answered, and a registered node without uid (planted bugs)', () => {
    const s = fresh();
    expect(registrationViolation({ ...s, node: { ...s.node, phase: 'registering' } })).toBe('registering before the runtime ever answered');
    const seen = { ...s, cri: { ...s.cri, seen: true } };
    expect(registrationViolation({ ...seen, node: { ...s.node, phase: 'registered' } })).toBe('registered without a Node uid');
  });

  it('catch a status record that outlived its pod worker (a planted bug)', () => {
    const s = fresh();
    const record = { uid: 'u', namespace: 'default', name: 'web', status: {}, version: 1, ackedVersion: 0, inFlight: false, retryAt: null, deleteWhenFinal: false, deleteSent: false };
    expect(statusRecordViolation({ ...s, statuses: { u: record } })).toBe('status record for pod u without a pod worker');
  });
});
