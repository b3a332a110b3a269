// kube-scheduler as functions over its state: start the informers, feed them answers and watch batches,
// tick timers, and after each of these run the scheduling cycles activeQ allows. Every function returns
// what to emit, in order.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import type { HealthOk, HostedEmitted } from '../../src/host/contract.ts';
import {
  cancelWatch, electorOwnsRequest, electorReceive, electorTick, electorWakeup, failureOf, informerDeadline, leadershipStep,
  newComponentElector, ownsRequest, receiveResponse, receiveWatch, startInformer, tickInformer, timeoutFailure,
  type ElectorStep, type InformerSpec, type InformerState, type InformerStep, type KubeObject,
  connectionProbeAnswered, connectionRead, connectionsDeadline, informerConnectionLost, tickConnections,
} from '../../src/client/index.ts';
import { seedFrom } from '../../src/sim/random.ts';
import { SCHEDULER_COMPONENT, SCHEDULER_LEASE } from './config.ts';
import { BACKOFF_FLUSH_INTERVAL_MS, UNSCHEDULABLE_FLUSH_INTERVAL_MS } from '../../src/scheduler/index.ts';
import { onBindAnswer, runCycles } from './cycle.ts';
import { onNodeDelta, onPodDelta, onWorkloadDelta } from './handlers.ts';
import { INFORMER_NAMES, INFORMER_SPECS, type InformerName } from './informers.ts';
import { Step, type SchedulerState } from './state.ts';

export { newSchedulerState, type SchedulerState } from './state.ts';

function spec(name: InformerName): InformerSpec<KubeObject> {
  return INFORMER_SPECS[name] as unknown as InformerSpec<KubeObject>;
}

function informer(state: SchedulerState, name: InformerName): InformerState<KubeObject> {
  return state.informers[name] as InformerState<KubeObject>;
}

function applyInformerStep(step: Step, name: InformerName, result: InformerStep<KubeObject>): void {
  (step.state.informers as unknown as Record<InformerName, InformerState<KubeObject>>)[name] = result.state;
  step.send(result.sends);
  for (const delta of result.deltas) {
    if (name === 'pods') onPodDelta(step, delta as never);
    else if (name === 'nodes') onNodeDelta(step, delta as never);
    else if (name === 'services' || name === 'replicasets') onWorkloadDelta(step);
  }
}

/** The queue's flush loops, as if they had run at their last tick (1 s backoff, 30 s leftovers). */
function flushQueue(step: Step): void {
  const { state, now } = step;
  const tick = (interval: number) => state.startedAt + Math.floor((now - state.startedAt) / interval) * interval;
  state.queue.flushBackoffQCompleted(tick(BACKOFF_FLUSH_INTERVAL_MS));
  const leftoverTick = tick(UNSCHEDULABLE_FLUSH_INTERVAL_MS);
  if (leftoverTick > state.lastLeftoverFlushAt) {
    state.lastLeftoverFlushAt = leftoverTick;
    state.queue.flushUnschedulablePodsLeftover(leftoverTick);
  }
}

/** Every step ends the same way: queue flushes due, then as many scheduling cycles as activeQ holds. */
function finish(step: Step): HostedEmitted[] {
  if (step.state.scheduling) {
    flushQueue(step);
    runCycles(step);
  }
  return step.emits;
}

/** Starts every informer (each lists, then watches). */
export function startScheduler(state: SchedulerState, now: number): HostedEmitted[] {
  const step = new Step(state, now);
  for (const name of INFORMER_NAMES) applyInformerStep(step, name, startInformer(spec(name), informer(state, name), now));
  return step.emits;
}

/** WaitForCacheSync: cycles start only once every informer has delivered its first list. */
export function cachesSynced(state: SchedulerState): boolean {
  return INFORMER_NAMES.every((name) => state.informers[name].hasSynced);
}

/**
 * The caches synced: with --leader-elect the elector starts now (kube-scheduler's Run waits for the caches,
 * then runs the LeaderElector with sched.Run as OnStartedLeading); without it cycles start at once.
 */
export function startScheduling(state: SchedulerState, now: number): HostedEmitted[] {
  state.scheduling = true;
  const step = new Step(state, now);
  step.observe({ type: 'obs.scheduler.started', at: now, nodes: state.cache.nodeCount, pending: state.queue.size });
  if (state.config.leaderElection.leaderElect) {
    // The identity's uuid comes from a stream of its own, so score-tie draws are the same with or without it.
    const rng = seedFrom(`${state.rng.join(',')}/leader-election/${state.life}`);
    state.elector = newComponentElector(state.config.leaderElection, SCHEDULER_LEASE, state.self, state.idPrefix, state.config.user, rng, now);
    applyElectorStep(step, electorTick(state.elector, now));
  }
  return finish(step);
}

/** What the elector did: its requests, its LeaderElection Events, and OnStartedLeading / OnStoppedLeading. */
function applyElectorStep(step: Step, result: ElectorStep): void {
  const state = step.state;
  const leadership = leadershipStep(result, state.config.apiserver, SCHEDULER_COMPONENT);
  state.elector = leadership.elector;
  step.send(leadership.sends);
  for (const event of leadership.events) step.record(event);
  if (leadership.started) {
    state.leader = leadership.started;
    step.observe({ type: 'obs.leader.started', ...leadership.started, at: step.now });
  }
  if (leadership.stopped !== undefined) {
    step.observe({ type: 'obs.leader.stopped', lease: `${SCHEDULER_LEASE.namespace}/${SCHEDULER_LEASE.name}`, holder: leadership.elector.config.identity, reason: leadership.stopped, at: step.now });
    // The plant: OnStoppedLeading is ignored and the process goes on under the term it lost.
    if (state.config.plant !== 'leader-acts-after-losing-lease') {
      state.leader = undefined;
      state.lostLease = true;
    }
  }
}

/** OnStoppedLeading → klog.Fatal: the process is gone; its connections close, so its watches end. */
export function exitProcess(state: SchedulerState, now: number): HostedEmitted[] {
  const step = new Step(state, now);
  for (const name of INFORMER_NAMES) {
    const watch = informer(state, name).watch;
    if (watch) step.send([cancelWatch(state.config.apiserver, watch.requestId)]);
  }
  step.observe({ type: 'obs.component.exited', component: SCHEDULER_COMPONENT, reason: 'leaderelection lost', at: now });
  return step.emits;
}

function informerOwning(state: SchedulerState, requestId: string): InformerName | undefined {
  return INFORMER_NAMES.find((name) => ownsRequest(informer(state, name), requestId));
}

export function handleWatch(state: SchedulerState, message: ApiWatchMessage, now: number): HostedEmitted[] {
  // Any message from the apiserver is a frame read on the shared connection: it is alive.
  state.connections = connectionRead(state.connections, state.config.apiserver, now);
  const step = new Step(state, now);
  const name = informerOwning(state, message.requestId);
  if (name === undefined) {
    // A stream nobody reads (an earlier watch, or a previous incarnation's): close it.
    if (!message.closed) step.send([cancelWatch(state.config.apiserver, message.requestId)]);
    return step.emits;
  }
  applyInformerStep(step, name, receiveWatch(spec(name), informer(state, name), message, now));
  return finish(step);
}

export function handleResponse(state: SchedulerState, message: ApiResponseMessage, now: number): HostedEmitted[] {
  state.connections = connectionRead(state.connections, state.config.apiserver, now);
  const step = new Step(state, now);
  const name = informerOwning(state, message.requestId);
  if (name !== undefined) applyInformerStep(step, name, receiveResponse(spec(name), informer(state, name), message, now));
  else if (state.elector && electorOwnsRequest(state.elector, message.requestId)) applyElectorStep(step, electorReceive(state.elector, message, now));
  else onBindAnswer(step, message.requestId, failureOf(message));
  // Anything else is an event write or a status patch: fire and forget.
  return finish(step);
}

/** The apiserver answered the connection's health ping. */
export function handleHealthOk(state: SchedulerState, message: HealthOk, now: number): HostedEmitted[] {
  state.connections = connectionProbeAnswered(state.connections, message.id, now);
  return [];
}

/** Pings the connection when idle; a ping unanswered closes it, and every informer's watch or list on it fails. */
function checkConnections(step: Step): void {
  const { state, now } = step;
  const checked = tickConnections(state.connections, now);
  state.connections = checked.state;
  step.send(checked.probes);
  for (const apiserver of checked.lost) {
    for (const name of INFORMER_NAMES) applyInformerStep(step, name, informerConnectionLost(informer(state, name), apiserver, now));
  }
}

export function handleTimers(state: SchedulerState, now: number): HostedEmitted[] {
  const step = new Step(state, now);
  checkConnections(step);
  for (const name of INFORMER_NAMES) applyInformerStep(step, name, tickInformer(spec(name), informer(state, name), now));
  if (state.elector) applyElectorStep(step, electorTick(state.elector, now));
  // Bindings are in deadline order: time out the overdue ones from the front.
  for (const [requestId, call] of state.binds) {
    if (call.deadline > now) break;
    onBindAnswer(step, requestId, timeoutFailure(`Post "pods/${call.assumed.metadata?.name}/binding"`));
  }
  return finish(step);
}

function nextTick(state: SchedulerState, after: number, interval: number, strictly: boolean): number {
  const n = (after - state.startedAt) / interval;
  const k = strictly ? Math.floor(n) + 1 : Math.ceil(n);
  return state.startedAt + k * interval;
}

/** When anything is next due: an informer timer, a binding deadline, a queue flush that would move a pod. */
export function nextDeadline(state: SchedulerState, now: number): number | undefined {
  const times: number[] = [];
  const ping = connectionsDeadline(state.connections);
  if (ping !== undefined) times.push(ping);
  for (const name of INFORMER_NAMES) {
    const at = informerDeadline(informer(state, name));
    if (at !== undefined) times.push(at);
  }
  const elector = state.elector ? electorWakeup(state.elector) : undefined;
  if (elector !== undefined) times.push(elector);
  const firstBind = state.binds.values().next();
  if (!firstBind.done) times.push(firstBind.value.deadline);
  if (state.scheduling) {
    const expiry = state.queue.nextBackoffExpiry();
    if (expiry !== undefined) times.push(nextTick(state, Math.max(expiry, now), BACKOFF_FLUSH_INTERVAL_MS, false));
    if (state.queue.unschedulablePods.size > 0) times.push(nextTick(state, now, UNSCHEDULABLE_FLUSH_INTERVAL_MS, true));
  }
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Inspection helpers for tests and tools. */
export function queuedPods(state: SchedulerState): Pod[] {
  return state.queue.pending().map((p) => p.pod);
}

export function cachedNodes(state: SchedulerState): Node[] {
  return state.cache.snapshot().nodes.map((n) => n.node);
}
