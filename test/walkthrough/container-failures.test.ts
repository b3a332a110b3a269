// Containers that fail: a crash loop with the kubelet's doubling back-off, and an OOM kill.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { eventsOf, startCluster, waitFor } from './helpers.ts';

describe('walkthrough: failing containers', () => {
  it('a crashing container reaches CrashLoopBackOff, restarted after 10 s, 20 s, 40 s, 80 s, 160 s, then every 5 min', () => {
    const cluster = startCluster(41);
    cluster.apply(`apiVersion: v1
kind: Pod
metadata:
  name: crasher
  annotations: { kubesim.io/exit-after-ms: "1000", kubesim.io/exit-code: "1" }
spec:
  containers: [{ name: app, image: "busybox:1.36" }]
`);
    cluster.runFor(20 * 60_000);
    // Every start of the container, as the kubelet's (aggregated) Started event counted it.
    const starts = cluster.eventLog.filter((o) => o.event.involvedObject.name === 'crasher' && o.event.reason === 'Started').map((o) => o.at);
    const gaps = starts.slice(1).map((t, i) => (t - starts[i]) / 1000);
    // The container runs 1 s. The first restart comes as soon as the kubelet sees the exit (its next
    // relist, within a couple of seconds); from then on the back-off doubles from 10 s to its 5-minute cap.
    expect(gaps[0]).toBeLessThan(3);
    expect(gaps.slice(1, 8).map((g) => Math.round(g - 1))).toEqual([10, 20, 40, 80, 160, 300, 300]);
    const pod = cluster.get<Pod & { metadata: object }>('pods', 'crasher', 'default')!;
    const status = pod.status!.containerStatuses![0];
    expect(status.restartCount).toBe(starts.length - 1);
    expect(status.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    if (status.state?.waiting) {
      expect(status.state.waiting.reason).toBe('CrashLoopBackOff');
      expect(status.state.waiting.message).toMatch(/^back-off 5m0s restarting failed container=app pod=crasher_default\(/);
    }
    const backOff = eventsOf(cluster, 'Pod', 'crasher').find((e) => e.reason === 'BackOff');
    expect(backOff).toMatchObject({ type: 'Warning' });
    expect(backOff!.message).toMatch(/^Back-off restarting failed container app in pod crasher_default\(/);
  });

  it('a container over its memory limit is OOMKilled (exit 137) and restarted', () => {
    const cluster = startCluster(42);
    cluster.apply(`apiVersion: v1
kind: Pod
metadata:
  name: hungry
  annotations: { kubesim.io/start-delay-ms: "2000", kubesim.io/memory-usage: 256Mi }
spec:
  containers:
  - name: app
    image: nginx:1.25
    resources: { limits: { memory: 128Mi } }
`);
    waitFor(cluster, 'an OOM kill and a restart', () => {
      const s = cluster.get<Pod & { metadata: object }>('pods', 'hungry', 'default')?.status?.containerStatuses?.[0];
      return (s?.restartCount ?? 0) >= 1 && s?.lastState?.terminated?.reason === 'OOMKilled';
    }, 60_000);
    const s = cluster.get<Pod & { metadata: object }>('pods', 'hungry', 'default')!.status!.containerStatuses![0];
    expect(s.lastState?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(eventsOf(cluster, 'Pod', 'hungry').filter((e) => e.reason === 'Started')).toHaveLength(1);
    expect(cluster.eventLog.filter((o) => o.event.involvedObject.name === 'hungry' && o.event.reason === 'Started').length).toBeGreaterThanOrEqual(2);
  });
});
