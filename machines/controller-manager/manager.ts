// The controller-manager as pure functions over one value (the machine's context minus host plumbing):
// shared informers feed every enabled controller's handlers; each controller's work queue hands keys to
// up to `workers` concurrent syncs; a sync is planned from the caches and run as a Job (jobs.ts);
// answers, watch batches and timers move everything on. Controllers are modules (controller-module.ts)
// registered in one table (controllers.ts). Every function returns the new state and what to emit.
import type { Address } from '../../src/bus/envelope.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import type { HealthOk, HostedEmitted } from '../../src/host/contract.ts';
import {
  cancelWatch, failureOf, informerDeadline, ownsRequest, queueAddAfter, queueAddRateLimited, queueDone, queueForget,
  queueGet, queueNextReadyAt, queueNumRequeues, queuePromoteDue, receiveResponse, receiveWatch, startInformer,
  tickInformer, timeoutFailure, type ApiFailure, type Delta, type InformerState, type InformerStep, type KubeObject,
  type Outgoing, type WorkQueue, electorOwnsRequest, electorReceive, electorTick, electorWakeup, leaderAct, leadershipStep,
  newComponentElector, type ElectorState, type ElectorStep, type LeaderTerm,
  connectionsDeadline, informerConnectionLost, newConnectionHealth, tickConnections, withConnectionRead, withProbeAnswered,
  type ConnectionHealth,
} from '../../src/client/index.ts';
import { seedFrom, type RngState } from '../../src/sim/random.ts';
import {
  CONTROLLER_MANAGER_COMPONENT, CONTROLLER_MANAGER_LEASE, resolveConfig, type ControllerManagerConfig, type ControllerName, type ResolvedConfig,
} from './config.ts';
import type { ControllerBase, ControllerContext } from './controller-module.ts';
import { CONTROLLERS, informersFor } from './controllers.ts';
import { newRecorder, recordEvent, type EventSpec, type RecorderState } from './events.ts';
import { INFORMER_SPECS, newInformers, type InformerName, type Informers } from './informers.ts';
import { newJob, ownsCall, recordAnswer, sendStep, skippedCalls, stepDone, type Job, type JobPlan, type Step } from './jobs.ts';

export interface ManagerState {
  readonly self: Address;
  /** Request-id prefix, unique per incarnation so answers to a previous life are never mistaken. */
  readonly idPrefix: string;
  readonly config: ResolvedConfig;
  readonly informers: Informers;
  /** The HTTP/2 connection to the apiserver every client of the process shares, and its health pings. */
  readonly connections: ConnectionHealth;
  /** The informers the enabled controllers need (the only ones started). */
  readonly needed: readonly InformerName[];
  /** Each enabled controller's state, by name. */
  readonly controllers: Readonly<Partial<Record<ControllerName, ControllerBase>>>;
  readonly recorder: RecorderState;
  readonly seq: number;
  readonly workersStarted: boolean;
  /** How many times this host's process started over after losing its lease (0: the first life). */
  readonly life: number;
  /** The leader elector (with --leader-elect). */
  readonly elector?: ElectorState;
  /** The term this process leads in; controllers start once it is set (or at once without --leader-elect). */
  readonly leader?: LeaderTerm;
  /** OnStoppedLeading fired: the process exits (the machine leaves for `exited`). */
  readonly lostLease: boolean;
}

export interface Outcome {
  readonly state: ManagerState;
  readonly emits: readonly HostedEmitted[];
}

export function newManager(self: Address, incarnation: number, config: ControllerManagerConfig, now = 0, rng: RngState = [1, 2, 3, 4], life = 0): ManagerState {
  const resolved = resolveConfig(config);
  // A process restarted after losing its lease is a new process: its request ids must not collide.
  const idPrefix = life === 0 ? `${self}#${incarnation}` : `${self}#${incarnation}.${life}`;
  const elector = resolved.leaderElection.leaderElect
    ? newComponentElector(resolved.leaderElection, CONTROLLER_MANAGER_LEASE, self, idPrefix, resolved.user, seedFrom(`${rng.join(',')}/leader-election/${life}`), now)
    : undefined;
  return {
    life,
    lostLease: false,
    ...(elector ? { elector } : {}),
    self,
    idPrefix,
    config: resolved,
    informers: newInformers({ ...resolved.informer, apiserver: resolved.apiserver, idPrefix }),
    connections: newConnectionHealth(idPrefix, [resolved.apiserver], now),
    needed: informersFor(resolved.controllers),
    controllers: Object.fromEntries(resolved.controllers.map((name) => [name, CONTROLLERS[name].create(resolved, now)])),
    recorder: newRecorder(),
    seq: 0,
    workersStarted: false,
  };
}

/** A controller's state, typed by the caller (tests and review read them). */
export function controllerState<S extends ControllerBase>(state: ManagerState, name: ControllerName): S {
  const cs = state.controllers[name];
  if (!cs) throw new Error(`controller ${name} is not enabled`);
  return cs as S;
}

/** A mutable scratchpad for one step of the manager; `done()` freezes it into an Outcome. */
class Tx {
  state: ManagerState;
  readonly emits: HostedEmitted[] = [];
  constructor(state: ManagerState, readonly now: number) {
    this.state = state;
  }
  get ctx(): ControllerContext {
    return { informers: this.state.informers, now: this.now, config: this.state.config };
  }
  send(outgoing: readonly Outgoing<{ type: string }>[]): void {
    for (const o of outgoing) this.emits.push({ type: 'net.send', to: o.to, message: { ...o.message } });
  }
  nextId(controller: ControllerName): string {
    const seq = this.state.seq + 1;
    this.state = { ...this.state, seq };
    return `${this.state.idPrefix}/${controller}/${seq}`;
  }
  record(events: readonly EventSpec[] | undefined): void {
    for (const spec of events ?? []) {
      const { state, sends } = recordEvent(this.state.recorder, spec, this.now, {
        apiserver: this.state.config.apiserver, idPrefix: this.state.idPrefix, user: this.state.config.user,
      });
      this.state = { ...this.state, recorder: state };
      this.send(sends);
    }
  }
  controller(name: ControllerName): ControllerBase {
    return this.state.controllers[name]!;
  }
  setController(name: ControllerName, next: ControllerBase): void {
    if (this.state.controllers[name] === next) return;
    this.state = { ...this.state, controllers: { ...this.state.controllers, [name]: next } };
  }
  done(): Outcome {
    return { state: this.state, emits: this.emits };
  }
}

/**
 * kube-controller-manager's Run: with --leader-elect the elector runs first, and the controllers (their
 * informers included) start only in OnStartedLeading; without it they start at once.
 */
export function startElection(state: ManagerState, now: number): Outcome {
  const tx = new Tx(state, now);
  if (state.elector) applyElectorStep(tx, electorTick(state.elector, now));
  return tx.done();
}

/** Leading, or running without leader election: the controllers may run. */
export function mayRunControllers(state: ManagerState): boolean {
  return !state.config.leaderElection.leaderElect || state.leader !== undefined;
}

function applyElectorStep(tx: Tx, result: ElectorStep): void {
  const leadership = leadershipStep(result, tx.state.config.apiserver, CONTROLLER_MANAGER_COMPONENT);
  tx.state = { ...tx.state, elector: leadership.elector };
  tx.send(leadership.sends);
  tx.record(leadership.events);
  if (leadership.started) {
    tx.state = { ...tx.state, leader: leadership.started };
    tx.emits.push({ type: 'obs.leader.started', ...leadership.started, at: tx.now });
  }
  if (leadership.stopped !== undefined) {
    tx.emits.push({ type: 'obs.leader.stopped', lease: `${CONTROLLER_MANAGER_LEASE.namespace}/${CONTROLLER_MANAGER_LEASE.name}`, holder: leadership.elector.config.identity, reason: leadership.stopped, at: tx.now });
    // The plant: OnStoppedLeading is ignored and the controllers go on under the term the process lost.
    if (tx.state.config.plant !== 'leader-acts-after-losing-lease') {
      const { leader: _gone, ...rest } = tx.state;
      tx.state = { ...rest, lostLease: true };
    }
  }
}

/** OnStoppedLeading → klog.Fatal: the process is gone; its connections close, so its watches end. */
export function exitProcess(state: ManagerState, now: number): Outcome {
  const tx = new Tx(state, now);
  for (const name of state.needed) {
    const watch = (state.informers[name] as InformerState<KubeObject>).watch;
    if (watch) tx.send([cancelWatch(state.config.apiserver, watch.requestId)]);
  }
  tx.emits.push({ type: 'obs.component.exited', component: CONTROLLER_MANAGER_COMPONENT, reason: 'leaderelection lost', at: now });
  return tx.done();
}

/** Starts every informer the enabled controllers need (each lists, then watches). */
export function startManager(state: ManagerState, now: number): Outcome {
  const tx = new Tx(state, now);
  for (const name of state.needed) applyInformerStep(tx, name, startInformer(INFORMER_SPECS[name] as never, state.informers[name] as never, now));
  return tx.done();
}

/** WaitForCacheSync: workers start only once every informer has delivered its first list. */
export function cachesSynced(state: ManagerState): boolean {
  return state.needed.every((name) => state.informers[name].hasSynced);
}

export function startWorkers(state: ManagerState, now: number): Outcome {
  const tx = new Tx({ ...state, workersStarted: true }, now);
  for (const name of state.config.controllers) {
    const onSynced = CONTROLLERS[name].onCachesSynced;
    if (onSynced) tx.setController(name, onSynced(tx.controller(name), tx.ctx));
  }
  runWorkers(tx);
  return tx.done();
}

function applyInformerStep(tx: Tx, name: InformerName, step: InformerStep<KubeObject>): void {
  tx.state = { ...tx.state, informers: { ...tx.state.informers, [name]: step.state } };
  tx.send(step.sends);
  if (step.deltas.length > 0) dispatch(tx, name, step.deltas);
}

/** Hands deltas to every enabled controller that uses this informer (shared: all see the same stream). */
function dispatch(tx: Tx, name: InformerName, deltas: readonly Delta<KubeObject>[]): void {
  const listeners = tx.state.config.controllers.filter((c) => CONTROLLERS[c].informers.includes(name));
  for (const delta of deltas) {
    for (const controller of listeners) {
      const handled = CONTROLLERS[controller].onDelta(tx.controller(controller), name, delta, tx.ctx);
      tx.setController(controller, handled.state);
      tx.record(handled.events);
    }
  }
}

function informerOwning(state: ManagerState, requestId: string): InformerName | undefined {
  return state.needed.find((name) => ownsRequest(state.informers[name] as InformerState<KubeObject>, requestId));
}

/** Any message from the apiserver is a frame read on the shared connection: it is alive. */
const heard = (state: ManagerState, now: number) => withConnectionRead(state, state.config.apiserver, now);

export function handleWatch(state: ManagerState, message: ApiWatchMessage, now: number): Outcome {
  const tx = new Tx(heard(state, now), now);
  const name = informerOwning(state, message.requestId);
  if (!name) {
    // A stream nobody reads (an earlier watch, or a previous incarnation's): close it.
    if (!message.closed) tx.send([cancelWatch(state.config.apiserver, message.requestId)]);
    return tx.done();
  }
  applyInformerStep(tx, name, receiveWatch(INFORMER_SPECS[name] as never, state.informers[name] as never, message, now));
  if (tx.state.workersStarted && !tx.state.lostLease) runWorkers(tx);
  return tx.done();
}

export function handleResponse(state: ManagerState, message: ApiResponseMessage, now: number): Outcome {
  const tx = new Tx(heard(state, now), now);
  const name = informerOwning(state, message.requestId);
  if (name) {
    applyInformerStep(tx, name, receiveResponse(INFORMER_SPECS[name] as never, state.informers[name] as never, message, now));
  } else if (state.elector && electorOwnsRequest(state.elector, message.requestId)) {
    applyElectorStep(tx, electorReceive(state.elector, message, now));
  } else {
    answerCall(tx, message);
  }
  if (tx.state.workersStarted && !tx.state.lostLease) runWorkers(tx);
  return tx.done();
}

/** The apiserver answered the connection's health ping. */
export function handleHealthOk(state: ManagerState, message: HealthOk, now: number): Outcome {
  return { state: withProbeAnswered(state, message.id, now), emits: [] };
}

/** Pings the connection when idle; a ping unanswered closes it, and every informer's watch or list on it fails. */
function checkConnections(tx: Tx): void {
  const checked = tickConnections(tx.state.connections, tx.now);
  tx.state = { ...tx.state, connections: checked.state };
  tx.send(checked.probes);
  for (const apiserver of checked.lost) {
    for (const name of tx.state.needed) applyInformerStep(tx, name, informerConnectionLost(tx.state.informers[name] as InformerState<KubeObject>, apiserver, tx.now));
  }
}

export function handleTimers(state: ManagerState, now: number): Outcome {
  const tx = new Tx(state, now);
  if (state.elector) applyElectorStep(tx, electorTick(state.elector, now));
  checkConnections(tx);
  for (const name of state.needed) {
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
  if (tx.state.workersStarted && !tx.state.lostLease) runWorkers(tx);
  return tx.done();
}

/** When anything is next due: an informer timer, a delayed queue key, a request deadline. */
export function nextDeadline(state: ManagerState): number | undefined {
  let next = Math.min((state.elector ? electorWakeup(state.elector) : undefined) ?? Infinity, connectionsDeadline(state.connections) ?? Infinity);
  for (const name of state.needed) next = Math.min(next, informerDeadline(state.informers[name] as InformerState<KubeObject>) ?? Infinity);
  for (const cs of Object.values(state.controllers)) {
    next = Math.min(next, queueNextReadyAt(cs.queue) ?? Infinity);
    for (const job of Object.values(cs.jobs)) if (job.deadline !== undefined && !stepDone(job)) next = Math.min(next, job.deadline);
  }
  return next === Infinity ? undefined : next;
}

const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

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
  const call = job.inFlight[requestId];
  const effective = !failure && call.tag.kind === 'recheck' ? recheckFailure(body, call.tag.uid) : failure;
  let { job: next, result } = recordAnswer(job, requestId, code, body, effective);
  if (!effective) tx.record(call.onSuccess);
  const module = CONTROLLERS[job.controller];
  if (module.onCallResult) {
    const interpreted = module.onCallResult(tx.controller(job.controller), result, tx.ctx);
    tx.setController(job.controller, interpreted.state);
    tx.record(interpreted.events);
    if (interpreted.requeueAfterMs !== undefined) next = { ...next, requeueAfterMs: interpreted.requeueAfterMs };
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

function send(tx: Tx, job: Job, step: Step): void {
  const sent = sendStep(job, step, tx.now, tx.state.config.requestTimeoutMs, tx.state.config.apiserver, () => tx.nextId(job.controller));
  setJob(tx, sent.job);
  tx.send(sent.sends);
  // Every write a controller sends is an act as leader (checked: at most one leader acts per lease term).
  const leader = tx.state.leader;
  if (leader) {
    for (const o of sent.sends) if (o.message.type === 'api.request' && WRITE_VERBS.has(o.message.request.verb)) tx.emits.push(leaderAct(leader, tx.now));
  }
}

/** Sends the job's follow-ups, its next step, or its finalizer's, or ends it. */
function advance(tx: Tx, job: Job): void {
  let current = job;
  const module = CONTROLLERS[current.controller];
  // Follow-ups of the finalizer's calls go on whatever happened before it; the plan's stop at the first failure.
  const blocked = current.finalized ? current.finalizerFailed === true : current.failure !== undefined;
  if (!blocked && current.followUps.length > 0) {
    send(tx, { ...current, followUps: [] }, { label: current.currentLabel ?? 'write', calls: current.followUps });
    return;
  }
  if (!current.failure && current.stepIndex < current.plan.steps.length) {
    send(tx, { ...current, stepIndex: current.stepIndex + 1 }, current.plan.steps[current.stepIndex]);
    return;
  }
  if (blocked && (current.stepIndex < current.plan.steps.length || current.followUps.length > 0)) {
    for (const call of skippedCalls(current)) {
      if (module.onCallSkipped) tx.setController(current.controller, module.onCallSkipped(tx.controller(current.controller), call));
    }
    current = { ...current, stepIndex: current.plan.steps.length, followUps: [] };
  }
  if (!current.finalized && current.plan.finalizer && module.finalize) {
    const fin = module.finalize(tx.controller(current.controller), current.plan.finalizer, current.failure, tx.ctx);
    if (fin.state) tx.setController(current.controller, fin.state);
    current = { ...current, finalized: true, ...(fin.requeueAfterMs !== undefined ? { requeueAfterMs: fin.requeueAfterMs } : {}) };
    if (fin.step) {
      send(tx, current, fin.step);
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
  const maxRetries = CONTROLLERS[job.controller].maxRetries;
  if (ok) {
    const after = requeueAfterMs ?? plan?.requeueAfterMs;
    if (after !== undefined) queue = queueAddAfter(queue, job.key, after, tx.now);
    if (plan?.requeueRateLimited) queue = queueAddRateLimited(queue, job.key, tx.now);
    queue = queueForget(queue, job.key);
  } else if (maxRetries !== undefined && queueNumRequeues(queue, job.key) >= maxRetries) {
    queue = queueForget(queue, job.key); // dropped out of the queue after maxRetries
  } else {
    queue = queueAddRateLimited(queue, job.key, tx.now);
  }
  tx.setController(job.controller, { ...cs, jobs, queue });
  const error = job.failure?.error ?? plan?.failWith;
  tx.emits.push({ type: 'obs.controller.sync', controller: job.controller, key: job.key, at: tx.now, ok, ...(error && !ok ? { error: error.message } : {}) });
}

function runSync(tx: Tx, controller: ControllerName, key: string): void {
  const result = CONTROLLERS[controller].sync(tx.controller(controller), key, tx.ctx);
  tx.setController(controller, result.state);
  tx.record(result.events);
  const job = newJob(controller, key, result.plan ?? { steps: [] });
  setJob(tx, job);
  advance(tx, job);
}

/** Workers: while a controller has a free worker and a ready key, sync it. */
function runWorkers(tx: Tx): void {
  for (const controller of tx.state.config.controllers) {
    const before = tx.controller(controller);
    const queue = queuePromoteDue(before.queue, tx.now);
    if (queue !== before.queue) tx.setController(controller, { ...before, queue });
    if (queue.queue.length === 0) continue; // nothing ready (the common case)
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
