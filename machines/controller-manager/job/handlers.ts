// The Job controller's informer handlers: Job changes sync at once; pod changes lower expectations
// (creations, deletions, finalizer removals) and wake the owning Job a second later, batched.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { getNamespaced, metaNamespaceKey, queueAdd, queueAddAfter, type Delta, type InformerState } from '../../../src/client/index.ts';
import { controllerOf } from '../controller-ref.ts';
import { creationObserved, deletionObserved } from '../expectations.ts';
import { finalizerRemovalObserved, type JobControllerState } from './state.ts';
import { SYNC_JOB_BATCH_PERIOD_MS, hasTrackingFinalizer } from './util.ts';

type State = JobControllerState;

export function onJobDelta(state: State, delta: Delta<Job>): State {
  return { ...state, queue: queueAdd(state.queue, metaNamespaceKey(delta.object)) };
}

function resolveJob(jobs: InformerState<Job>, namespace: string, ref: OwnerReference | undefined): Job | undefined {
  if (!ref || ref.kind !== 'Job') return undefined;
  const job = getNamespaced(jobs, namespace, ref.name);
  return job && job.metadata?.uid === ref.uid ? job : undefined;
}

const batched = (state: State, key: string, now: number): State => ({ ...state, queue: queueAddAfter(state.queue, key, SYNC_JOB_BATCH_PERIOD_MS, now) });

function podGone(state: State, jobs: InformerState<Job>, pod: Pod, final: boolean, now: number): State {
  const job = resolveJob(jobs, pod.metadata?.namespace ?? '', controllerOf(pod));
  if (!job) return state;
  const key = metaNamespaceKey(job);
  let next = { ...state, expectations: deletionObserved(state.expectations, key, metaNamespaceKey(pod)) };
  if (final || !hasTrackingFinalizer(pod)) next = finalizerRemovalObserved(next, key, pod.metadata?.uid ?? '');
  return batched(next, key, now);
}

export function onPodDelta(state: State, jobs: InformerState<Job>, delta: Delta<Pod>, now: number): State {
  const pod = delta.object;
  const namespace = pod.metadata?.namespace ?? '';
  if (delta.type === 'deleted') return podGone(state, jobs, pod, true, now);
  if (pod.metadata?.deletionTimestamp) return podGone(state, jobs, pod, false, now);
  if (delta.type === 'added') {
    const job = resolveJob(jobs, namespace, controllerOf(pod));
    if (!job) return state;
    const key = metaNamespaceKey(job);
    return batched({ ...state, expectations: creationObserved(state.expectations, key) }, key, now);
  }
  if (delta.old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return state;
  let next = state;
  const oldJob = resolveJob(jobs, namespace, controllerOf(delta.old));
  const job = resolveJob(jobs, namespace, controllerOf(pod));
  for (const j of [oldJob, job]) {
    if (!j) continue;
    const key = metaNamespaceKey(j);
    if (!hasTrackingFinalizer(pod)) next = finalizerRemovalObserved(next, key, pod.metadata?.uid ?? '');
    next = batched(next, key, now);
  }
  return next;
}
