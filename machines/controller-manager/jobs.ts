// How a controller sync that makes several API calls runs inside a pure machine. Upstream a sync is a
// goroutine making blocking calls; here it is a Job: a list of steps, each a set of calls sent together
// (pod creates of one slow-start batch, the deletes of a scale-down) or a single call (the deployment
// controller's sequential writes). A step's calls are all answered (or time out) before the next step
// is sent; the first failure ends the job, as `return err` does upstream. A write's returned
// resourceVersion is reused by later writes of the same object in the job, as upstream code reuses the
// object an Update returned. A call may carry follow-up calls (`then`), sent as an extra step only if it
// succeeds, and events to record when it succeeds (`onSuccess`): both plain data.
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiRequest } from '../../src/apiserver/protocol.ts';
import { isNotFound, sendRequest, type ApiFailure, type KubeObject, type Outgoing } from '../../src/client/index.ts';
import type { ControllerName } from './config.ts';
import type { EventSpec } from './events.ts';

/** What a call's result means to its controller; interpreted by the controller that planned it. */
export type CallTag =
  | { readonly kind: 'createPod'; readonly rsKey: string; readonly rs: ObjectReference }
  | { readonly kind: 'deletePod'; readonly rsKey: string; readonly podKey: string; readonly podName: string; readonly rs: ObjectReference }
  | { readonly kind: 'rsStatus'; readonly rsKey: string; readonly requeueAfterMs?: number }
  | { readonly kind: 'scaleReplicaSet'; readonly deployment: ObjectReference; readonly message: string }
  | { readonly kind: 'createReplicaSet'; readonly deployment: ObjectReference; readonly name: string; readonly message?: string }
  /** An uncached read that must show the same live object (RecheckDeletionTimestamp before adopting). */
  | { readonly kind: 'recheck'; readonly uid: string }
  | { readonly kind: 'write' }
  /** A controller-specific call: `op` says what it was, `key` which object or item it concerns. */
  | { readonly kind: 'op'; readonly op: string; readonly key: string };

export interface PlannedCall {
  readonly request: ApiRequest;
  readonly tag: CallTag;
  /** "resource/namespace/name" of the object written, for resourceVersion reuse within the job. */
  readonly objectKey?: string;
  /** NotFound is not a failure (deleting what is gone, releasing what is gone). */
  readonly tolerateNotFound?: boolean;
  /** A failure neither ends the job nor fails the sync (upstream ignores the error). */
  readonly ignoreFailure?: boolean;
  /** Calls sent in a step of their own once this one has succeeded (before the next planned step). */
  readonly then?: readonly PlannedCall[];
  /** Events recorded when this call succeeds. */
  readonly onSuccess?: readonly EventSpec[];
}

export type StepLabel = 'claim' | 'manage' | 'write' | 'status';

export interface Step {
  readonly label: StepLabel;
  readonly calls: readonly PlannedCall[];
}

/** Work done once the steps are over (or cut short): the ReplicaSet status write. */
export interface RsStatusFinalizer {
  readonly kind: 'rsStatus';
  readonly rs: ReplicaSet;
  readonly pods: readonly Pod[];
  readonly diff: number;
}

/** A controller's own finalizer data, read back only by that controller's `finalize`. */
export interface OpaqueFinalizer {
  readonly kind: 'opaque';
  readonly data: unknown;
}

export type Finalizer = RsStatusFinalizer | OpaqueFinalizer;

export interface JobPlan {
  readonly steps: readonly Step[];
  readonly finalizer?: Finalizer;
  /** Applied when the job ends without failure (enqueueAfter / enqueueRateLimited from the sync). */
  readonly requeueAfterMs?: number;
  readonly requeueRateLimited?: boolean;
  /** The sync returns this error even when every call succeeds (e.g. a hash collision was recorded). */
  readonly failWith?: ApiFailure;
}

export interface CallResult {
  readonly call: PlannedCall;
  readonly code: number;
  readonly body: unknown;
  readonly failure?: ApiFailure;
}

export interface Job {
  readonly controller: ControllerName;
  readonly key: string;
  readonly plan: JobPlan;
  /** Index of the next planned step to send. */
  readonly stepIndex: number;
  readonly inFlight: Readonly<Record<string, PlannedCall>>;
  /** Label of the step in flight. */
  readonly currentLabel?: StepLabel;
  readonly deadline?: number;
  /** The first failure, with the label of the step it happened in. */
  readonly failure?: { readonly error: ApiFailure; readonly step: StepLabel };
  readonly rvs: Readonly<Record<string, string>>;
  readonly finalized: boolean;
  /** Set by a successful final status write (the minReadySeconds re-check). */
  readonly requeueAfterMs?: number;
  /** Follow-up calls of the step in flight whose call succeeded: the next step to send. */
  readonly followUps: readonly PlannedCall[];
  /** A call failed after the finalizer started: its follow-ups stop (earlier failures do not stop them). */
  readonly finalizerFailed?: boolean;
}

export function newJob(controller: ControllerName, key: string, plan: JobPlan): Job {
  return { controller, key, plan, stepIndex: 0, inFlight: {}, rvs: {}, finalized: false, followUps: [] };
}

export function objectKeyOf(resource: string, obj: KubeObject): string {
  return `${resource}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function withResourceVersion(request: ApiRequest, rv: string | undefined): ApiRequest {
  if (rv === undefined || typeof request.body !== 'object' || request.body === null) return request;
  const body = request.body as KubeObject;
  return { ...request, body: { ...body, metadata: { ...body.metadata, resourceVersion: rv } } };
}

/** Sends `step` (the job's current or an extra one); request ids come from `nextId`. */
export function sendStep(
  job: Job, step: Step, now: number, timeoutMs: number, apiserver: string, nextId: () => string,
): { job: Job; sends: Outgoing[] } {
  const inFlight: Record<string, PlannedCall> = {};
  const sends: Outgoing[] = [];
  for (const call of step.calls) {
    const id = nextId();
    const request = call.objectKey ? withResourceVersion(call.request, job.rvs[call.objectKey]) : call.request;
    inFlight[id] = call;
    sends.push(sendRequest(apiserver, id, request));
  }
  return { job: { ...job, inFlight, currentLabel: step.label, deadline: now + timeoutMs }, sends };
}

export function ownsCall(job: Job, requestId: string): boolean {
  return requestId in job.inFlight;
}

/** Records one answer; returns the job and the result for its controller to interpret. */
export function recordAnswer(job: Job, requestId: string, code: number, body: unknown, failure: ApiFailure | undefined): { job: Job; result: CallResult } {
  const label = job.currentLabel ?? 'write';
  const call = job.inFlight[requestId];
  const inFlight = { ...job.inFlight };
  delete inFlight[requestId];
  let rvs = job.rvs;
  const rv = (body as KubeObject | undefined)?.metadata?.resourceVersion;
  if (!failure && call.objectKey && rv) rvs = { ...rvs, [call.objectKey]: rv };
  const counts = failure !== undefined && !call.ignoreFailure && !(call.tolerateNotFound && isNotFound(failure));
  const jobFailure = counts && !job.failure ? { error: failure, step: label } : job.failure;
  // A tolerated NotFound (deleting what is gone) counts as done for what follows.
  const done = !failure || (call.tolerateNotFound === true && isNotFound(failure));
  const followUps = done && call.then ? [...job.followUps, ...call.then] : job.followUps;
  const finalizerFailed = job.finalizerFailed || (counts && job.finalized) ? { finalizerFailed: true } : {};
  return { job: { ...job, inFlight, rvs, failure: jobFailure, followUps, ...finalizerFailed }, result: { call, code, body, failure } };
}

export function stepDone(job: Job): boolean {
  return Object.keys(job.inFlight).length === 0;
}

/** The calls of the planned steps (and follow-ups) a failure cut off (never sent). */
export function skippedCalls(job: Job): PlannedCall[] {
  return [...job.followUps, ...job.plan.steps.slice(job.stepIndex).flatMap((s) => s.calls)];
}
