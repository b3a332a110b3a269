// Job helpers (pkg/controller/job utils): finished jobs, conditions, the tracking finalizer, pod
// outcomes and when a pod finished (for the failure back-off).
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseTimestamp, rfc3339 } from '../../../src/kubelet/format.ts';
import { isPodReady } from '../pod-util.ts';

export const JOB_COMPONENT = 'job-controller';
/** batch.JobTrackingFinalizer: a job's pod is not removed before the job has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** MaxPodCreateDeletePerSync and MaxUncountedPods. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
export const MAX_UNCOUNTED_PODS = 500;
/** DefaultJobPodFailureBackOff doubling to MaxJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 360_000;
/** syncJobBatchPeriod: pod events wake the job a second later, batched. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1_000;

export const finishedCondition = (job: Job): JobCondition | undefined =>
  job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

export const isJobFinished = (job: Job): boolean => finishedCondition(job) !== undefined;

export const hasTrackingFinalizer = (pod: Pod): boolean => (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/** FilterActivePods: neither terminal nor being deleted. */
export const isActive = (pod: Pod): boolean =>
  pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata?.deletionTimestamp;

/** isPodFailed: Failed, or (podReplacementPolicy TerminatingOrFailed) deleted before it succeeded. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy) return false;
  return Boolean(pod.metadata?.deletionTimestamp) && pod.status?.phase !== 'Succeeded';
}

export const countReady = (pods: readonly Pod[]): number => pods.filter(isPodReady).length;

export const countTerminating = (pods: readonly Pod[]): number =>
  pods.filter((p) => p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;

/** getFinishedTime: the last container to terminate, else Ready=False, else deletion, else creation. */
export function finishedTime(pod: Pod): number {
  const ends = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]
    .map((s) => s.state?.terminated?.finishedAt).filter((t): t is string => Boolean(t)).map(parseTimestamp);
  if (ends.length > 0) return Math.max(...ends);
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False')?.lastTransitionTime;
  if (ready) return parseTimestamp(ready);
  const deleted = pod.metadata?.deletionTimestamp;
  if (deleted) return parseTimestamp(deleted);
  return parseTimestamp(pod.metadata?.creationTimestamp ?? rfc3339(0));
}

export function newCondition(type: string, reason: string, message: string, now: number): JobCondition {
  const at = rfc3339(now);
  return { type, status: 'True', lastProbeTime: at, lastTransitionTime: at, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count as failures. */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of pods) {
    if (pod.status?.phase !== 'Running' && pod.status?.phase !== 'Pending') continue;
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) restarts += s.restartCount;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** pastActiveDeadline: activeDeadlineSeconds since startTime have passed. */
export function pastActiveDeadline(job: Job, now: number): boolean {
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime;
  if (deadline === undefined || !start || job.spec?.suspend) return false;
  return now - parseTimestamp(start) >= deadline * 1000;
}
