// The controller-manager as pure functions over one value (the machine's context minus host plumbing):
// shared informers feed both controllers' handlers; each controller's work queue hands keys to up to
// `workers` concurrent syncs; a sync is planned from the caches and run as a Job (jobs.ts); answers,
// watch batches and timers move everything on. Every function returns the new state and what to emit.
import type { ReplicaSet, Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import type { HostedEmitted } from '../../src/host/contract.ts';
import {
  cancelWatch, failureOf, informerDeadline, newInformer, ownsRequest, queueAddAfter, queueAddRateLimited, queueDone,
  queueForget, queueGet, queueNextReadyAt, queueNumRequeues, queuePromoteDue, receiveResponse, receiveWatch,
  startInformer, tickInformer, timeoutFailure, type ApiFailure, type Delta, type InformerState, type InformerStep,
  type KubeObject, type Outgoing, type WorkQueue,
} from '../../src/client/index.ts';
import { resolveConfig, type ControllerManagerConfig, type ControllerName, type ResolvedConfig } from './config.ts';
import { newRecorder, recordEvent, type EventSpec, type RecorderState } from './events.ts';
import { INFORMER_SPECS, informersFor, type InformerName, type Informers } from './informers.ts';
import { newJob, ownsCall, recordAnswer, sendStep, skippedCalls, stepDone, type Job, type JobPlan } from './jobs.ts';
import * as rsHandlers from './replicaset/handlers.ts';
import { finalizeReplicaSetSync, onReplicaSetCallResult, onReplicaSetCallSkipped } from './replicaset/results.ts';
import { newReplicaSetController, type ReplicaSetControllerState } from './replicaset/state.ts';
import { syncReplicaSet } from './replicaset/sync.ts';
import * as deploymentHandlers from './deployment/handlers.ts';
import { onDeploymentCallResult } from './deployment/results.ts';
import { DEPLOYMENT_MAX_RETRIES, newDeploymentController, type DeploymentControllerState } from './deployment/state.ts';
import { syncDeployment } from './deployment/sync.ts';

export interface ManagerState {
  readonly self: Address;
  /** Request-id prefix, unique per incarnation so answers to a previous life are never mistaken. */
  readonly idPrefix: string;
  readonly config: ResolvedConfig;
  readonly informers: Informers;
  readonly replicaset: ReplicaSetControllerState;
  readonly deployment: DeploymentControllerState;
  readonly recorder: RecorderState;
  readonly seq: number;
  readonly workersStarted: boolean;
}

export interface Outcome {
  readonly state: ManagerState;
  readonly emits: readonly HostedEmitted[];
}

type ControllerState = ReplicaSetControllerState | DeploymentControllerState;

export function newManager(self: Address, incarnation: number, config: ControllerManagerConfig): ManagerState {
  const resolved = resolveConfig(config);
  const idPrefix = `${self}#${incarnation}`;
  const options = { ...resolved.informer, apiserver: resolved.apiserver, idPrefix };
  return {
    self,
    idPrefix,
    config: resolved,
    informers: {
      deployments: newInformer(INFORMER_SPECS.deployments, options),
      replicasets: newInformer(INFORMER_SPECS.replicasets, options),
      pods: newInformer(INFORMER_SPECS.pods, options),
    },
    replicaset: newReplicaSetController(resolved.rateLimiter),
    deployment: newDeploymentController(resolved.rateLimiter),
    recorder: newRecorder(),
    seq: 0,
    workersStarted: false,
  };
}

/** A mutable scratchpad for one step of the manager; `done()` freezes it into an Outcome. */
class Tx {
  state: ManagerState;
  readonly emits: HostedEmitted[] = [];
  constructor(state: ManagerState, readonly now: number) {
    this.state = state;
  }
  send(outgoing: readonly Outgoing[]): void {
    for (const o of outgoing) this.emits.push({ type: 'net.send', to: o.to, message: { ...o.message } });
  }
  nextId(controller: ControllerName): string {
    const seq = this.state.seq + 1;
    this.state = { ...this.state, seq };
    return `${this.state.idPrefix}/${controller}/${seq}`;
  }
  record(events: readonly EventSpec[]): void {
    for (const spec of events) {
      const { state, sends } = recordEvent(this.state.recorder, spec, this.now, {
        apiserver: this.state.config.apiserver, idPrefix: this.state.idPrefix, user: this.state.config.user,
      });
      this.state = { ...this.state, recorder: state };
      this.send(sends);
    }
  }
  controller(name: ControllerName): ControllerState {
    return name === 'replicaset' ? this.state.replicaset : this.state.deployment;
  }
  setController(name: ControllerName, next: ControllerState): void {
    this.state = name === 'replicaset'
      ? { ...this.state, replicaset: next as ReplicaSetControllerState }
      : { ...this.state, deployment: next as DeploymentControllerState };
  }
  done(): Outcome {
    return { state: this.state, emits: this.emits };
  }
}

const enabled = (state: ManagerState, name: ControllerName) => state.config.controllers.includes(name);
const neededInformers = (state: ManagerState): InformerName[] => informersFor(state.config.controllers);

/** Starts every informer the enabled controllers need (each lists, then watches). */
export function startManager(state: ManagerState, now: number): Outcome {
  const tx = new Tx(state, now);
  for (const name of neededInformers(state)) applyInformerStep(tx, name, startInformer(INFORMER_SPECS[name] as never, state.informers[name] as never, now));
  return tx.done();
}

/** WaitForCacheSync: workers start only once every informer has delivered its first list. */
export function cachesSynced(state: ManagerState): boolean {
  return neededInformers(state).every((name) => state.informers[name].hasSynced);
}

export function startWorkers(state: ManagerState, now: number): Outcome {
  const tx = new Tx({ ...state, workersStarted: true }, now);
  runWorkers(tx);
  return tx.done();
}

function applyInformerStep(tx: Tx, name: InformerName, step: InformerStep<KubeObject>): void {
  tx.state = { ...tx.state, informers: { ...tx.state.informers, [name]: step.state } };
  tx.send(step.sends);
  if (step.deltas.length > 0) dispatch(tx, name, step.deltas);
}

/** Hands deltas to every enabled controller's handlers (shared informers: both see the same stream). */
function dispatch(tx: Tx, name: InformerName, deltas: readonly Delta<KubeObject>[]): void {
  const s = () => tx.state;
  for (const delta of deltas) {
    if (enabled(s(), 'replicaset')) {
      let rs = s().replicaset;
      if (name === 'replicasets') rs = rsHandlers.onReplicaSetDelta(rs, delta as Delta<ReplicaSet>);
      if (name === 'pods') rs = rsHandlers.onPodDelta(rs, s().informers, delta as Delta<Pod>, tx.now);
      tx.state = { ...s(), replicaset: rs };
    }
    if (enabled(s(), 'deployment')) {
      let dc = s().deployment;
      if (name === 'deployments') dc = deploymentHandlers.onDeploymentDelta(dc, delta as Delta<Deployment>);
      if (name === 'replicasets') dc = deploymentHandlers.onReplicaSetDelta(dc, s().informers, delta as Delta<ReplicaSet>);
      if (name === 'pods') dc = deploymentHandlers.onPodDelta(dc, s().informers, delta as Delta<Pod>);
      tx.state = { ...s(), deployment: dc };
    }
  }
}

function informerOwning(state: ManagerState, requestId: string): InformerName | undefined {
  return neededInformers(state).find((name) => ownsRequest(state.informers[name] as InformerState<KubeObject>, requestId));
}

export function handleWatch(state: ManagerState, message: ApiWatchMessage, now: number): Outcome {
  const tx = new Tx(state, now);
  const name = informerOwning(state, message.requestId);
  if (!name) {
    // A stream nobody reads (an earlier watch, or a previous incarnation's): close it.
    if (!message.closed) tx.send([cancelWatch(state.config.apiserver, message.requestId)]);
    return tx.done();
  }
  applyInformerStep(tx, name, receiveWatch(INFORMER_SPECS[name] as never, state.informers[name] as never, message, now));
  if (tx.state.workersStarted) runWorkers(tx);
  return tx.done();
}

export function handleResponse(state: ManagerState, message: ApiResponseMessage, now: number): Outcome {
  const tx = new Tx(state, now);
  const name = informerOwning(state, message.requestId);
  if (name) {
    applyInformerStep(tx, name, receiveResponse(INFORMER_SPECS[name] as never, state.informers[name] as never, message, now));
  } else {
    answerCall(tx, message);
  }
  if (tx.state.workersStarted) runWorkers(tx);
  return tx.done();
}

export function handleTimers(state: ManagerState, now: number): Outcome {
  const tx = new Tx(state, now);
  for (const name of neededInformers(state)) {
    applyInformerStep(tx, name, tickInformer(INFORMER_SPECS[name] as never, tx.state.informers[name] as never, now));
  }
  for (const controller of state.config.controllers) {
    for (const job of Object.values(tx.controller(controller).jobs)) {
      if (job.deadline === undefined || job.deadline > now || stepDone(job)) continue;
      let current = job;
      for (const id of Object.keys(job.inFlight)) current = applyAnswer(tx, current, id, 504, undefined, timeoutFailure(`request ${id}`));
      advance(tx, current);
    }
  }
  if (tx.state.workersStarted) runWorkers(tx);
  return tx.done();
}

/** When anything is next due: an informer timer, a delayed queue key, a request deadline. */
export function nextDeadline(state: ManagerState): number | undefined {
  const times: number[] = [];
  for (const name of neededInformers(state)) {
    const at = informerDeadline(state.informers[name] as InformerState<KubeObject>);
    if (at !== undefined) times.push(at);
  }
  for (const controller of state.config.controllers) {
    const cs = controller === 'replicaset' ? state.replicaset : state.deployment;
    const ready = queueNextReadyAt(cs.queue);
    if (ready !== undefined) times.push(ready);
    for (const job of Object.values(cs.jobs)) if (job.deadline !== undefined && !stepDone(job)) times.push(job.deadline);
  }
  return times.length > 0 ? Math.min(...times) : undefined;
}

function setJob(tx: Tx, job: Job): void {
  const cs = tx.controller(job.controller);
  tx.setController(job.controller, { ...cs, jobs: { ...cs.jobs, [job.key]: job } });
}

function recheckFailure(body: unknown, uid: string): ApiFailure | undefined {
  const fresh = body as KubeObject;
  const meta = fresh?.metadata;
  if (meta?.uid !== uid) return { code: 409, reason: 'Conflict', message: `original object is gone: got uid ${meta?.uid}, wanted ${uid}` };
  if (meta.deletionTimestamp) return { code: 409, reason: 'Conflict', message: `${meta.namespace}/${meta.name} has just been deleted at ${meta.deletionTimestamp}` };
  return undefined;
}

/** Records one answer (or timeout) for a job call and lets its controller interpret it. */
function applyAnswer(tx: Tx, job: Job, requestId: string, code: number, body: unknown, failure: ApiFailure | undefined): Job {
  const tag = job.inFlight[requestId].tag;
  const effective = !failure && tag.kind === 'recheck' ? recheckFailure(body, tag.uid) : failure;
  let { job: next, result } = recordAnswer(job, requestId, code, body, effective);
  if (job.controller === 'replicaset') {
    const interpreted = onReplicaSetCallResult(tx.state.replicaset, result);
    tx.state = { ...tx.state, replicaset: interpreted.state };
    tx.record(interpreted.events);
    if (tag.kind === 'rsStatus' && !effective && tag.requeueAfterMs !== undefined) next = { ...next, requeueAfterMs: tag.requeueAfterMs };
  } else {
    tx.record(onDeploymentCallResult(result));
  }
  setJob(tx, next);
  return next;
}

function answerCall(tx: Tx, message: ApiResponseMessage): void {
  for (const controller of tx.state.config.controllers) {
    const job = Object.values(tx.controller(controller).jobs).find((j) => ownsCall(j, message.requestId));
    if (!job) continue;
    const next = applyAnswer(tx, job, message.requestId, message.code, message.body, failureOf(message));
    if (stepDone(next)) advance(tx, next);
    return;
  }
  // Otherwise: an event write (fire and forget) or an answer to an abandoned call.
}

/** Sends the job's next step, or its finalizer's, or ends it. */
function advance(tx: Tx, job: Job): void {
  let current = job;
  if (!current.failure && current.stepIndex < current.plan.steps.length) {
    const step = current.plan.steps[current.stepIndex];
    const sent = sendStep({ ...current, stepIndex: current.stepIndex + 1 }, step, tx.now, tx.state.config.requestTimeoutMs, tx.state.config.apiserver, () => tx.nextId(current.controller));
    setJob(tx, sent.job);
    tx.send(sent.sends);
    return;
  }
  if (current.failure && current.stepIndex < current.plan.steps.length) {
    for (const call of skippedCalls(current)) {
      if (current.controller === 'replicaset') tx.state = { ...tx.state, replicaset: onReplicaSetCallSkipped(tx.state.replicaset, call) };
    }
    current = { ...current, stepIndex: current.plan.steps.length };
  }
  if (!current.finalized && current.plan.finalizer) {
    const fin = finalizeReplicaSetSync(current.plan.finalizer, current.failure, tx.now, tx.state.config);
    current = { ...current, finalized: true, ...(fin.requeueAfterMs !== undefined ? { requeueAfterMs: fin.requeueAfterMs } : {}) };
    if (fin.step) {
      const sent = sendStep(current, fin.step, tx.now, tx.state.config.requestTimeoutMs, tx.state.config.apiserver, () => tx.nextId(current.controller));
      setJob(tx, sent.job);
      tx.send(sent.sends);
      return;
    }
  }
  finish(tx, current, !current.failure && !current.plan.failWith, current.requeueAfterMs, current.plan);
}

/** processNextWorkItem's end: Done, then Forget on success or AddRateLimited on error. */
function finish(tx: Tx, job: Job, ok: boolean, requeueAfterMs: number | undefined, plan: JobPlan | undefined): void {
  const cs = tx.controller(job.controller);
  const jobs = { ...cs.jobs };
  delete jobs[job.key];
  let queue: WorkQueue = queueDone(cs.queue, job.key);
  if (ok) {
    const after = requeueAfterMs ?? plan?.requeueAfterMs;
    if (after !== undefined) queue = queueAddAfter(queue, job.key, after, tx.now);
    if (plan?.requeueRateLimited) queue = queueAddRateLimited(queue, job.key, tx.now);
    queue = queueForget(queue, job.key);
  } else if (job.controller === 'deployment' && queueNumRequeues(queue, job.key) >= DEPLOYMENT_MAX_RETRIES) {
    queue = queueForget(queue, job.key); // dropped out of the queue after maxRetries
  } else {
    queue = queueAddRateLimited(queue, job.key, tx.now);
  }
  tx.setController(job.controller, { ...cs, jobs, queue });
  const error = job.failure?.error ?? plan?.failWith;
  tx.emits.push({ type: 'obs.controller.sync', controller: job.controller, key: job.key, at: tx.now, ok, ...(error && !ok ? { error: error.message } : {}) });
}

function runSync(tx: Tx, controller: ControllerName, key: string): void {
  let plan: JobPlan | undefined;
  if (controller === 'replicaset') {
    const result = syncReplicaSet(tx.state.replicaset, tx.state.informers, key, tx.now, tx.state.config);
    tx.state = { ...tx.state, replicaset: result.state };
    plan = result.plan;
  } else {
    const result = syncDeployment(tx.state.informers, key, tx.now, tx.state.config);
    tx.record(result.events);
    plan = result.plan;
  }
  const job = newJob(controller, key, plan ?? { steps: [] });
  setJob(tx, job);
  advance(tx, job);
}

/** Workers: while a controller has a free worker and a ready key, sync it. */
function runWorkers(tx: Tx): void {
  for (const controller of tx.state.config.controllers) {
    tx.setController(controller, { ...tx.controller(controller), queue: queuePromoteDue(tx.controller(controller).queue, tx.now) });
    for (;;) {
      const cs = tx.controller(controller);
      if (Object.keys(cs.jobs).length >= tx.state.config.workers[controller]) break;
      const [key, queue] = queueGet(cs.queue);
      if (key === undefined) break;
      tx.setController(controller, { ...cs, queue });
      runSync(tx, controller, key);
    }
  }
}
