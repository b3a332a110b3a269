// syncJob and manageJob (pkg/controller/job/job_controller.go) as a plan: count the pods that finished
// since the last sync, decide whether the Job failed (backoffLimit, activeDeadlineSeconds) or is
// complete, otherwise create pods up to parallelism (slow start, after the failure back-off) or delete
// the surplus; the status write and the tracking-finalizer removal come last (tracking.ts).
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  CONTROLLER_UID_INDEX, PODS, createRequest, deleteRequest, getByKey, listByIndex, metaNamespaceKey, type KubeObject,
} from '../../../src/client/index.ts';
import { parseTimestamp, rfc3339 } from '../../../src/kubelet/format.ts';
import type { ControllerContext, Synced } from '../controller-module.ts';
import { newControllerRef } from '../controller-ref.ts';
import { deleteExpectations, expectCreations, expectDeletions, satisfiedExpectations } from '../expectations.ts';
import type { PlannedCall, Step } from '../jobs.ts';
import { rankForDeletion } from '../pod-util.ts';
import { slowStartBatches } from '../replicaset/sync.ts';
import { NO_BACKOFF, nextBackoffRecord, remainingBackoffMs, type BackoffRecord } from './backoff.ts';
import type { JobControllerState } from './state.ts';
import {
  JOB_TRACKING_FINALIZER, MAX_POD_CREATE_DELETE_PER_SYNC, countReady, countTerminating, hasTrackingFinalizer, isActive,
  isJobFinished, isPodFailed, newCondition, pastActiveDeadline, pastBackoffLimitOnFailure,
} from './util.ts';

type State = JobControllerState;

/** What the finalizer (tracking.ts) needs once the creates and deletes are answered. */
export interface JobTracking {
  readonly key: string;
  /** The Job with the status fields this sync computed (active as planned). */
  readonly job: Job;
  readonly pods: readonly Pod[];
  readonly finished?: JobCondition;
  /** Failed: only once every active pod was deleted and expectations were met. */
  readonly finishedByDeletion: boolean;
  readonly satisfied: boolean;
  readonly backoff: BackoffRecord;
  /** The status fields as the cache had them: a write is needed only if they change. */
  readonly cached: Pick<NonNullable<Job['status']>, 'active' | 'ready' | 'terminating' | 'startTime'>;
}

/** GetPodFromTemplate plus the job-tracking finalizer. */
export function podFromJob(job: Job): Pod {
  const template = job.spec?.template;
  const metadata: Pod['metadata'] = {
    generateName: `${job.metadata?.name ?? ''}-`,
    namespace: job.metadata?.namespace,
    ownerReferences: [newControllerRef(job as KubeObject, 'batch/v1', 'Job')],
    finalizers: [...(template?.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER],
  };
  if (template?.metadata?.labels) metadata.labels = { ...template.metadata.labels };
  if (template?.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template?.spec ?? { containers: [] }) };
}

function deleteStep(job: Job, key: string, pods: readonly Pod[], ctx: ControllerContext): Step {
  return {
    label: 'manage',
    calls: pods.map((pod): PlannedCall => ({
      request: deleteRequest(PODS, pod.metadata?.name ?? '', { namespace: job.metadata?.namespace, user: ctx.config.user }),
      tag: { kind: 'op', op: `deletePod:${metaNamespaceKey(pod)}`, key },
      tolerateNotFound: true,
    })),
  };
}

interface Managed {
  state: State;
  steps: Step[];
  active: number;
  requeueAfterMs?: number;
}

function manageJob(state: State, job: Job, key: string, active: Pod[], succeeded: number, terminating: number, backoff: BackoffRecord, ctx: ControllerContext): Managed {
  const { now, config } = ctx;
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  if (job.spec?.suspend) {
    const pods = rankForDeletion(active.map((pod) => ({ pod, rank: 0 })), now).map((r) => r.pod);
    if (pods.length === 0) return { state, steps: [], active: 0 };
    const expectations = expectDeletions(state.expectations, key, pods.map(metaNamespaceKey), now);
    return { state: { ...state, expectations }, steps: [deleteStep(job, key, pods, ctx)], active: 0 };
  }
  let wantActive: number;
  if (completions === undefined || completions === null) wantActive = succeeded > 0 ? active.length : parallelism;
  else wantActive = Math.max(0, Math.min(completions - succeeded, parallelism));
  const rmAtLeast = Math.max(0, active.length - wantActive);
  if (rmAtLeast > 0) {
    const pods = rankForDeletion(active.map((pod) => ({ pod, rank: 0 })), now).map((r) => r.pod).slice(0, Math.min(rmAtLeast, MAX_POD_CREATE_DELETE_PER_SYNC));
    const expectations = expectDeletions(state.expectations, key, pods.map(metaNamespaceKey), now);
    return { state: { ...state, expectations }, steps: [deleteStep(job, key, pods, ctx)], active: active.length - pods.length };
  }
  const replacing = job.spec?.podReplacementPolicy === 'Failed' ? terminating : 0;
  let diff = wantActive - replacing - active.length;
  if (diff <= 0) return { state, steps: [], active: active.length };
  const wait = remainingBackoffMs(backoff, now);
  if (wait > 0) return { state, steps: [], active: active.length, requeueAfterMs: wait };
  diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
  const create: PlannedCall = {
    request: createRequest(PODS, podFromJob(job), { namespace: job.metadata?.namespace, user: config.user }),
    tag: { kind: 'op', op: 'createPod', key },
  };
  const steps = slowStartBatches(diff).map((size): Step => ({ label: 'manage', calls: Array.from({ length: size }, () => create) }));
  return { state: { ...state, expectations: expectCreations(state.expectations, key, diff, now) }, steps, active: active.length + diff };
}

export function syncJob(state: State, key: string, ctx: ControllerContext): Synced<State> {
  const { informers, now, config } = ctx;
  const cached = getByKey(informers.jobs, key);
  if (!cached) {
    const rest = { ...state.finalizerExpectations };
    delete rest[key];
    const backoff = { ...state.backoff };
    delete backoff[key];
    return { state: { ...state, expectations: deleteExpectations(state.expectations, key), finalizerExpectations: rest, backoff } };
  }
  if (isJobFinished(cached)) {
    const backoff = { ...state.backoff };
    delete backoff[key];
    return { state: { ...state, backoff } };
  }
  const job = structuredClone(cached);
  const status = job.status ?? {};
  const before = { active: status.active, ready: status.ready, terminating: status.terminating, startTime: status.startTime };
  const satisfied = satisfiedExpectations(state.expectations, key, now, config.expectationsTimeoutMs);
  const pods = listByIndex(informers.pods, CONTROLLER_UID_INDEX, job.metadata?.uid ?? '').filter((p) => p.metadata?.namespace === job.metadata?.namespace);
  const active = pods.filter(isActive);
  const expectedRm = new Set(state.finalizerExpectations[key] ?? []);
  const uncountedSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
  const uncountedFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
  const fresh = (p: Pod) => hasTrackingFinalizer(p) && !expectedRm.has(p.metadata?.uid ?? '');
  const newSucceeded = pods.filter((p) => fresh(p) && !uncountedSucceeded.has(p.metadata?.uid ?? '') && p.status?.phase === 'Succeeded');
  const newFailed = pods.filter((p) => fresh(p) && !uncountedFailed.has(p.metadata?.uid ?? '') && isPodFailed(p, job));
  const succeeded = (status.succeeded ?? 0) + newSucceeded.length + uncountedSucceeded.size;
  const failed = (status.failed ?? 0) + newFailed.length + uncountedFailed.size;
  const terminating = countTerminating(pods);
  if (!status.startTime && !job.spec?.suspend) status.startTime = rfc3339(now);
  const backoff = nextBackoffRecord(state.backoff[key] ?? NO_BACKOFF, newSucceeded, newFailed);

  const parallelism = job.spec?.parallelism ?? 1;
  const backoffLimit = job.spec?.backoffLimit ?? 6;
  const exceedsBackoffLimit = failed > (status.failed ?? 0) && active.length !== parallelism && failed > backoffLimit;
  let finished: JobCondition | undefined;
  let requeueAfterMs: number | undefined;
  job.status = status;
  if (exceedsBackoffLimit || pastBackoffLimitOnFailure(job, pods)) {
    finished = newCondition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
  } else if (pastActiveDeadline(job, now)) {
    finished = newCondition('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
  } else if (job.spec?.activeDeadlineSeconds !== undefined && !job.spec?.suspend) {
    const started = parseTimestamp(status.startTime!);
    requeueAfterMs = Math.max(0, started + job.spec.activeDeadlineSeconds * 1000 - now);
  }

  let next = state;
  let steps: Step[] = [];
  let plannedActive = active.length;
  const finishedByDeletion = finished !== undefined;
  if (finished) {
    // deleteActivePods: every running pod goes (no expectations; the Job is done with them).
    if (active.length > 0) steps = [deleteStep(job, key, active, ctx)];
    plannedActive = 0;
  } else {
    if (satisfied && !job.metadata?.deletionTimestamp) {
      const managed = manageJob(state, job, key, active, succeeded, terminating, backoff, ctx);
      next = managed.state;
      steps = managed.steps;
      plannedActive = managed.active;
      if (managed.requeueAfterMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, managed.requeueAfterMs);
    }
    const completions = job.spec?.completions;
    const complete = completions === undefined || completions === null ? succeeded > 0 && plannedActive === 0 : succeeded >= completions && plannedActive === 0;
    if (complete) finished = newCondition('Complete', '', '', now);
  }
  job.status = { ...status, active: plannedActive, ready: countReady(active), terminating };
  const tracking: JobTracking = { key, job, pods, ...(finished ? { finished } : {}), finishedByDeletion, satisfied, backoff, cached: before };
  next = { ...next, results: { ...next.results, [key]: { failedCreates: 0, failedDeletes: 0 } } };
  return {
    state: next,
    plan: { steps, finalizer: { kind: 'opaque', data: tracking }, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) },
  };
}
