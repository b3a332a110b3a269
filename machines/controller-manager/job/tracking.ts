// trackJobStatusAndRemoveFinalizers: a finished pod is first recorded in
// status.uncountedTerminatedPods, then its batch.kubernetes.io/job-tracking finalizer is removed, then
// it moves into status.succeeded / failed — so a pod is counted exactly once even if the controller
// crashes in between. A finished Job gets its condition (and completionTime) in that last write.
import type { Job, UncountedTerminatedPods } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PODS, mergePatchRequest, updateRequest } from '../../../src/client/index.ts';
import type { ControllerContext } from '../controller-module.ts';
import { referenceTo, type EventSpec } from '../events.ts';
import { JOBS } from '../informers.ts';
import { objectKeyOf, type PlannedCall, type Step } from '../jobs.ts';
import type { JobControllerState } from './state.ts';
import type { JobTracking } from './sync.ts';
import { JOB_COMPONENT, JOB_TRACKING_FINALIZER, MAX_UNCOUNTED_PODS, hasTrackingFinalizer, isPodFailed } from './util.ts';

type State = JobControllerState;

function statusCall(job: Job, ctx: ControllerContext, extra: Partial<PlannedCall> = {}): PlannedCall {
  return {
    request: updateRequest(JOBS, job.metadata?.name ?? '', structuredClone(job), { namespace: job.metadata?.namespace, subresource: 'status', user: ctx.config.user }),
    tag: { kind: 'write' },
    objectKey: objectKeyOf('jobs', job),
    ...extra,
  };
}

/** The op tags of the calls whose failure must lower the finalizer expectations (module.ts onResult). */
export const REMOVE_FINALIZER_OP = 'removeFinalizer:';
export const FLUSH_UNCOUNTED_OP = 'flushUncounted';

function removeFinalizer(pod: Pod, jobKey: string, ctx: ControllerContext): PlannedCall {
  const rest = (pod.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
  return {
    request: mergePatchRequest(PODS, pod.metadata?.name ?? '', { metadata: { finalizers: rest.length > 0 ? rest : null } }, { namespace: pod.metadata?.namespace, user: ctx.config.user }),
    // A failed removal is not coming: no longer expected (upstream's finalizerRemovalObserved on error).
    tag: { kind: 'op', op: `${REMOVE_FINALIZER_OP}${pod.metadata?.uid ?? ''}`, key: jobKey },
    // Already gone: nothing left to remove.
    tolerateNotFound: true,
  };
}

function finishedEvents(job: Job, t: JobTracking): EventSpec[] {
  const ref = referenceTo(job, 'batch/v1', 'Job');
  const c = t.finished!;
  if (c.type === 'Complete') {
    const completions = job.spec?.completions;
    const extra: EventSpec[] = completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions
      ? [{ type: 'Warning', reason: 'TooManySucceededPods', message: 'Too many succeeded pods running after completion count reached', involvedObject: ref, component: JOB_COMPONENT }]
      : [];
    return [...extra, { type: 'Normal', reason: 'Completed', message: 'Job completed', involvedObject: ref, component: JOB_COMPONENT }];
  }
  return [{ type: 'Warning', reason: c.reason ?? '', message: c.message ?? '', involvedObject: ref, component: JOB_COMPONENT }];
}

export function finalizeJobSync(state: State, t: JobTracking, ctx: ControllerContext): { state: State; step?: Step } {
  const results = state.results[t.key] ?? { failedCreates: 0, failedDeletes: 0 };
  const restResults = { ...state.results };
  delete restResults[t.key];
  let next: State = { ...state, results: restResults, backoff: { ...state.backoff, [t.key]: t.backoff } };
  const job = structuredClone(t.job);
  const status = job.status!;
  status.active = (status.active ?? 0) - results.failedCreates + results.failedDeletes;
  // A Failed Job is declared only once all its running pods are gone (or expected to go).
  const finished = t.finishedByDeletion && (results.failedDeletes > 0 || !t.satisfied) ? undefined : t.finished;
  const c = t.cached;
  const needsStatusUpdate = status.active !== c.active || status.ready !== c.ready || status.terminating !== c.terminating ||
    status.startTime !== c.startTime;

  const expected = new Set(next.finalizerExpectations[t.key] ?? []);
  const succeeded = [...(status.uncountedTerminatedPods?.succeeded ?? [])];
  const failed = [...(status.uncountedTerminatedPods?.failed ?? [])];
  const toRemove: Pod[] = [];
  let needsFlush = false;
  let reachedMax = false;
  for (const pod of t.pods) {
    const uid = pod.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(pod) || expected.has(uid)) continue;
    const podFailed = isPodFailed(pod, job);
    if (!(job.metadata?.deletionTimestamp || finished || pod.status?.phase === 'Succeeded' || podFailed)) continue;
    toRemove.push(pod);
    if (pod.status?.phase === 'Succeeded' && !failed.includes(uid)) {
      if (!succeeded.includes(uid)) {
        succeeded.push(uid);
        needsFlush = true;
      }
    } else if ((podFailed || finished) && !failed.includes(uid)) {
      // Once the Job is finished every pod that did not succeed counts as failed.
      failed.push(uid);
      needsFlush = true;
    }
    if (succeeded.length + failed.length >= MAX_UNCOUNTED_PODS) {
      reachedMax = true;
      break;
    }
  }
  const uncounted = (s: string[], f: string[]): UncountedTerminatedPods => ({ ...(s.length ? { succeeded: s } : {}), ...(f.length ? { failed: f } : {}) });
  const hadUncounted = status.uncountedTerminatedPods !== undefined;
  status.uncountedTerminatedPods = uncounted(succeeded, failed);
  const flushed = structuredClone(job);

  // After the removals: every uncounted pod without the finalizer is counted.
  const removing = new Set(toRemove.map((p) => p.metadata?.uid ?? ''));
  const stillTracked = new Set(t.pods.filter((p) => hasTrackingFinalizer(p) && !removing.has(p.metadata?.uid ?? '')).map((p) => p.metadata?.uid ?? ''));
  const movedSucceeded = succeeded.filter((u) => !stillTracked.has(u));
  const movedFailed = failed.filter((u) => !stillTracked.has(u));
  status.succeeded = (status.succeeded ?? 0) + movedSucceeded.length;
  status.failed = (status.failed ?? 0) + movedFailed.length;
  status.uncountedTerminatedPods = uncounted(succeeded.filter((u) => stillTracked.has(u)), failed.filter((u) => stillTracked.has(u)));
  // enactJobFinished: only with nothing left uncounted.
  const uncountedLeft = (status.uncountedTerminatedPods.succeeded?.length ?? 0) + (status.uncountedTerminatedPods.failed?.length ?? 0);
  const enact = finished !== undefined && !reachedMax && uncountedLeft === 0;
  if (enact) {
    status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== finished!.type), finished!];
    if (finished!.type === 'Complete') status.completionTime = finished!.lastTransitionTime;
  }
  const counted = movedSucceeded.length + movedFailed.length > 0;
  const final = statusCall(job, ctx, enact ? { onSuccess: finishedEvents(job, { ...t, finished }) } : {});

  if (toRemove.length > 0) {
    next = { ...next, finalizerExpectations: { ...next.finalizerExpectations, [t.key]: [...expected, ...removing] } };
    const removals = toRemove.map((p) => removeFinalizer(p, t.key, ctx));
    removals[0] = { ...removals[0], then: [final] };
    // The removals go only once uncountedTerminatedPods is written; if that write fails (a 409) they are
    // never sent, and module.ts drops their expectations so the next sync recomputes them from the pods.
    if (needsFlush) return { state: next, step: { label: 'status', calls: [statusCall(flushed, ctx, { then: removals, tag: { kind: 'op', op: FLUSH_UNCOUNTED_OP, key: t.key } })] } };
    return { state: next, step: { label: 'status', calls: removals } };
  }
  if (needsStatusUpdate || needsFlush || counted || enact || !hadUncounted) return { state: next, step: { label: 'status', calls: [final] } };
  return { state: next };
}
