import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newKubelet, removePod, restartKubelet } from '../../src/kubelet/kubelet-state.ts';
import { latestContainer } from '../../src/kubelet/runtime.ts';
import { syncPod } from '../../src/kubelet/sync.ts';
import { numRuns } from '../fc.ts';
import { NODE, deleteAt, makePod, simulate, statusTimeline } from './helpers.ts';

const lines = (events: { reason: string; message: string }[]) => events.map((e) => `${e.reason}: ${e.message}`);

describe('kubelet pod sync', () => {
  it('starts a pod: pull, create, start, then Running and Ready', () => {
    const r = simulate(makePod({}), 10_000);
    expect(lines(r.events)).toEqual([
      'Pulling: Pulling image "nginx:1.25"',
      'Pulled: Successfully pulled image "nginx:1.25" in 1.911s (1.911s including waiting). Image size: 70542235 bytes.',
      'Created: Created container app',
      'Started: Started container app',
    ]);
    expect(statusTimeline(r.frames)).toEqual(['ContainerCreating', 'Running']);
    expect(r.frames.at(-1)!.columns).toMatchObject({ ready: '1/1', restarts: '0' });
    expect(r.pod.status?.podIP).toBe('10.244.1.2');
  });

  it('reports the time spent queued behind another pull ("including waiting")', () => {
    let k = newKubelet(NODE);
    k = syncPod(k, makePod({ name: 'db', containers: [{ image: 'postgres:16' }] }), 0).state;
    const r = simulate(makePod({}), 10_000, { kubelet: k });
    expect(lines(r.events)[1]).toBe('Pulled: Successfully pulled image "nginx:1.25" in 1.911s (5.64s including waiting). Image size: 70542235 bytes.');
  });

  it('crash-loops with the upstream back-off: immediate first restart, then 10, 20, 40, 80, 160, 300, 300 s', () => {
    const r = simulate(makePod({ annotations: { 'kubesim.io/exit-after-ms': '1000', 'kubesim.io/exit-code': '1' } }), 1_500_000);
    const starts = r.events.filter((e) => e.reason === 'Started').map((e) => e.at);
    const exits = starts.map((s) => s + 1000);
    const delays = starts.slice(1).map((s, i) => Math.round((s - exits[i]) / 1000));
    expect(delays.slice(0, 8)).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
    // It dies within a second of each start, so kubectl never sees it Running (as `kubectl get pods -w` shows).
    expect(statusTimeline(r.frames).slice(0, 5)).toEqual(['ContainerCreating', 'Error', 'CrashLoopBackOff', 'Error', 'CrashLoopBackOff']);
    const backOff = r.frames.find((f) => f.columns.status === 'CrashLoopBackOff')!;
    expect(backOff.pod.status?.containerStatuses?.[0].state?.waiting?.message).toBe('back-off 10s restarting failed container=app pod=web_default(uid-web)');
    expect(r.events.find((e) => e.reason === 'BackOff')?.message).toBe('Back-off restarting failed container app in pod web_default(uid-web)');
  });

  it('reports an OOM kill: 137, OOMKilled, then restarts it', () => {
    const pod = makePod({ annotations: { 'kubesim.io/memory-usage': '512Mi', 'kubesim.io/start-delay-ms': '2000' }, containers: [{ resources: { limits: { memory: '256Mi' } } }] });
    const r = simulate(pod, 5000);
    expect(statusTimeline(r.frames)).toEqual(['ContainerCreating', 'Running', 'OOMKilled', 'Running']);
    expect(r.pod.status?.containerStatuses?.[0].lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('backs off failed pulls: ErrImagePull, ImagePullBackOff, retries after 10, 20, 40 s', () => {
    const r = simulate(makePod({ containers: [{ image: 'doesnotexist:1' }] }), 120_000);
    const pulls = r.events.filter((e) => e.reason === 'Pulling').map((e) => e.at);
    const failures = r.events.filter((e) => e.message.startsWith('Failed to pull image')).map((e) => e.at);
    expect(pulls.slice(1).map((p, i) => p - failures[i])).toEqual([10_000, 20_000, 40_000]);
    expect(statusTimeline(r.frames).slice(0, 3)).toEqual(['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff']);
    expect(lines(r.events).slice(2, 5)).toEqual(['Failed: Error: ErrImagePull', 'BackOff: Back-off pulling image "doesnotexist:1"', 'Failed: Error: ImagePullBackOff']);
    const waiting = r.frames.find((f) => f.columns.status === 'ImagePullBackOff')!.pod.status!.containerStatuses![0].state!.waiting;
    expect(waiting).toEqual({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "doesnotexist:1"' });
    expect(r.pod.status?.phase).toBe('Pending');
  });

  it('fails imagePullPolicy: Never for an absent image with ErrImageNeverPull', () => {
    const r = simulate(makePod({ containers: [{ imagePullPolicy: 'Never' }] }), 3000);
    expect(lines(r.events).slice(0, 2)).toEqual(['ErrImageNeverPull: Container image "nginx:1.25" is not present with pull policy of Never', 'Failed: Error: ErrImageNeverPull']);
    expect(r.pod.status?.containerStatuses?.[0].state?.waiting?.reason).toBe('ErrImageNeverPull');
  });

  it('runs init containers first: Init:0/1, PodInitializing, Running', () => {
    const r = simulate(makePod({ initContainers: [{}] }), 10_000);
    expect(statusTimeline(r.frames)).toEqual(['Init:0/1', 'PodInitializing', 'Running']);
    expect(r.pod.status?.initContainerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(r.pod.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  it('fails a Never pod whose init container fails, without starting its containers', () => {
    const r = simulate(makePod({ restartPolicy: 'Never', initContainers: [{}], annotations: { 'kubesim.io/init0.exit-code': '1' } }), 60_000);
    expect(r.pod.status?.phase).toBe('Failed');
    expect(statusTimeline(r.frames).at(-1)).toBe('Init:Error');
    expect(r.events.some((e) => e.message === 'Started container app')).toBe(false);
  });

  it('completes run-to-completion pods per restart policy', () => {
    const done = (policy: 'Never' | 'OnFailure', code: string) =>
      simulate(makePod({ restartPolicy: policy, annotations: { 'kubesim.io/exit-after-ms': '3000', 'kubesim.io/exit-code': code } }), 200_000);
    const ok = done('Never', '0');
    expect([ok.pod.status?.phase, statusTimeline(ok.frames).at(-1), ok.frames.at(-1)!.columns.ready]).toEqual(['Succeeded', 'Completed', '0/1']);
    expect(ok.pod.status?.conditions?.find((c) => c.type === 'PodReadyToStartContainers')?.status).toBe('False');
    expect(ok.pod.status?.podIP).toBe('10.244.1.2');
    expect(done('Never', '2').pod.status?.phase).toBe('Failed');
    const retried = done('OnFailure', '2');
    expect(retried.pod.status?.phase).toBe('Running');
    expect(retried.pod.status?.containerStatuses?.[0].restartCount).toBeGreaterThan(2);
  });

  it('terminates a deleted pod: SIGTERM, SIGKILL after the grace period, then a terminal phase', () => {
    const stubborn = simulate(makePod({ annotations: { 'kubesim.io/shutdown-delay-ms': 'never' } }), 100_000, { updates: [deleteAt(10_000, 30)] });
    expect(lines(stubborn.events).at(-1)).toBe('Killing: Stopping container app');
    expect(statusTimeline(stubborn.frames)).toEqual(['ContainerCreating', 'Running', 'Terminating']);
    expect(stubborn.pod.status?.phase).toBe('Failed');
    expect(stubborn.pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 137, reason: 'Error', finishedAt: '2024-04-17T00:00:40Z' });
    const early = simulate(makePod({}), 100_000, { updates: [deleteAt(0)] });
    expect(early.pod.status?.phase).toBe('Failed');
    expect(early.pod.status?.containerStatuses?.[0].state?.terminated).toEqual({ exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' });
    const polite = simulate(makePod({}), 100_000, { updates: [deleteAt(10_000)] });
    expect(polite.pod.status?.phase).toBe('Succeeded');
    const k = removePod(polite.kubelet, 'uid-web');
    expect([k.ipam.allocated, k.runtime.containers, k.pods]).toEqual([{}, {}, {}]);
  });

  it('finds its containers still running after a kubelet restart', () => {
    const before = simulate(makePod({}), 5000);
    const id = latestContainer(before.kubelet.runtime, 'uid-web', 'app')!.id;
    const restarted = restartKubelet(JSON.parse(JSON.stringify(before.kubelet)));
    const r = syncPod(restarted, before.pod, 20_000);
    expect(r.status.containerStatuses?.[0]).toMatchObject({ containerID: `containerd://${id}`, restartCount: 0, state: { running: {} } });
    expect(r.status.startTime).toBe(before.pod.status?.startTime);
    expect(r.events).toEqual([]);
  });

  it('never moves a pod out of Succeeded or Failed', () => {
    const workload = fc.record({
      policy: fc.constantFrom('Always', 'OnFailure', 'Never') as fc.Arbitrary<'Always' | 'OnFailure' | 'Never'>,
      exitAfter: fc.option(fc.integer({ min: 0, max: 20_000 })),
      code: fc.constantFrom('0', '1', '137'),
      oom: fc.boolean(),
      init: fc.boolean(),
      initCode: fc.constantFrom('0', '1'),
      liveness: fc.option(fc.integer({ min: 0, max: 40_000 })),
      deleteAt: fc.option(fc.integer({ min: 0, max: 60_000 })),
    });
    fc.assert(
      fc.property(workload, (w) => {
        const annotations: Record<string, string> = { 'kubesim.io/exit-code': w.code, 'kubesim.io/init0.exit-code': w.initCode };
        if (w.exitAfter !== null) annotations['kubesim.io/exit-after-ms'] = String(w.exitAfter);
        if (w.oom) annotations['kubesim.io/memory-usage'] = '1Gi';
        if (w.liveness !== null) annotations['kubesim.io/liveness-fails-after-ms'] = String(w.liveness);
        const pod = makePod({
          restartPolicy: w.policy,
          annotations,
          ...(w.init ? { initContainers: [{}] } : {}),
          containers: [{ resources: { limits: { memory: '512Mi' } }, livenessProbe: { exec: { command: ['true'] } } }],
        });
        const r = simulate(pod, 200_000, { updates: w.deleteAt === null ? [] : [deleteAt(w.deleteAt, 5)] });
        let terminal: string | undefined;
        for (const f of r.frames) {
          const phase = f.pod.status?.phase;
          if (terminal) expect(phase).toBe(terminal);
          if (phase === 'Succeeded' || phase === 'Failed') terminal = phase;
        }
        // A deleted pod always ends in a terminal phase (TerminatePod), whatever it was doing.
        if (w.deleteAt !== null) expect(terminal).toBeDefined();
      }),
      { numRuns: numRuns(100) },
    );
  });
});
