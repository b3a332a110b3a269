// The scheduling queue (PriorityQueue, 1.30, queueing hints off) as an immutable value: every
// operation returns a new queue, and time comes in as `now` (ms on the caller's clock).
//   activeQ           pods ready to be tried: highest priority first, then oldest timestamp
//   podBackoffQ       pods waiting out 1s·2^(attempts−1), capped at 10s, since their last failure
//   unschedulablePods pods waiting for a cluster event one of their rejecting plugins cares
//                     about, or for 5 minutes (podMaxInUnschedulablePodsDuration)
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../api/labels.ts';
import { AssignedPodAdd, AssignedPodUpdate, UnschedulableTimeout, eventMatchesPlugins, type ClusterEvent } from './events.ts';
import { affinityTermMatches, podInfoOf, podNamespacedName, podPriority } from './pod-info.ts';

export const SCHEDULING_GATES = 'SchedulingGates';
export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';

export interface QueueConfig {
  readonly podInitialBackoffMs: number;
  readonly podMaxBackoffMs: number;
  readonly podMaxInUnschedulablePodsDurationMs: number;
}

/** Upstream defaults; the flush loops run every 1 s (backoff) and 30 s (unschedulable leftovers). */
export const DEFAULT_QUEUE_CONFIG: QueueConfig = Object.freeze({
  podInitialBackoffMs: 1_000,
  podMaxBackoffMs: 10_000,
  podMaxInUnschedulablePodsDurationMs: 5 * 60_000,
});
export const BACKOFF_FLUSH_INTERVAL_MS = 1_000;
export const UNSCHEDULABLE_FLUSH_INTERVAL_MS = 30_000;

export interface QueuedPodInfo {
  readonly pod: Pod;
  /** namespace/name. */
  readonly key: string;
  /** When the pod was (re-)added: activeQ ordering and the base of its backoff. */
  readonly timestamp: number;
  readonly initialAttemptTimestamp?: number;
  readonly attempts: number;
  /** Plugins that rejected it last time (sorted); empty means an error, not a rejection. */
  readonly unschedulablePlugins: readonly string[];
  /** Held back by PreEnqueue (spec.schedulingGates). */
  readonly gated: boolean;
  /** Insertion sequence: the final, deterministic activeQ tie-break. */
  readonly seq: number;
}

export interface SchedulingQueue {
  readonly config: QueueConfig;
  readonly activeQ: ReadonlyMap<string, QueuedPodInfo>;
  readonly backoffQ: ReadonlyMap<string, QueuedPodInfo>;
  readonly unschedulablePods: ReadonlyMap<string, QueuedPodInfo>;
  readonly schedulingCycle: number;
  /** The cycle at which the last move request (cluster event) arrived. */
  readonly moveRequestCycle: number;
  readonly nextSeq: number;
}

export function createQueue(config: Partial<QueueConfig> = {}): SchedulingQueue {
  return {
    config: { ...DEFAULT_QUEUE_CONFIG, ...config },
    activeQ: new Map(),
    backoffQ: new Map(),
    unschedulablePods: new Map(),
    schedulingCycle: 0,
    moveRequestCycle: -1,
    nextSeq: 0,
  };
}

/** calculateBackoffDuration: initial × 2^(attempts−1), capped at the maximum. */
export function backoffDuration(attempts: number, config: QueueConfig = DEFAULT_QUEUE_CONFIG): number {
  let d = config.podInitialBackoffMs;
  for (let i = 1; i < attempts; i++) {
    if (d > config.podMaxBackoffMs - d) return config.podMaxBackoffMs;
    d += d;
  }
  return d;
}

export function backoffExpiry(p: QueuedPodInfo, config: QueueConfig = DEFAULT_QUEUE_CONFIG): number {
  return p.timestamp + backoffDuration(p.attempts, config);
}

/** isPodBackingoff: gated pods never are; otherwise until timestamp + backoff (exclusive). */
export function isPodBackingOff(q: SchedulingQueue, p: QueuedPodInfo, now: number): boolean {
  return !p.gated && backoffExpiry(p, q.config) > now;
}

/** activeQ order (PrioritySort): higher priority, then earlier timestamp, then insertion. */
export function activeQLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const pa = podPriority(a.pod);
  const pb = podPriority(b.pod);
  if (pa !== pb) return pa > pb;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
  return a.seq < b.seq;
}

// ---- internal helpers on a mutable draft -------------------------------------------------

interface Draft {
  config: QueueConfig;
  activeQ: Map<string, QueuedPodInfo>;
  backoffQ: Map<string, QueuedPodInfo>;
  unschedulablePods: Map<string, QueuedPodInfo>;
  schedulingCycle: number;
  moveRequestCycle: number;
  nextSeq: number;
}

function draft(q: SchedulingQueue): Draft {
  return { ...q, activeQ: new Map(q.activeQ), backoffQ: new Map(q.backoffQ), unschedulablePods: new Map(q.unschedulablePods) };
}

const freeze = (d: Draft): SchedulingQueue => d;

function sortedUnion(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** addToActiveQ: PreEnqueue (scheduling gates) first; a gated pod parks in unschedulablePods. */
function addToActiveQ(d: Draft, p: QueuedPodInfo, now: number): boolean {
  const gates = p.pod.spec?.schedulingGates ?? [];
  if (gates.length > 0) {
    d.unschedulablePods.set(p.key, { ...p, gated: true, unschedulablePlugins: sortedUnion(p.unschedulablePlugins, [SCHEDULING_GATES]) });
    return false;
  }
  d.activeQ.set(p.key, { ...p, gated: false, initialAttemptTimestamp: p.initialAttemptTimestamp ?? now });
  return true;
}

function newQueuedPodInfo(d: Draft, pod: Pod, now: number): QueuedPodInfo {
  return { pod, key: podNamespacedName(pod), timestamp: now, attempts: 0, unschedulablePlugins: [], gated: false, seq: d.nextSeq++ };
}

function movePods(d: Draft, pods: readonly QueuedPodInfo[], event: ClusterEvent, now: number): void {
  for (const p of pods) {
    // A pod rejected for an unknown reason (no plugins) moves on any event.
    if (p.unschedulablePlugins.length > 0 && !eventMatchesPlugins(event, p.unschedulablePlugins)) continue;
    if (isPodBackingOff(freeze(d), p, now)) {
      d.backoffQ.set(p.key, p);
      d.unschedulablePods.delete(p.key);
    } else if (addToActiveQ(d, p, now)) {
      d.unschedulablePods.delete(p.key);
    }
  }
  d.moveRequestCycle = d.schedulingCycle;
}

// ---- operations ----------------------------------------------------------------------------

/** Add: a new pending pod goes to activeQ (or parks, gated). */
export function addPod(q: SchedulingQueue, pod: Pod, now: number): SchedulingQueue {
  const d = draft(q);
  const p = newQueuedPodInfo(d, pod, now);
  if (!addToActiveQ(d, p, now)) return freeze(d);
  d.unschedulablePods.delete(p.key);
  d.backoffQ.delete(p.key);
  return freeze(d);
}

/** isPodUpdated: a change beyond status, resourceVersion, generation, managedFields, finalizers. */
export function isPodUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, finalizers: _f, ...metadata } = p.metadata ?? {};
    return JSON.stringify({ ...p, metadata, status: { resize: p.status?.resize } });
  };
  return strip(oldPod) !== strip(newPod);
}

/** Update: refresh in place; a real change to an unschedulable pod moves it back (active or backoff). */
export function updatePod(q: SchedulingQueue, oldPod: Pod, newPod: Pod, now: number): SchedulingQueue {
  const d = draft(q);
  const key = podNamespacedName(newPod);
  for (const m of [d.activeQ, d.backoffQ]) {
    const existing = m.get(key);
    if (existing !== undefined) {
      m.set(key, { ...existing, pod: newPod });
      return freeze(d);
    }
  }
  const parked = d.unschedulablePods.get(key);
  if (parked !== undefined) {
    const p = { ...parked, pod: newPod };
    if (!isPodUpdated(oldPod, newPod)) {
      d.unschedulablePods.set(key, p);
    } else if (isPodBackingOff(freeze(d), parked, now)) {
      d.backoffQ.set(key, p);
      d.unschedulablePods.delete(key);
    } else if (addToActiveQ(d, p, now)) {
      d.unschedulablePods.delete(key);
    }
    return freeze(d);
  }
  addToActiveQ(d, newQueuedPodInfo(d, newPod, now), now);
  return freeze(d);
}

export function deletePod(q: SchedulingQueue, pod: Pod): SchedulingQueue {
  const d = draft(q);
  const key = podNamespacedName(pod);
  d.activeQ.delete(key);
  d.backoffQ.delete(key);
  d.unschedulablePods.delete(key);
  return freeze(d);
}

export interface Popped {
  readonly queue: SchedulingQueue;
  /** attempts already incremented; unschedulablePlugins cleared for the new attempt. */
  readonly podInfo: QueuedPodInfo;
  /** The scheduling cycle this attempt runs in; hand it back to addUnschedulableIfNotPresent. */
  readonly schedulingCycle: number;
}

/** Pop: the head of activeQ, or undefined when it is empty (upstream blocks instead). */
export function pop(q: SchedulingQueue): Popped | undefined {
  let best: QueuedPodInfo | undefined;
  for (const p of q.activeQ.values()) if (best === undefined || activeQLess(p, best)) best = p;
  if (best === undefined) return undefined;
  const d = draft(q);
  d.activeQ.delete(best.key);
  d.schedulingCycle++;
  return { queue: freeze(d), podInfo: { ...best, attempts: best.attempts + 1, unschedulablePlugins: [] }, schedulingCycle: d.schedulingCycle };
}

/**
 * AddUnschedulableIfNotPresent after a failed attempt. The pod goes to podBackoffQ when a move
 * request arrived since its cycle started (the event may have fixed it) or when no plugin rejected
 * it (an error); otherwise to unschedulablePods. No-op if the pod is queued already.
 */
export function addUnschedulableIfNotPresent(
  q: SchedulingQueue,
  podInfo: QueuedPodInfo,
  podSchedulingCycle: number,
  unschedulablePlugins: Iterable<string>,
  now: number,
): SchedulingQueue {
  const key = podInfo.key;
  if (q.activeQ.has(key) || q.backoffQ.has(key) || q.unschedulablePods.has(key)) return q;
  const d = draft(q);
  const p: QueuedPodInfo = { ...podInfo, timestamp: now, unschedulablePlugins: [...new Set(unschedulablePlugins)].filter((n) => n !== '').sort() };
  if (d.moveRequestCycle >= podSchedulingCycle || p.unschedulablePlugins.length === 0) d.backoffQ.set(key, p);
  else d.unschedulablePods.set(key, p);
  return freeze(d);
}

/** MoveAllToActiveOrBackoffQueue: on a cluster event, move the parked pods it may help. */
export function moveAllToActiveOrBackoffQueue(q: SchedulingQueue, event: ClusterEvent, now: number, preCheck?: (pod: Pod) => boolean): SchedulingQueue {
  const d = draft(q);
  const candidates = [...d.unschedulablePods.values()].filter((p) => preCheck === undefined || preCheck(p.pod));
  movePods(d, candidates, event, now);
  return freeze(d);
}

/**
 * getUnschedulablePodsWithCrossTopologyTerm: pods rejected by PodTopologySpread in the same
 * namespace, or with a required affinity term matching the assigned pod.
 */
function crossTopologyPods(q: SchedulingQueue, pod: Pod, nsLabels: Labels | undefined): QueuedPodInfo[] {
  const ns = pod.metadata?.namespace ?? 'default';
  return [...q.unschedulablePods.values()].filter(
    (p) =>
      (p.unschedulablePlugins.includes(POD_TOPOLOGY_SPREAD) && (p.pod.metadata?.namespace ?? 'default') === ns) ||
      podInfoOf(p.pod).requiredAffinityTerms.some((t) => affinityTermMatches(t, pod, nsLabels)),
  );
}

/** AssignedPodAdded: a pod got bound; only pods with cross-topology interest in it move. */
export function assignedPodAdded(q: SchedulingQueue, pod: Pod, now: number, nsLabels?: Labels): SchedulingQueue {
  const d = draft(q);
  movePods(d, crossTopologyPods(q, pod, nsLabels), AssignedPodAdd, now);
  return freeze(d);
}

/** AssignedPodUpdated (no in-place resize modelled): same selection as an add. */
export function assignedPodUpdated(q: SchedulingQueue, newPod: Pod, now: number, nsLabels?: Labels): SchedulingQueue {
  const d = draft(q);
  movePods(d, crossTopologyPods(q, newPod, nsLabels), AssignedPodUpdate, now);
  return freeze(d);
}

/** flushBackoffQCompleted: pods whose backoff has expired (expiry ≤ now) move to activeQ. */
export function flushBackoffQCompleted(q: SchedulingQueue, now: number): SchedulingQueue {
  const done = [...q.backoffQ.values()].filter((p) => !isPodBackingOff(q, p, now));
  if (done.length === 0) return q;
  const d = draft(q);
  done.sort((a, b) => backoffExpiry(a, q.config) - backoffExpiry(b, q.config) || a.seq - b.seq);
  for (const p of done) {
    d.backoffQ.delete(p.key);
    addToActiveQ(d, p, now);
  }
  return freeze(d);
}

/** flushUnschedulablePodsLeftover: pods parked longer than 5 minutes move as UnschedulableTimeout. */
export function flushUnschedulablePodsLeftover(q: SchedulingQueue, now: number): SchedulingQueue {
  const stale = [...q.unschedulablePods.values()].filter((p) => now - p.timestamp > q.config.podMaxInUnschedulablePodsDurationMs);
  if (stale.length === 0) return q;
  const d = draft(q);
  movePods(d, stale, UnschedulableTimeout, now);
  return freeze(d);
}

/** Where a pod currently waits, if anywhere. */
export function queueOf(q: SchedulingQueue, pod: Pod): 'activeQ' | 'backoffQ' | 'unschedulablePods' | undefined {
  const key = podNamespacedName(pod);
  if (q.activeQ.has(key)) return 'activeQ';
  if (q.backoffQ.has(key)) return 'backoffQ';
  if (q.unschedulablePods.has(key)) return 'unschedulablePods';
  return undefined;
}

export function pendingPods(q: SchedulingQueue): QueuedPodInfo[] {
  return [...q.activeQ.values(), ...q.backoffQ.values(), ...q.unschedulablePods.values()];
}
