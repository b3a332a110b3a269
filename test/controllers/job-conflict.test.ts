// Regression (cluster campaign): a 409 on the status write that records status.uncountedTerminatedPods
// must not leave the finished pods "expected" to lose their finalizer — the removals were never sent, so
// the Job would skip those pods for ever and never complete.
import { describe, expect, it } from 'vitest';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { statusError } from '../../src/apiserver/protocol.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { Cluster } from './harness.ts';

const CONFLICT = statusError('Conflict', 'Operation cannot be fulfilled on jobs.batch "work": the object has been modified; please apply your changes to the latest version and try again', { name: 'work', group: 'batch', kind: 'jobs' });

const jobOf = (c: Cluster) => c.objects<Job>('jobs').find((j) => j.metadata?.name === 'work')!;
const podsOf = (c: Cluster) => c.pods().filter((p) => p.metadata?.labels?.['batch.kubernetes.io/job-name'] === 'work');

function succeed(c: Cluster, pod: Pod): void {
  const at = rfc3339(c.now);
  const status: Pod['status'] = {
    phase: 'Succeeded',
    conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: at }],
    containerStatuses: [{ name: 'work', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } } }],
  };
  c.fake.send({ type: 'fake.put', resource: 'pods', subresource: 'status', object: { ...pod, status } });
}

describe('job controller: a conflict on the uncountedTerminatedPods write', () => {
  it.each([1, 2])('recomputes from the pods on the next sync and completes (%i conflicts)', (conflicts) => {
    const c = new Cluster({ kcm: { controllers: ['job'] } });
    c.run(100);
    c.apply({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'work', namespace: 'default' },
      spec: { completions: 2, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox:1.36' }] } } },
    } as Job, 'jobs');
    c.until(() => podsOf(c).length === 2, 5_000, 'two pods');
    c.run(2_000);
    const updatesBefore = c.requests('update', 'jobs').length;
    c.reject('update', 'jobs', conflicts, CONFLICT);
    for (const p of podsOf(c)) succeed(c, p);
    c.until(() => jobOf(c).status?.conditions?.some((x) => x.type === 'Complete') === true, 60_000, 'Complete');
    // The rejected writes did happen (and were answered 409) before the Job got through.
    expect(c.requests('update', 'jobs').length).toBeGreaterThan(updatesBefore + conflicts);
    expect(jobOf(c).status).toMatchObject({ succeeded: 2, active: 0, uncountedTerminatedPods: {} });
    expect(podsOf(c).every((p) => p.metadata?.finalizers === undefined)).toBe(true);
  });
});
