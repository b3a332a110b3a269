// The kubelet as pure functions over one value (the machine's context minus host plumbing): every message
// and timer is a step that returns the new state and what to emit. The machine (kubelet.machine.ts) is a
// thin shell that calls these and keeps one timer at `nextDeadline`.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import { cancelWatch, informerDeadline, ownsHealthProbe, ownsRequest, receiveHealthOk, receiveResponse, receiveWatch, startInformer, tickInformer, type InformerStep } from '../../src/client/index.ts';
import type { CriResponseMessage } from '../../src/kubelet/cri.ts';
import type { KubeletLogsCancelMessage, KubeletLogsRequestMessage } from '../../src/kubelet/log-protocol.ts';
import type { HealthOk } from '../../src/host/contract.ts';
import type { RngState } from '../../src/sim/random.ts';
import type { Address } from '../../src/bus/envelope.ts';
import type { KubeletMachineConfig } from './config.ts';
import { criDeadline, onCriResponse, onCriTimeout, relistIfDue } from './cri-client.ts';
import { eventRetryDeadline, onEventAnswer, retryEvents } from './event-recorder.ts';
import { onHealthOk, pingDeadline, pingIfDue } from './health-pinger.ts';
import { mirrorDeadline, onMirrorAnswer, syncMirrorPods } from './mirror-pods.ts';
import { cancelLogRequest, logFollowersDeadline, pumpLogFollowers, serveLogRequest } from './log-server.ts';
import { leaseDeadline, leaseTimers, onLeaseAnswer, startLease } from './node-lease.ts';
import { nodeDeadline, nodeTimers, onNodeAnswer, registerNode } from './node-registration.ts';
import { canSync, commitRound, failRoundPod, HOUSEKEEPING_PERIOD_MS, onPodDeltas, postEventsBefore, runPodWorkers, workersDeadline } from './pod-workers.ts';
import { newKubeletActor, podInformerSpec, Tx, type CallPurpose, type KubeletActorState, type KubeletOutcome } from './state.ts';
import { flushStatuses, onStatusAnswer, statusDeadline } from './status-manager.ts';

export { newKubeletActor };

function applyInformer(tx: Tx, step: InformerStep<Pod>): void {
  tx.update({ pods: step.state });
  for (const o of step.sends) tx.send(o.to, { ...o.message });
  for (const o of step.probes ?? []) tx.send(o.to, { ...o.message });
  if (step.deltas.length > 0) onPodDeltas(tx, step.deltas);
}

/**
 * What follows every step: a round if pods are due (with housekeeping when its period has passed — it needs
 * no timer of its own, the PLEG's relist wakes the kubelet every second), a relist if due, status writes,
 * and what followed logs gained.
 */
function settle(tx: Tx): void {
  const housekeeping = tx.now >= tx.state.housekeepingAt && canSync(tx.state);
  if (housekeeping) tx.update({ housekeepingAt: tx.now + HOUSEKEEPING_PERIOD_MS });
  pingIfDue(tx);
  runPodWorkers(tx, housekeeping);
  relistIfDue(tx);
  syncMirrorPods(tx);
  flushStatuses(tx);
  pumpLogFollowers(tx);
}

/** Start-up: the pod informer lists and watches; the first relist asks the runtime what it has. */
export function startKubelet(state: KubeletActorState, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  applyInformer(tx, startInformer(podInformerSpec(state.config.node.name), state.pods, now));
  relistIfDue(tx);
  return tx.done();
}

export function createKubelet(self: Address, incarnation: number, rng: RngState, config: KubeletMachineConfig, now: number): KubeletActorState {
  return newKubeletActor(self, incarnation, rng, config, now);
}

/** The runtime has answered: the kubelet can register its Node. */
export function runtimeReady(state: KubeletActorState): boolean {
  return state.cri.seen;
}

export function nodeRegistered(state: KubeletActorState): boolean {
  return state.node.phase === 'registered';
}

export function beginRegistration(state: KubeletActorState, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  registerNode(tx);
  return tx.done();
}

/** Registered: the lease loop starts (the node status loop was scheduled by the registration). */
export function beginHeartbeats(state: KubeletActorState, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  startLease(tx);
  leaseTimers(tx);
  nodeTimers(tx);
  return tx.done();
}

function route(tx: Tx, purpose: CallPurpose, message: ApiResponseMessage | undefined): void {
  switch (purpose.kind) {
    case 'node-create':
    case 'node-get':
    case 'node-status-get':
    case 'node-status':
      return onNodeAnswer(tx, purpose, message);
    case 'lease-get':
    case 'lease-create':
    case 'lease-update':
      return onLeaseAnswer(tx, purpose, message);
    case 'pod-status':
    case 'pod-delete':
      return onStatusAnswer(tx, purpose, message);
    case 'event-create':
    case 'event-patch':
      return onEventAnswer(tx, purpose, message);
    case 'mirror-create':
    case 'mirror-delete':
      return onMirrorAnswer(tx, purpose, message);
  }
}

export function handleApiResponse(state: KubeletActorState, message: ApiResponseMessage, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  if (ownsRequest(state.pods, message.requestId)) {
    applyInformer(tx, receiveResponse(podInformerSpec(state.config.node.name), state.pods, message, now));
  } else {
    const call = state.calls[message.requestId];
    if (call) {
      const { [message.requestId]: _answered, ...calls } = tx.state.calls;
      tx.update({ calls });
      route(tx, call.purpose, message);
    }
  }
  settle(tx);
  return tx.done();
}

export function handleApiWatch(state: KubeletActorState, message: ApiWatchMessage, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  if (ownsRequest(state.pods, message.requestId)) {
    applyInformer(tx, receiveWatch(podInformerSpec(state.config.node.name), state.pods, message, now));
  } else if (!message.closed) {
    // A stream nobody reads (a previous watch, or a previous incarnation's): close it.
    const o = cancelWatch(state.config.apiserver, message.requestId);
    tx.send(o.to, { ...o.message });
  }
  settle(tx);
  return tx.done();
}

export function handleCriResponse(state: KubeletActorState, message: CriResponseMessage, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  onCriResponse(tx, message, commitRound, failRoundPod);
  settle(tx);
  return tx.done();
}

/** A host's answer to one of the kubelet's health pings (health-pinger.ts). */
export function handleHealthOk(state: KubeletActorState, message: HealthOk, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  // The pod watch's connection health ping (informer liveness), or one of the pinger's.
  if (ownsHealthProbe(state.pods, message.id)) applyInformer(tx, receiveHealthOk(state.pods, message.id, now));
  else onHealthOk(tx, message);
  settle(tx);
  return tx.done();
}

/** GET /containerLogs from an apiserver (log-server.ts). */
export function handleLogsRequest(state: KubeletActorState, message: KubeletLogsRequestMessage & { from: string }, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  serveLogRequest(tx, message);
  settle(tx);
  return tx.done();
}

export function handleLogsCancel(state: KubeletActorState, message: KubeletLogsCancelMessage & { from: string }, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  cancelLogRequest(tx, message);
  settle(tx);
  return tx.done();
}

/** Timers: informer back-off/stall, call timeouts, the runtime, registration, node status, lease, pods. */
export function handleTimers(state: KubeletActorState, now: number): KubeletOutcome {
  const tx = new Tx(state, now);
  applyInformer(tx, tickInformer(podInformerSpec(state.config.node.name), tx.state.pods, now));
  for (const [requestId, call] of Object.entries(tx.state.calls)) {
    if (call.deadline > now) continue;
    const { [requestId]: _expired, ...calls } = tx.state.calls;
    tx.update({ calls });
    route(tx, call.purpose, undefined);
  }
  onCriTimeout(tx, commitRound, postEventsBefore);
  nodeTimers(tx);
  leaseTimers(tx);
  retryEvents(tx);
  settle(tx);
  return tx.done();
}

/** When anything is next due. */
export function nextDeadline(state: KubeletActorState, now: number): number {
  let at = Math.min(
    criDeadline(state.cri),
    nodeDeadline(state.node),
    leaseDeadline(state.lease),
    statusDeadline(state),
    workersDeadline(state, now),
    logFollowersDeadline(state),
    mirrorDeadline(state),
    pingDeadline(state),
    eventRetryDeadline(state.recorder),
  );
  const informer = informerDeadline(state.pods);
  if (informer !== undefined) at = Math.min(at, informer);
  for (const call of Object.values(state.calls)) at = Math.min(at, call.deadline);
  return at;
}
