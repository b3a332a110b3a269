import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podStatusColumn } from '../../src/kubelet/pod-columns.ts';
import { core, watch } from '../apiserver/harness.ts';
import { NodeHarness, eventLines, nginxPod } from './harness.ts';

/** Opens a watch on default's pods (kubectl get pods -w) and returns a reader of the STATUS column timeline. */
function watchPods(h: NodeHarness): (name: string) => string[] {
  const id = h.api.send(watch(core('pods'), 'default'));
  h.run(10);
  return (name) => {
    const out: string[] = [];
    for (const e of h.api.watchEvents(id)) {
      const pod = e.object as Pod;
      if (pod.metadata?.name !== name || e.type === 'BOOKMARK') continue;
      const column = e.type === 'DELETED' ? '(deleted)' : podStatusColumn(pod);
      if (out[out.length - 1] !== column) out.push(column);
    }
    return out;
  };
}

function starts(h: NodeHarness, uid: string): number[] {
  return h.observed('obs.runtime.started').filter((e) => e.kind === 'observe' && e.observation.podUid === uid).map((e) => e.at);
}

function exits(h: NodeHarness, uid: string): { at: number; exitCode: number; reason: string }[] {
  return h.observed('obs.runtime.exited')
    .filter((e) => e.kind === 'observe' && e.observation.podUid === uid)
    .map((e) => (e.kind === 'observe' ? { at: e.observation.at as number, exitCode: e.observation.exitCode as number, reason: e.observation.reason as string } : { at: 0, exitCode: 0, reason: '' }));
}

describe('kubelet and container runtime actors: pod lifecycle over a real apiserver and etcd', () => {
  it('takes a pod from Pending through ContainerCreating to Running, with a pod IP from the node CIDR and the kubelet events', () => {
    const h = new NodeHarness();
    h.run(2_000);
    const timeline = watchPods(h);
    h.createPod(nginxPod('web'));
    expect(h.runUntil(() => h.pod('web')?.status?.containerStatuses?.[0]?.ready === true, 30_000)).toBe(true);
    expect(timeline('web')).toEqual(['Pending', 'ContainerCreating', 'Running']);
    const pod = h.pod('web')!;
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.podIP).toMatch(/^10\.244\.1\.\d+$/);
    expect(pod.status?.hostIP).toBe('172.18.0.2');
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: true, restartCount: 0, image: 'docker.io/library/nginx:1.25', started: true });
    const events = h.events('web');
    expect(events.map((e) => e.reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    expect(eventLines(events)[0]).toBe('Pulling: Pulling image "nginx:1.25"');
    expect(eventLines(events)[1]).toMatch(/^Pulled: Successfully pulled image "nginx:1\.25" in 1\.911s \(1\.9\d\ds including waiting\)\. Image size: 70542235 bytes\.$/);
    for (const e of events) {
      expect(e.source).toEqual({ component: 'kubelet', host: 'node-1' });
      expect(e.involvedObject).toMatchObject({ kind: 'Pod', name: 'web', uid: pod.metadata?.uid, fieldPath: 'spec.containers{app}' });
    }

    // A second pod with the same image: no pull.
    h.createPod(nginxPod('web-2'));
    expect(h.runUntil(() => h.pod('web-2')?.status?.phase === 'Running', 30_000)).toBe(true);
    expect(eventLines(h.events('web-2'))).toEqual([
      'Pulled: Container image "nginx:1.25" already present on machine',
      'Created: Created container app',
      'Started: Started container app',
    ]);
    expect(h.pod('web-2')!.status?.podIP).not.toBe(pod.status?.podIP);
  });

  it('runs a pod bound after its creation (through the binding subresource, as the scheduler does)', () => {
    const h = new NodeHarness({ nodes: [{ name: 'node-1' }, { name: 'node-2' }] });
    h.run(2_000);
    const unbound = nginxPod('late');
    delete unbound.spec!.nodeName;
    h.createPod(unbound);
    h.run(5_000);
    expect(h.pod('late')!.status?.phase).toBe('Pending');
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'late' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-2' } };
    expect(h.call({ verb: 'create', group: '', version: 'v1', resource: 'pods', subresource: 'binding', namespace: 'default', name: 'late', body: binding }).code).toBe(201);
    expect(h.runUntil(() => h.pod('late')?.status?.phase === 'Running', 30_000)).toBe(true);
    expect(h.pod('late')!.status!.podIP).toMatch(/^10\.244\.2\./);
    expect(h.events('late').every((e) => e.source?.host === 'node-2')).toBe(true);
  });

  it('crash-loops a failing container with back-off 10 s, 20 s, 40 s … capped at 5 min', () => {
    const h = new NodeHarness();
    h.run(2_000);
    const timeline = watchPods(h);
    const pod = h.createPod(nginxPod('crash', { annotations: { 'kubesim.io/exit-after-ms': '1000', 'kubesim.io/exit-code': '1' } }));
    h.run(1_000_000);
    const uid = pod.metadata!.uid!;
    const started = starts(h, uid);
    const exited = exits(h, uid);
    expect(exited.every((e) => e.exitCode === 1 && e.reason === 'Error')).toBe(true);
    const delays = started.slice(1).map((s, i) => Math.round((s - exited[i].at) / 1000));
    // The first restart is immediate (as soon as the PLEG sees the exit), then the back-off doubles to its cap.
    expect(delays[0]).toBeLessThanOrEqual(1);
    expect(delays.slice(1, 8)).toEqual([10, 20, 40, 80, 160, 300, 300]);
    const status = h.pod('crash')!.status!;
    expect(status.containerStatuses?.[0].restartCount).toBe(started.length - 1);
    expect(timeline('crash').slice(0, 2)).toEqual(['Pending', 'ContainerCreating']);
    expect(timeline('crash')).toContain('CrashLoopBackOff');
    const backOff = h.events('crash').find((e) => e.reason === 'BackOff')!;
    expect(backOff.message).toBe(`Back-off restarting failed container app in pod crash_default(${uid})`);
    expect(backOff.type).toBe('Warning');
    // Repeats of an identical event are folded into one (count), as the event correlator does.
    expect(backOff.count).toBeGreaterThan(3);
  });

  it('reports the CrashLoopBackOff waiting reason with the kubelet message', () => {
    const h = new NodeHarness();
    h.run(2_000);
    const pod = h.createPod(nginxPod('crash', { annotations: { 'kubesim.io/exit-after-ms': '1000', 'kubesim.io/exit-code': '1' } }));
    expect(h.runUntil(() => h.pod('crash')?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 60_000, 100)).toBe(true);
    const cs = h.pod('crash')!.status!.containerStatuses![0];
    expect(cs.state?.waiting?.message).toBe(`back-off 10s restarting failed container=app pod=crash_default(${pod.metadata!.uid})`);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });

  it('OOM-kills a container over its memory limit (137, OOMKilled) and restarts it', () => {
    const h = new NodeHarness();
    h.run(2_000);
    const pod = h.createPod(nginxPod('hog', {
      annotations: { 'kubesim.io/memory-usage': '512Mi', 'kubesim.io/start-delay-ms': '3000' },
      containers: [{ name: 'app', image: 'nginx:1.25', resources: { limits: { memory: '256Mi' } } }],
    }));
    expect(h.runUntil(() => (h.pod('hog')?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000)).toBe(true);
    const cs = h.pod('hog')!.status!.containerStatuses![0];
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(exits(h, pod.metadata!.uid!)[0]).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('marks a pod not Ready when its readiness probe fails, with Unhealthy events', () => {
    const h = new NodeHarness();
    h.run(2_000);
    h.createPod(nginxPod('flaky', {
      annotations: { 'kubesim.io/readiness-fails-after-ms': '30000' },
      containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 } }],
    }));
    const ready = () => h.pod('flaky')?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    expect(h.runUntil(() => ready() === 'True', 30_000)).toBe(true);
    expect(h.runUntil(() => ready() === 'False', 60_000)).toBe(true);
    const pod = h.pod('flaky')!;
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    expect(pod.status?.phase).toBe('Running');
    const unhealthy = h.events('flaky').find((e) => e.reason === 'Unhealthy')!;
    expect(unhealthy.type).toBe('Warning');
    expect(unhealthy.message).toBe('Readiness probe failed: HTTP probe failed with statuscode: 503');
  });

  it('deletes a pod gracefully: Killing, then the kubelet removes the pod object and frees its IP', () => {
    const h = new NodeHarness();
    h.run(2_000);
    const timeline = watchPods(h);
    const pod = h.createPod(nginxPod('web'));
    expect(h.runUntil(() => h.pod('web')?.status?.phase === 'Running', 30_000)).toBe(true);
    expect(h.deletePod('web').code).toBe(200);
    expect(h.runUntil(() => h.pod('web') === undefined, 60_000)).toBe(true);
    expect(eventLines(h.events('web')).at(-1)).toBe('Killing: Stopping container app');
    expect(timeline('web').slice(-3)).toEqual(['Running', 'Terminating', '(deleted)']);
    h.run(3_000);
    const runtime = h.runtimeContext().runtime.snapshot;
    expect(Object.values(runtime.runtime.sandboxes).filter((s) => s.podUid === pod.metadata!.uid)).toEqual([]);
    expect(runtime.ipam.allocated).toEqual({});
  });

  it('waits out the grace period of a container that ignores SIGTERM, then SIGKILLs it (137) before deleting the pod', () => {
    const h = new NodeHarness();
    h.run(2_000);
    const pod = h.createPod(nginxPod('stubborn', { annotations: { 'kubesim.io/shutdown-delay-ms': 'never' }, terminationGracePeriodSeconds: 5 }));
    expect(h.runUntil(() => h.pod('stubborn')?.status?.phase === 'Running', 30_000)).toBe(true);
    const deletedAt = h.now;
    h.deletePod('stubborn');
    h.run(3_000);
    expect(h.pod('stubborn')?.metadata?.deletionTimestamp).toBeDefined();
    expect(h.runUntil(() => h.pod('stubborn') === undefined, 30_000, 100)).toBe(true);
    expect(h.now - deletedAt).toBeGreaterThanOrEqual(5_000);
    expect(exits(h, pod.metadata!.uid!).at(-1)).toMatchObject({ exitCode: 137, reason: 'Error' });
  });
});
