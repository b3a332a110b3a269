// The Job controller (pkg/controller/job) as a controller-manager module: NonIndexed Jobs with
// completions, parallelism, backoffLimit with the exponential pod-failure back-off, activeDeadlineSeconds,
// suspend, and pod tracking through the batch.kubernetes.io/job-tracking finalizer.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { getByKey, isNotFound, splitMetaNamespaceKey, type Delta } from '../../../src/client/index.ts';
import { defineController, type ControllerContext } from '../controller-module.ts';
import { referenceTo, type EventSpec } from '../events.ts';
import { creationObserved, deletionObserved } from '../expectations.ts';
import type { CallResult, PlannedCall } from '../jobs.ts';
import { onJobDelta, onPodDelta } from './handlers.ts';
import { bumpResult, finalizerRemovalObserved, newJobControllerState, type JobControllerState } from './state.ts';
import { syncJob, type JobTracking } from './sync.ts';
import { FLUSH_UNCOUNTED_OP, REMOVE_FINALIZER_OP, finalizeJobSync } from './tracking.ts';
import { JOB_COMPONENT } from './util.ts';

type State = JobControllerState;

function jobRef(key: string, ctx: ControllerContext) {
  const job = getByKey(ctx.informers.jobs, key);
  const { namespace, name } = splitMetaNamespaceKey(key);
  return job ? referenceTo(job, 'batch/v1', 'Job') : { apiVersion: 'batch/v1', kind: 'Job', namespace, name };
}

function event(type: EventSpec['type'], reason: string, message: string, key: string, ctx: ControllerContext): EventSpec {
  return { type, reason, message, involvedObject: jobRef(key, ctx), component: JOB_COMPONENT };
}

function onResult(state: State, result: CallResult, ctx: ControllerContext): { state: State; events?: EventSpec[] } {
  const tag = result.call.tag;
  if (tag.kind !== 'op') return { state };
  const failure = result.failure;
  if (tag.op === 'createPod') {
    if (!failure) return { state, events: [event('Normal', 'SuccessfulCreate', `Created pod: ${(result.body as Pod).metadata?.name ?? ''}`, tag.key, ctx)] };
    // The informer will never see this pod: stop expecting it, and it is not active.
    const next = bumpResult({ ...state, expectations: creationObserved(state.expectations, tag.key) }, tag.key, 'failedCreates');
    return { state: next, events: [event('Warning', 'FailedCreate', `Error creating: ${failure.message}`, tag.key, ctx)] };
  }
  if (tag.op.startsWith('deletePod:')) {
    const podKey = tag.op.slice('deletePod:'.length);
    const { name } = splitMetaNamespaceKey(podKey);
    if (!failure) return { state, events: [event('Normal', 'SuccessfulDelete', `Deleted pod: ${name}`, tag.key, ctx)] };
    let next = { ...state, expectations: deletionObserved(state.expectations, tag.key, podKey) };
    if (isNotFound(failure)) return { state: next };
    next = bumpResult(next, tag.key, 'failedDeletes');
    return { state: next, events: [event('Warning', 'FailedDelete', `Error deleting: ${failure.message}`, tag.key, ctx)] };
  }
  if (tag.op === FLUSH_UNCOUNTED_OP || tag.op.startsWith(REMOVE_FINALIZER_OP)) {
    if (!failure || (isNotFound(failure) && tag.op !== FLUSH_UNCOUNTED_OP)) return { state };
    // The finalizer removals that failed, or that a failed uncountedTerminatedPods write kept from being
    // sent, will never be observed: stop expecting them, or the Job would skip those pods for ever.
    const removals = tag.op === FLUSH_UNCOUNTED_OP ? (result.call.then ?? []) : [result.call];
    let next = state;
    for (const r of removals) {
      if (r.tag.kind === 'op' && r.tag.op.startsWith(REMOVE_FINALIZER_OP)) next = finalizerRemovalObserved(next, tag.key, r.tag.op.slice(REMOVE_FINALIZER_OP.length));
    }
    return { state: next };
  }
  return { state };
}

function onSkipped(state: State, call: PlannedCall): State {
  const tag = call.tag;
  if (tag.kind !== 'op' || tag.op !== 'createPod') return state;
  // Creations a failed slow-start batch cut off: never expected, never active.
  return bumpResult({ ...state, expectations: creationObserved(state.expectations, tag.key) }, tag.key, 'failedCreates');
}

export const jobController = defineController<State>({
  name: 'job',
  informers: ['jobs', 'pods'],
  create: (config) => newJobControllerState(config.rateLimiter),
  onDelta(state, informer, delta, ctx) {
    if (informer === 'jobs') return { state: onJobDelta(state, delta as Delta<Job>) };
    if (informer === 'pods') return { state: onPodDelta(state, ctx.informers.jobs, delta as Delta<Pod>, ctx.now) };
    return { state };
  },
  sync: syncJob,
  onCallResult: onResult,
  onCallSkipped: onSkipped,
  finalize(state, finalizer, _failure, ctx) {
    if (finalizer.kind !== 'opaque') return {};
    return finalizeJobSync(state, finalizer.data as JobTracking, ctx);
  },
});
