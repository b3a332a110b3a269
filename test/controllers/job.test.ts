import { describe, expect, it } from 'vitest';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseTimestamp, rfc3339 } from '../../src/kubelet/format.ts';
import { Cluster } from './harness.ts';

function jobObject(name: string, spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox:1.36' }] } }, ...spec },
  };
}

const start = () => {
  const c = new Cluster({ kcm: { controllers: ['job'] } });
  c.run(100);
  return c;
};
const jobOf = (c: Cluster, name = 'work') => c.objects<Job>('jobs').find((j) => j.metadata?.name === name)!;
const podsOf = (c: Cluster, name = 'work') => c.pods().filter((p) => p.metadata?.labels?.['batch.kubernetes.io/job-name'] === name);
const running = (c: Cluster) => podsOf(c).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
const condition = (c: Cluster, type: string, name = 'work') => jobOf(c, name).status?.conditions?.find((x) => x.type === type);

/** What the kubelet reports when the pod's container exits. */
function finish(c: Cluster, pod: Pod, phase: 'Succeeded' | 'Failed'): void {
  const at = rfc3339(c.now);
  const status: Pod['status'] = {
    phase,
    conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: at }],
    containerStatuses: [{
      name: 'work', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0,
      state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: at, finishedAt: at } },
    }],
  };
  c.fake.send({ type: 'fake.put', resource: 'pods', subresource: 'status', object: { ...pod, status } });
}

describe('job controller', () => {
  it('runs completions with parallelism, tracks pods with a finalizer and completes', () => {
    const c = start();
    c.apply(jobObject('work', { completions: 3, parallelism: 2 }), 'jobs');
    c.until(() => podsOf(c).length === 2, 5_000, 'two pods');
    const [pod] = podsOf(c);
    const job = jobOf(c);
    expect(pod.metadata?.generateName).toBe('work-');
    expect(pod.metadata?.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    expect(pod.metadata?.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'work', uid: job.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    expect(pod.metadata?.labels).toMatchObject({ 'batch.kubernetes.io/job-name': 'work', 'batch.kubernetes.io/controller-uid': job.metadata!.uid, 'job-name': 'work' });
    c.run(2_000);
    expect(jobOf(c).status).toMatchObject({ active: 2, ready: 0, terminating: 0, uncountedTerminatedPods: {}, startTime: rfc3339(100) });

    finish(c, pod, 'Succeeded');
    c.until(() => jobOf(c).status?.succeeded === 1 && podsOf(c).length === 3, 5_000, 'one counted, a third pod');
    expect(podsOf(c).find((p) => p.metadata?.name === pod.metadata?.name)?.metadata?.finalizers).toBeUndefined();
    expect(jobOf(c).status?.active).toBe(2);
    for (const p of running(c)) finish(c, p, 'Succeeded');
    c.until(() => condition(c, 'Complete') !== undefined, 5_000, 'Complete');
    c.run(100);
    const status = jobOf(c).status!;
    expect(status).toMatchObject({ active: 0, succeeded: 3, uncountedTerminatedPods: {} });
    expect(status.failed ?? 0).toBe(0);
    expect(status.completionTime).toBe(condition(c, 'Complete')!.lastTransitionTime);
    expect(podsOf(c).every((p) => p.metadata?.finalizers === undefined)).toBe(true);
    const events = c.events('job-controller').map((e) => [e.reason, (e.message ?? '').replace(/work-[a-z0-9]{5}/, 'work-*')]);
    expect(events).toEqual([['SuccessfulCreate', 'Created pod: work-*'], ['SuccessfulCreate', 'Created pod: work-*'], ['SuccessfulCreate', 'Created pod: work-*'], ['Completed', 'Job completed']]);
    expect(c.events('job-controller')[0].count).toBe(1);
  });

  it('replaces failed pods after an exponential back-off, then fails at backoffLimit', () => {
    const c = start();
    c.apply(jobObject('work', { backoffLimit: 2 }), 'jobs');
    c.until(() => podsOf(c).length === 1, 5_000, 'first pod');
    const created: number[] = [];
    const failedAt: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      c.until(() => running(c).length === 1, 120_000, `pod ${attempt + 1}`);
      created.push(c.now);
      c.run(1_000);
      finish(c, running(c)[0], 'Failed');
      // The back-off counts from the container's finishedAt, a whole-second timestamp.
      failedAt.push(Math.floor(c.now / 1000) * 1000);
      c.run(10);
    }
    // Replacement pods wait 10 s, then 20 s after the last failure (plus the 1 s batching of pod events).
    expect(created[1] - failedAt[0]).toBeGreaterThanOrEqual(10_000);
    expect(created[1] - failedAt[0]).toBeLessThan(12_500);
    expect(created[2] - failedAt[1]).toBeGreaterThanOrEqual(20_000);
    expect(created[2] - failedAt[1]).toBeLessThan(22_500);
    c.until(() => condition(c, 'Failed') !== undefined, 10_000, 'Failed');
    c.run(100);
    expect(condition(c, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(jobOf(c).status).toMatchObject({ failed: 3, active: 0 });
    expect(jobOf(c).status?.completionTime).toBeUndefined();
    expect(c.events('job-controller').at(-1)).toMatchObject({ type: 'Warning', reason: 'BackoffLimitExceeded' });
    c.run(60_000);
    expect(podsOf(c)).toHaveLength(3);
  });

  it('fails a Job past activeDeadlineSeconds and deletes its running pods', () => {
    const c = start();
    c.apply(jobObject('work', { parallelism: 2, completions: 4, activeDeadlineSeconds: 30 }), 'jobs');
    c.until(() => podsOf(c).length === 2, 5_000, 'pods');
    c.until(() => condition(c, 'Failed') !== undefined, 40_000, 'Failed');
    c.run(100);
    const started = parseTimestamp(jobOf(c).status!.startTime!);
    expect(c.now - started).toBeGreaterThanOrEqual(30_000);
    expect(c.now - started).toBeLessThan(33_000);
    expect(condition(c, 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(podsOf(c)).toEqual([]);
    expect(c.events('job-controller').map((e) => e.reason)).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulDelete', 'SuccessfulDelete', 'DeadlineExceeded']);
  });

  it('a work-queue Job (no completions) completes when one pod succeeded and the rest finished', () => {
    const c = start();
    c.apply(jobObject('work', { parallelism: 3 }), 'jobs');
    c.until(() => podsOf(c).length === 3, 5_000, 'pods');
    const [a, b, d] = podsOf(c);
    finish(c, a, 'Succeeded');
    c.run(3_000);
    // After a success no new pods start; the others run to their end.
    expect(podsOf(c)).toHaveLength(3);
    finish(c, b, 'Succeeded');
    finish(c, d, 'Succeeded');
    c.until(() => condition(c, 'Complete') !== undefined, 5_000, 'Complete');
    expect(jobOf(c).status?.succeeded).toBe(3);
  });

  it('suspending a Job deletes its pods; resuming starts them again', () => {
    const c = start();
    c.apply(jobObject('work', { parallelism: 2, completions: 2 }), 'jobs');
    c.until(() => podsOf(c).length === 2, 5_000, 'pods');
    c.apply({ ...jobOf(c), spec: { ...jobOf(c).spec!, suspend: true } }, 'jobs');
    c.until(() => podsOf(c).length === 0 && jobOf(c).status?.active === 0, 5_000, 'suspended');
    c.apply({ ...jobOf(c), spec: { ...jobOf(c).spec!, suspend: false } }, 'jobs');
    c.until(() => podsOf(c).length === 2, 5_000, 'resumed');
  });
});
