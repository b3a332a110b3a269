import { describe, expect, it } from 'vitest';
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { podColumns, podReadyColumn, podRestartsColumn, podStatusColumn } from '../../src/kubelet/pod-status.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';

const running = (name: string, ready = true, restartCount = 0): ContainerStatus => ({ name, ready, restartCount, image: 'x', imageID: '', state: { running: { startedAt: rfc3339(0) } } });
const waiting = (name: string, reason: string, lastExit?: number): ContainerStatus => ({
  name,
  ready: false,
  restartCount: lastExit === undefined ? 0 : 3,
  image: 'x',
  imageID: '',
  state: { waiting: { reason } },
  lastState: lastExit === undefined ? {} : { terminated: { exitCode: lastExit, reason: 'Error', finishedAt: rfc3339(40_000) } },
});
const terminated = (name: string, exitCode: number, reason?: string, signal?: number): ContainerStatus => ({
  name,
  ready: false,
  restartCount: 0,
  image: 'x',
  imageID: '',
  state: { terminated: { exitCode, reason, signal } },
});

function pod(opts: { phase?: string; statuses?: ContainerStatus[]; inits?: ContainerStatus[]; initSpecs?: number; sidecar?: boolean; deleting?: boolean; conditions?: PodCondition[]; containers?: number; reason?: string }): Pod {
  const containers = Array.from({ length: opts.containers ?? opts.statuses?.length ?? 1 }, (_, i) => ({ name: `c${i}` }));
  const initContainers = Array.from({ length: opts.initSpecs ?? opts.inits?.length ?? 0 }, (_, i) => ({ name: `i${i}`, ...(opts.sidecar && i === 0 ? { restartPolicy: 'Always' } : {}) }));
  return {
    metadata: { name: 'p', creationTimestamp: rfc3339(0), ...(opts.deleting ? { deletionTimestamp: rfc3339(1) } : {}) },
    spec: { containers, initContainers },
    status: { phase: opts.phase ?? 'Running', reason: opts.reason, containerStatuses: opts.statuses, initContainerStatuses: opts.inits, conditions: opts.conditions },
  };
}

describe('kubectl get pods columns', () => {
  it('derives STATUS as kubectl printPod does', () => {
    const cases: [Pod, string][] = [
      [pod({ phase: 'Pending' }), 'Pending'],
      [pod({ phase: 'Pending', statuses: [waiting('c0', 'ContainerCreating')] }), 'ContainerCreating'],
      [pod({ statuses: [running('c0')] }), 'Running'],
      [pod({ statuses: [waiting('c0', 'CrashLoopBackOff', 1)] }), 'CrashLoopBackOff'],
      [pod({ phase: 'Pending', statuses: [waiting('c0', 'ErrImagePull')] }), 'ErrImagePull'],
      [pod({ phase: 'Pending', statuses: [waiting('c0', 'ImagePullBackOff')] }), 'ImagePullBackOff'],
      [pod({ phase: 'Succeeded', statuses: [terminated('c0', 0, 'Completed')] }), 'Completed'],
      [pod({ phase: 'Failed', statuses: [terminated('c0', 1, 'Error')] }), 'Error'],
      [pod({ statuses: [terminated('c0', 137, 'OOMKilled')] }), 'OOMKilled'],
      [pod({ statuses: [terminated('c0', 2)] }), 'ExitCode:2'],
      [pod({ statuses: [terminated('c0', 0, undefined, 9)] }), 'Signal:9'],
      [pod({ statuses: [running('c0')], deleting: true }), 'Terminating'],
      [pod({ statuses: [running('c0')], deleting: true, reason: 'NodeLost' }), 'Unknown'],
      [pod({ phase: 'Failed', reason: 'Evicted', statuses: [] }), 'Evicted'],
      // The first container in spec order wins: the loop walks statuses backwards.
      [pod({ statuses: [waiting('c0', 'CrashLoopBackOff', 1), running('c1')] }), 'CrashLoopBackOff'],
      [pod({ statuses: [terminated('c0', 0, 'Completed'), running('c1')], conditions: [{ type: 'Ready', status: 'True' }] }), 'Running'],
      [pod({ statuses: [terminated('c0', 0, 'Completed'), running('c1')], conditions: [{ type: 'Ready', status: 'False' }] }), 'NotReady'],
      [pod({ phase: 'Pending', inits: [waiting('i0', 'PodInitializing')], statuses: [waiting('c0', 'PodInitializing')] }), 'Init:0/1'],
      [pod({ phase: 'Pending', inits: [running('i0', false)], statuses: [waiting('c0', 'PodInitializing')] }), 'Init:0/1'],
      [pod({ phase: 'Pending', inits: [terminated('i0', 0, 'Completed'), running('i1', false)], statuses: [waiting('c0', 'PodInitializing')] }), 'Init:1/2'],
      [pod({ phase: 'Pending', inits: [waiting('i0', 'CrashLoopBackOff', 1)], statuses: [waiting('c0', 'PodInitializing')] }), 'Init:CrashLoopBackOff'],
      [pod({ phase: 'Failed', inits: [terminated('i0', 1, 'Error')], statuses: [waiting('c0', 'PodInitializing')] }), 'Init:Error'],
      [pod({ phase: 'Pending', inits: [terminated('i0', 3)], statuses: [waiting('c0', 'PodInitializing')] }), 'Init:ExitCode:3'],
      [pod({ phase: 'Pending', inits: [terminated('i0', 0, 'Completed')], statuses: [waiting('c0', 'PodInitializing')] }), 'PodInitializing'],
      [pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), 'SchedulingGated'],
      [pod({ phase: 'Running', sidecar: true, inits: [{ ...running('i0', true), started: true }], statuses: [running('c0')], conditions: [{ type: 'Initialized', status: 'True' }] }), 'Running'],
    ];
    for (const [p, expected] of cases) expect(podStatusColumn(p)).toBe(expected);
  });

  it('counts READY over regular containers and sidecars', () => {
    expect(podReadyColumn(pod({ statuses: [running('c0'), running('c1', false)] }))).toBe('1/2');
    const sidecar = pod({ sidecar: true, inits: [{ ...running('i0', true), started: true }], statuses: [running('c0')], conditions: [{ type: 'Initialized', status: 'True' }] });
    expect(podReadyColumn(sidecar)).toBe('2/2');
  });

  it('prints RESTARTS with the age of the latest restart', () => {
    const p = pod({ statuses: [waiting('c0', 'CrashLoopBackOff', 1)] });
    expect(podRestartsColumn(p, 60_000)).toBe('3 (20s ago)');
    expect(podRestartsColumn(pod({ statuses: [running('c0')] }), 60_000)).toBe('0');
    expect(podColumns(p, 200_000)).toEqual({ name: 'p', ready: '0/1', status: 'CrashLoopBackOff', restarts: '3 (2m40s ago)', age: '3m20s' });
  });
});
