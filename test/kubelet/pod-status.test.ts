import { describe, expect, it } from 'vitest';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { generatePodStatus, getPhase } from '../../src/kubelet/pod-status.ts';
import type { ContainerRecord } from '../../src/kubelet/runtime.ts';
import { DEFAULT_BEHAVIOR } from '../../src/kubelet/workload.ts';
import { makePod } from './helpers.ts';

const st = (name: string, state: ContainerStatus['state'], lastExit?: number): ContainerStatus => ({
  name,
  ready: false,
  restartCount: 0,
  image: 'x',
  imageID: '',
  state,
  lastState: lastExit === undefined ? {} : { terminated: { exitCode: lastExit } },
});
const run = (n: string) => st(n, { running: {} });
const exit = (n: string, code: number) => st(n, { terminated: { exitCode: code } });
const wait = (n: string, lastExit?: number) => st(n, { waiting: { reason: 'X' } }, lastExit);

describe('getPhase', () => {
  const two = (policy: 'Always' | 'OnFailure' | 'Never') => makePod({ restartPolicy: policy, containers: [{}, {}] });
  it('follows the restart policy once every container has stopped', () => {
    const cases: [Pod, ContainerStatus[], string][] = [
      [two('Always'), [run('app'), run('c1')], 'Running'],
      [two('Always'), [run('app'), wait('c1')], 'Pending'],
      [two('Always'), [run('app'), wait('c1', 1)], 'Running'],
      [two('Always'), [run('app')], 'Pending'],
      [two('Always'), [exit('app', 0), exit('c1', 0)], 'Running'],
      [two('OnFailure'), [exit('app', 0), exit('c1', 0)], 'Succeeded'],
      [two('OnFailure'), [exit('app', 0), exit('c1', 1)], 'Running'],
      [two('Never'), [exit('app', 0), exit('c1', 1)], 'Failed'],
      [two('Never'), [exit('app', 0), exit('c1', 0)], 'Succeeded'],
      [two('Never'), [exit('app', 0), run('c1')], 'Running'],
      [two('Never'), [exit('app', 0), wait('c1', 2)], 'Failed'],
    ];
    for (const [pod, statuses, phase] of cases) expect(getPhase(pod, statuses, false)).toBe(phase);
  });

  it('gives a terminating pod a terminal phase whatever its restart policy', () => {
    expect(getPhase(two('Always'), [exit('app', 0), exit('c1', 0)], true)).toBe('Succeeded');
    expect(getPhase(two('Always'), [exit('app', 0), exit('c1', 137)], true)).toBe('Failed');
  });

  it('keeps pods Pending during initialization and fails them on an init failure with Never', () => {
    const pod = (policy: 'Always' | 'Never') => makePod({ restartPolicy: policy, initContainers: [{}] });
    expect(getPhase(pod('Always'), [run('init0'), wait('app')], false)).toBe('Pending');
    expect(getPhase(pod('Always'), [exit('init0', 1), wait('app')], false)).toBe('Pending');
    expect(getPhase(pod('Never'), [exit('init0', 1), wait('app')], false)).toBe('Failed');
    expect(getPhase(pod('Always'), [exit('init0', 0), run('app')], false)).toBe('Running');
  });
});

function record(over: Partial<ContainerRecord>): ContainerRecord {
  return {
    id: 'a'.repeat(64), seq: 1, sandboxId: 's', podUid: 'uid-web', name: 'app', attempt: 0, specImage: 'nginx:1.25', image: 'docker.io/library/nginx:1.25',
    imageId: 'docker.io/library/nginx@sha256:00', state: 'running', createdAt: 1000, startedAt: 1000, finishedAt: null, exitCode: null, reason: null,
    scheduledExit: null, stopRequestedAt: null, behavior: DEFAULT_BEHAVIOR, memoryLimitBytes: null, ...over,
  };
}

const sandbox = { id: 's', seq: 0, podUid: 'uid-web', podName: 'web', podNamespace: 'default', attempt: 0, ip: '10.244.1.2', state: 'ready' as const, createdAt: 0 };
const base = { reasons: {}, probes: {}, hostIP: '172.18.0.3', startTime: 0, podIsTerminal: false, now: 5000 };

describe('generatePodStatus', () => {
  it('reports a pod that is still being created', () => {
    const s = generatePodStatus({ ...base, pod: makePod({}), containers: [], sandbox: undefined });
    expect(s.phase).toBe('Pending');
    expect(s.conditions?.map((c) => [c.type, c.status, c.reason ?? '', c.message ?? ''])).toEqual([
      ['PodReadyToStartContainers', 'False', '', ''],
      ['Initialized', 'True', '', ''],
      ['Ready', 'False', 'ContainersNotReady', 'containers with unready status: [app]'],
      ['ContainersReady', 'False', 'ContainersNotReady', 'containers with unready status: [app]'],
      ['PodScheduled', 'True', '', ''],
    ]);
    expect(s.containerStatuses).toEqual([
      { name: 'app', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: 'nginx:1.25', imageID: '', started: false },
    ]);
    expect(s.podIP).toBeUndefined();
    expect(s).toMatchObject({ hostIP: '172.18.0.3', hostIPs: [{ ip: '172.18.0.3' }], startTime: '2024-04-17T00:00:00Z', qosClass: 'BestEffort' });
  });

  it('reports a running, ready container with its runtime identity', () => {
    const s = generatePodStatus({ ...base, pod: makePod({}), containers: [record({})], sandbox, probes: { app: { started: true, ready: true } } });
    expect(s.phase).toBe('Running');
    expect(s.conditions?.every((c) => c.status === 'True')).toBe(true);
    expect(s).toMatchObject({ podIP: '10.244.1.2', podIPs: [{ ip: '10.244.1.2' }] });
    expect(s.containerStatuses?.[0]).toEqual({
      name: 'app', state: { running: { startedAt: '2024-04-17T00:00:01Z' } }, lastState: {}, ready: true, restartCount: 0,
      image: 'docker.io/library/nginx:1.25', imageID: 'docker.io/library/nginx@sha256:00', containerID: `containerd://${'a'.repeat(64)}`, started: true,
    });
  });

  it('shows a crash-looping container as waiting, with the last run in lastState', () => {
    const dead = record({ state: 'exited', attempt: 2, finishedAt: 9000, exitCode: 1, reason: 'Error' });
    const reasons = { app: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=web_default(uid-web)' } };
    const s = generatePodStatus({ ...base, pod: makePod({}), containers: [dead], sandbox, reasons });
    expect(s.phase).toBe('Running');
    expect(s.containerStatuses?.[0]).toMatchObject({
      state: { waiting: reasons.app },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2024-04-17T00:00:01Z', finishedAt: '2024-04-17T00:00:09Z', containerID: `containerd://${'a'.repeat(64)}` } },
      restartCount: 2,
      ready: false,
    });
  });

  it('keeps transition times of unchanged conditions, and never leaves a terminal phase', () => {
    const first = generatePodStatus({ ...base, pod: makePod({}), containers: [], sandbox: undefined, now: 1000 });
    const second = generatePodStatus({ ...base, pod: { ...makePod({}), status: first }, containers: [record({})], sandbox, probes: { app: { started: true, ready: true } }, now: 7000 });
    const ltt = (s: typeof first, type: string) => s.conditions?.find((c) => c.type === type)?.lastTransitionTime;
    expect(ltt(second, 'PodScheduled')).toBe('2024-04-17T00:00:01Z');
    expect(ltt(second, 'Ready')).toBe('2024-04-17T00:00:07Z');
    const done = { ...makePod({}), status: { ...second, phase: 'Succeeded' } };
    expect(generatePodStatus({ ...base, pod: done, containers: [record({})], sandbox }).phase).toBe('Succeeded');
  });

  it('marks completed pods PodCompleted and keeps their IP after the sandbox is gone', () => {
    const pod = makePod({ restartPolicy: 'Never' });
    const withIP = { ...pod, status: { podIP: '10.244.1.2' } };
    const s = generatePodStatus({ ...base, pod: withIP, containers: [record({ state: 'exited', exitCode: 0, reason: 'Completed', finishedAt: 4000 })], sandbox: { ...sandbox, state: 'notready' } });
    expect(s.phase).toBe('Succeeded');
    expect(s.conditions?.find((c) => c.type === 'ContainersReady')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(s.conditions?.find((c) => c.type === 'PodReadyToStartContainers')?.status).toBe('False');
    expect(s.podIP).toBe('10.244.1.2');
  });

  it('reports init containers: PodInitializing defaults and ContainersNotInitialized', () => {
    const pod = makePod({ initContainers: [{}] });
    const s = generatePodStatus({ ...base, pod, containers: [record({ name: 'init0' })], sandbox });
    expect(s.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init0]' });
    expect(s.containerStatuses?.[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(s.initContainerStatuses?.[0].state?.running).toBeDefined();
  });

  it('sorts container statuses by name and computes the QoS class', () => {
    const pod = makePod({ containers: [{ name: 'zeta', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }, { name: 'alpha', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] });
    const s = generatePodStatus({ ...base, pod, containers: [], sandbox: undefined });
    expect(s.containerStatuses?.map((c) => c.name)).toEqual(['alpha', 'zeta']);
    expect(s.qosClass).toBe('Guaranteed');
  });
});
