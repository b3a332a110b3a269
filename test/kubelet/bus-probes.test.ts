import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { answered, busCheck, NO_HEALTH, pinged, podProbeAddresses, PING_INTERVAL_MS } from '../../src/kubelet/bus-probes.ts';
import { isMirrorPod, mirrorPodOf, staticPodFromManifest } from '../../src/kubelet/static-pods.ts';
import { numRuns } from '../fc.ts';

describe('probes over the bus', () => {
  it('has no outcome before the first ping has had its timeout, then times out while nobody answers', () => {
    const h = pinged(NO_HEALTH, 1_000);
    expect(busCheck(h, 1_500, 1_000)).toBeNull();
    expect(busCheck(h, 2_000, 1_000)).toBe('timeout');
    expect(busCheck(answered(h, 1_010), 2_000, 1_000)).toBe('ok');
  });

  test.prop([fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 0, max: 60_000 })], { numRuns: numRuns(100) })(
    'an answer counts for timeout + one ping interval, no longer', (answerAt, timeoutS, later) => {
      const h = answered(pinged(NO_HEALTH, 0), answerAt);
      const at = answerAt + later;
      const window = timeoutS * 1000 + PING_INTERVAL_MS;
      expect(busCheck(h, at, timeoutS * 1000)).toBe(later < window ? 'ok' : 'timeout');
    });

  it('substitutes the node name in probe addresses, pod-wide and per container', () => {
    const pod = {
      metadata: { annotations: { 'kubesim.io/probe-address': '$(NODE_NAME)/kube-proxy', 'kubesim.io/side.probe-address': 'coredns-0' } },
      spec: { containers: [{ name: 'main' }, { name: 'side' }] },
    };
    expect(podProbeAddresses(pod, 'node-3')).toEqual(['coredns-0', 'node-3/kube-proxy']);
  });
});

describe('static pods', () => {
  const manifest = { metadata: { name: 'kube-scheduler', namespace: 'kube-system' }, spec: { containers: [{ name: 'kube-scheduler', image: 'x' }] } };
  it('are named after the node, with a UID hashed from manifest and node, and mirrored with the hash', () => {
    const a = staticPodFromManifest(manifest, 'cp-1', 0);
    const b = staticPodFromManifest(manifest, 'cp-2', 0);
    expect(a.metadata?.name).toBe('kube-scheduler-cp-1');
    expect(a.metadata?.uid).toMatch(/^[0-9a-f]{32}$/);
    expect(a.metadata?.uid).not.toBe(b.metadata?.uid);
    expect(a.spec?.nodeName).toBe('cp-1');
    const mirror = mirrorPodOf(a, { name: 'cp-1', uid: 'node-uid' });
    expect(isMirrorPod(mirror)).toBe(true);
    expect(isMirrorPod(a)).toBe(false);
    expect(mirror.metadata?.uid).toBeUndefined();
    expect(mirror.metadata?.annotations?.['kubernetes.io/config.mirror']).toBe(a.metadata?.uid);
  });
});

describe('the static pod invariant', () => {
  it('holds for a kubelet with static pods, and catches a lost static worker or stray mirror bookkeeping', async () => {
    const { newKubeletActor } = await import('../../machines/kubelet/state.ts');
    const { staticPodViolation } = await import('../../machines/kubelet/invariants.ts');
    const manifest = { metadata: { name: 'etcd', namespace: 'kube-system' }, spec: { containers: [{ name: 'etcd', image: 'registry.k8s.io/etcd:3.5.12-0' }] } };
    const state = newKubeletActor('cp-1/kubelet', 0, [1, 2, 3, 4], {
      apiserver: 'apiserver-0', runtime: 'cp-1/containerd', node: { name: 'cp-1', internalIP: '172.18.250.1', cpu: '2', memory: '2Gi' }, staticPods: [manifest],
    }, 0);
    expect(staticPodViolation(state)).toBeNull();
    expect(state.nextPingAt).toBeNull();
    expect(staticPodViolation({ ...state, workers: {} })).toMatch(/without a static pod worker/);
    expect(staticPodViolation({ ...state, mirrors: { other: { inFlight: false, retryAt: null } } })).toMatch(/not a static pod/);
  });
});
