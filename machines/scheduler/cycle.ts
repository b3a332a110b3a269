// One scheduling cycle (ScheduleOne), the binding cycle's answer, and handleSchedulingFailure.
// Cycles run one at a time, each on a snapshot that already counts every pod assumed before it; the
// bind goes out asynchronously (as upstream's binding goroutine) and the next cycle starts at once.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { leaderAct, listAll, storeGet, type ApiFailure } from '../../src/client/index.ts';
import {
  AssignedPodDelete, failedSchedulingEvent, isScheduled, isUnschedulable, schedulePod, scheduledEvent,
  unschedulableCondition, type QueuedPodInfo, type SchedulerEvent,
} from '../../src/scheduler/index.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { referenceTo } from '../controller-manager/events.ts';
import { bindRequest, podStatusPatchRequest } from './requests.ts';
import type { SchedulerState, Step } from './state.ts';

/** Cycles run once the caches synced and, with --leader-elect, only while this process leads. */
export function isActing(state: SchedulerState): boolean {
  return state.scheduling && (!state.config.leaderElection.leaderElect || state.leader !== undefined);
}

/** What a failed attempt reports (framework.Status): rejected = Unschedulable, else an error. */
export interface FailureStatus {
  readonly rejected: boolean;
  readonly message: string;
  /** FitError's Diagnosis.UnschedulablePlugins: what the queue matches cluster events against. */
  readonly unschedulablePlugins?: ReadonlySet<string>;
}

export const DEFAULT_BINDER = 'DefaultBinder';

function podRef(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

function recordPodEvent(step: Step, pod: Pod, event: SchedulerEvent): void {
  step.record({
    type: event.type, reason: event.reason, message: event.note,
    involvedObject: referenceTo(pod, 'v1', 'Pod'), component: step.state.config.schedulerName,
  });
}

/** The snapshot's services and ReplicaSets, re-read only when their informers changed. */
function refreshWorkloads(step: Step): void {
  const state = step.state;
  if (!state.workloadsChanged) return;
  state.cache.setWorkloads({
    services: listAll(state.informers.services),
    replicaSets: listAll(state.informers.replicasets),
    statefulSets: [],
    replicationControllers: [],
  });
  state.workloadsChanged = false;
}

/** Runs cycles while activeQ has pods (upstream's loop would run them back to back). */
export function runCycles(step: Step): void {
  if (!isActing(step.state)) return;
  while (step.state.queue.activeQ.size > 0) scheduleOne(step);
}

/** skipPodSchedule: a pod being deleted, or one assumed already (an update re-queued it mid-cycle). */
function skipPodSchedule(step: Step, pod: Pod): boolean {
  if (pod.metadata?.deletionTimestamp) {
    recordPodEvent(step, pod, failedSchedulingEvent(`skip schedule deleting pod: ${podRef(pod)}`));
    return true;
  }
  return step.state.cache.isAssumed(pod);
}

export function scheduleOne(step: Step): void {
  const state = step.state;
  const popped = state.queue.pop();
  if (popped === undefined) return;
  const { podInfo } = popped;
  const pod = podInfo.pod;
  if (skipPodSchedule(step, pod)) return;
  state.stats.attempts++;
  refreshWorkloads(step);
  const result = schedulePod(pod, state.cache.snapshot(), step.rand, {
    nextStartNodeIndex: state.nextStartNodeIndex,
    percentageOfNodesToScore: state.config.percentageOfNodesToScore,
    ignoreAssumedPods: state.config.plant === 'ignore-assume-cache',
  });
  state.nextStartNodeIndex = result.nextStartNodeIndex;
  if (isScheduled(result)) {
    assumeAndBind(step, podInfo, result.node);
    return;
  }
  state.stats.unschedulable++;
  if (isUnschedulable(result)) {
    handleSchedulingFailure(step, podInfo, { rejected: true, message: result.message, unschedulablePlugins: result.diagnosis.unschedulablePlugins });
  } else {
    // ErrNoNodesAvailable: UnschedulableAndUnresolvable, but not a FitError (no plugins to wait for).
    handleSchedulingFailure(step, podInfo, { rejected: true, message: result.error });
  }
}

/** assume, then the binding cycle's Bind: POST pods/<name>/binding. */
function assumeAndBind(step: Step, podInfo: QueuedPodInfo, node: string): void {
  const state = step.state;
  const pod = podInfo.pod;
  const assumed: Pod = { ...pod, spec: { containers: [], ...pod.spec, nodeName: node } };
  const refused = state.cache.assumePod(assumed);
  if (refused !== undefined) {
    // Most probably a bug in retrying logic upstream says; the failure handler re-checks the informer.
    handleSchedulingFailure(step, podInfo, { rejected: false, message: refused });
    return;
  }
  const requestId = step.nextId('bind');
  state.binds.set(requestId, { podInfo, assumed, node, deadline: step.now + state.config.requestTimeoutMs });
  step.send([bindRequest(state.config.apiserver, requestId, pod, node, state.config.user)]);
  // Each binding is an act as leader (checked: at most one leader acts per lease term).
  if (state.leader) step.observe(leaderAct(state.leader, step.now));
}

/** The answer to a binding (undefined failure = 201 Created). */
export function onBindAnswer(step: Step, requestId: string, failure: ApiFailure | undefined): void {
  const state = step.state;
  const call = state.binds.get(requestId);
  if (call === undefined) return;
  state.binds.delete(requestId);
  state.cache.finishBinding(call.assumed);
  if (failure === undefined) {
    state.stats.bound++;
    recordPodEvent(step, call.assumed, scheduledEvent(call.assumed, call.node));
    step.observe({ type: 'obs.scheduler.bound', pod: podRef(call.assumed), node: call.node, at: step.now });
    return;
  }
  state.stats.bindFailures++;
  // handleBindingCycleError: the room is given back, which may help parked pods (an AssignedPodDelete).
  state.cache.forgetPod(call.assumed);
  state.queue.moveAllToActiveOrBackoffQueue(AssignedPodDelete, step.now);
  handleSchedulingFailure(step, call.podInfo, { rejected: false, message: `running Bind plugin "${DEFAULT_BINDER}": ${failure.message}` });
}

/**
 * handleSchedulingFailure: requeue the informer's current copy (unless it is gone or bound by now), record
 * FailedScheduling, and set PodScheduled=False (Unschedulable / SchedulerError) with the full message.
 */
export function handleSchedulingFailure(step: Step, podInfo: QueuedPodInfo, status: FailureStatus): void {
  const state = step.state;
  const pod = podInfo.pod;
  const cached = storeGet(state.informers.pods.store, podRef(pod));
  if (cached !== undefined && !(cached.spec?.nodeName ?? '')) {
    state.queue.addUnschedulableIfNotPresent({ ...podInfo, pod: cached }, state.queue.schedulingCycle, status.unschedulablePlugins ?? [], step.now);
  }
  step.observe({ type: 'obs.scheduler.failed', pod: podRef(pod), message: status.message, at: step.now });
  recordPodEvent(step, pod, failedSchedulingEvent(status.message));
  const condition = unschedulableCondition(status.message, status.rejected);
  const patch = podScheduledPatch(pod, condition, step.now);
  if (patch !== undefined) step.send([podStatusPatchRequest(state.config.apiserver, step.nextId('status'), pod, patch, state.config.user)]);
}

/**
 * updatePod → util.PatchPodStatus: a strategic merge patch of the PodScheduled condition, or nothing
 * when the pod already carries the same one (UpdatePodCondition keeps lastTransitionTime unless the
 * status flips).
 */
export function podScheduledPatch(pod: Pod, c: ReturnType<typeof unschedulableCondition>, now: number): unknown {
  const old = pod.status?.conditions?.find((x) => x.type === c.type);
  const lastTransitionTime = old !== undefined && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
  if (old !== undefined && old.status === c.status && old.reason === c.reason && old.message === c.message && old.lastTransitionTime === lastTransitionTime) {
    return undefined;
  }
  const condition: PodCondition = { ...c, lastProbeTime: null as unknown as undefined, lastTransitionTime };
  const order = [...(pod.status?.conditions ?? []).map((x) => ({ type: x.type })), ...(old === undefined ? [{ type: c.type }] : [])];
  return { status: { [`$setElementOrder/conditions`]: order, conditions: [condition] } };
}
