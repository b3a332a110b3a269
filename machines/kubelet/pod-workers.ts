// Pod workers: which pods to sync and when, and the sync round. A round runs every due pod's pure sync
// (src/kubelet/sync.ts) against the kubelet's copy of the runtime, in order, collecting the CRI calls the
// syncs made, the events they recorded and the statuses they generated; the calls go to the runtime, and the
// events and statuses are posted once the runtime has answered the last of them. One round at a time.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { metaNamespaceKey, storeGet, storeList, type Delta } from '../../src/client/index.ts';
import { takeJournal, withJournal, type CriCall } from '../../src/kubelet/cri.ts';
import { kubeletEvents, podReference } from '../../src/kubelet/events.ts';
import { removePod } from '../../src/kubelet/kubelet-state.ts';
import { isMirrorPod } from '../../src/kubelet/static-pods.ts';
import { syncPod } from '../../src/kubelet/sync.ts';
import { criIdle, startRound } from './cri-client.ts';
import { recordKubeletEvent } from './event-recorder.ts';
import { notePodProbes } from './health-pinger.ts';
import type { KubeletActorState, PodWorker, RoundPod, Tx } from './state.ts';
import { flushStatuses, forgetPodStatus, setPodStatus } from './status-manager.ts';

/** HandlePodCleanups' period: how often orphaned sandboxes (pods gone while nobody watched) are looked for. */
export const HOUSEKEEPING_PERIOD_MS = 2_000;

const uidOf = (pod: Pod) => pod.metadata?.uid ?? '';

/**
 * Whether a pod update needs a sync. As the kubelet's pod config does, status-only changes (its own status
 * writes coming back through the watch) are reconciles, not updates.
 */
export function needsSync(old: Pod, pod: Pod): boolean {
  const a = old.metadata ?? {};
  const b = pod.metadata ?? {};
  return (
    a.uid !== b.uid ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(old.spec) !== JSON.stringify(pod.spec)
  );
}

function setWorker(tx: Tx, worker: PodWorker): void {
  tx.update({ workers: { ...tx.state.workers, [worker.uid]: worker } });
}

/** The pod informer's changes: new and changed pods get a sync; deleted ones are cleaned up in the next round. */
export function onPodDeltas(tx: Tx, deltas: readonly Delta<Pod>[]): void {
  for (const delta of deltas) {
    const pod = delta.object;
    // A mirror pod is the API's view of a static pod the kubelet runs from its manifest: never run it.
    if (isMirrorPod(pod)) continue;
    const uid = uidOf(pod);
    const existing = tx.state.workers[uid];
    if (delta.type === 'deleted') {
      if (existing) setWorker(tx, { ...existing, dirty: true });
      continue;
    }
    if (delta.type === 'updated' && existing && !needsSync(delta.old, pod)) continue;
    setWorker(tx, { uid, key: metaNamespaceKey(pod), dirty: true, nextSyncAt: existing?.nextSyncAt ?? null });
    notePodProbes(tx, pod);
  }
}

/** Syncs may run: the runtime's state is known and current, the runtime is free, the pod list has arrived. */
export function canSync(state: KubeletActorState): boolean {
  return canSyncStatic(state) && state.pods.hasSynced;
}

/** Static pods need no API: they run as soon as the runtime can be used. */
function canSyncStatic(state: KubeletActorState): boolean {
  return state.cri.seen && !state.cri.stale && criIdle(state.cri);
}

function livePod(state: KubeletActorState, worker: PodWorker): Pod | undefined {
  if (worker.static) return state.staticPods[worker.uid];
  const pod = storeGet(state.pods.store, worker.key);
  return pod && uidOf(pod) === worker.uid ? pod : undefined;
}

function isDue(worker: PodWorker, now: number): boolean {
  return worker.dirty || (worker.nextSyncAt !== null && worker.nextSyncAt <= now);
}

/** Pods the runtime still has that the API no longer does (HandlePodCleanups). */
function orphanedPods(state: KubeletActorState): string[] {
  const known = new Set([...storeList(state.pods.store).map(uidOf), ...Object.keys(state.staticPods)]);
  const uids = new Set(Object.values(state.core.runtime.sandboxes).map((s) => s.podUid));
  return [...uids].filter((uid) => !known.has(uid)).sort();
}

/** Runs one round if anything is due: removals first, then every due pod's sync. */
export function runPodWorkers(tx: Tx, housekeeping = false): void {
  if (!canSyncStatic(tx.state)) return;
  // Before the pod list has arrived only static pods run (and nothing is cleaned up).
  const apiKnown = tx.state.pods.hasSynced;
  if (!apiKnown) housekeeping = false;
  // A pod that left the API always has a dirty worker (the informer's delete, or its relist's tombstone).
  const candidates = Object.values(tx.state.workers).filter((w) => isDue(w, tx.now) && (apiKnown || w.static === true));
  if (candidates.length === 0 && !housekeeping) return;
  const gone = candidates.filter((w) => livePod(tx.state, w) === undefined).map((w) => w.uid);
  const due = candidates
    .filter((w) => livePod(tx.state, w) !== undefined)
    .sort((a, b) => (a.dirty === b.dirty ? 0 : a.dirty ? -1 : 1) || (a.nextSyncAt ?? 0) - (b.nextSyncAt ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const orphans = housekeeping ? orphanedPods(tx.state).filter((uid) => !gone.includes(uid)) : [];
  if (gone.length === 0 && due.length === 0 && orphans.length === 0) return;

  let core = { ...tx.state.core, runtime: withJournal(tx.state.core.runtime) };
  // A pod gone from the API: its sandboxes and containers are removed and its IP is freed.
  for (const uid of [...gone, ...orphans]) {
    core = removePod(core, uid);
    const { [uid]: _gone, ...rest } = tx.state.workers;
    tx.update({ workers: rest });
    forgetPodStatus(tx, uid);
  }
  const round: RoundPod[] = [];
  for (const worker of due) {
    const pod = livePod(tx.state, worker)!;
    const from = core.runtime.journal?.length ?? 0;
    const result = syncPod(core, pod, tx.now);
    core = result.state;
    round.push({ uid: worker.uid, from, to: core.runtime.journal?.length ?? 0, events: result.events, status: result.status });
    setWorker(tx, { ...worker, dirty: false, nextSyncAt: result.nextSyncAt });
  }
  const [calls, runtime] = takeJournal(core.runtime);
  const stats = tx.state.stats;
  tx.update({ core: { ...core, runtime }, stats: { ...stats, syncs: stats.syncs + due.length } });
  if (due.length > 0) tx.observe('obs.kubelet.syncRound', { pods: due.map((w) => w.key), calls: calls.length });
  if (calls.length === 0) {
    commitRound(tx, round);
    return;
  }
  startRound(tx, calls, round);
}

/** Posts what (the finished part of) a round produced: events, then statuses and final deletes. */
export function commitRound(tx: Tx, round: readonly RoundPod[]): void {
  for (const synced of round) for (const event of synced.events) recordKubeletEvent(tx, event);
  for (const synced of round) {
    const worker = tx.state.workers[synced.uid];
    const pod = worker && livePod(tx.state, worker);
    if (!pod) continue;
    const terminated = tx.state.core.pods[synced.uid]?.terminal === true && pod.metadata?.deletionTimestamp !== undefined;
    setPodStatus(tx, pod, synced.status, terminated);
  }
  flushStatuses(tx);
}

/**
 * A pod whose sync stopped at the round's call `index` (failed, or unanswered): the events it recorded
 * before making that call stand, as upstream's would have been recorded by then (Pulled before
 * CreateContainer, Created once it returned, …); those after it never happened.
 */
export function postEventsBefore(tx: Tx, synced: RoundPod, index: number): void {
  if (!tx.state.workers[synced.uid]) return;
  for (const event of synced.events) if (event.afterCalls === undefined || event.afterCalls <= index) recordKubeletEvent(tx, event);
}

/**
 * A pod whose sync stopped at a failed CRI call: the events recorded before it, the event upstream records
 * for the failure (FailedCreatePodSandBox, or Failed "Error: …" for a container) and the waiting reason the
 * next status shows (CreateContainerError, RunContainerError).
 */
export function failRoundPod(tx: Tx, synced: RoundPod, call: CriCall, error: string, index: number): void {
  const worker = tx.state.workers[synced.uid];
  const pod = worker && livePod(tx.state, worker);
  if (!pod) return;
  postEventsBefore(tx, synced, index);
  if (call.method === 'RunPodSandbox') {
    recordKubeletEvent(tx, { type: 'Warning', reason: 'FailedCreatePodSandBox', message: `Failed to create pod sandbox: ${error}`, involvedObject: podReference(pod), at: tx.now });
    return;
  }
  const container = call.method === 'CreateContainer'
    ? call.request.container.name
    : call.method === 'StartContainer' ? tx.state.core.runtime.containers[call.containerId]?.name : undefined;
  if (container === undefined) return;
  recordKubeletEvent(tx, kubeletEvents.failed(pod, container, error, tx.now));
  const ps = tx.state.core.pods[synced.uid];
  if (!ps) return;
  const reason = call.method === 'CreateContainer' ? 'CreateContainerError' : 'RunContainerError';
  const pods = { ...tx.state.core.pods, [synced.uid]: { ...ps, reasons: { ...ps.reasons, [container]: { reason, message: error } } } };
  tx.update({ core: { ...tx.state.core, pods } });
}

/** The earliest pod sync due (only meaningful while syncs may run). */
export function workersDeadline(state: KubeletActorState, now: number): number {
  if (!canSyncStatic(state)) return Infinity;
  const apiKnown = state.pods.hasSynced;
  let at = Infinity;
  for (const w of Object.values(state.workers)) {
    if (!apiKnown && !w.static) continue;
    if (w.dirty) return now;
    if (w.nextSyncAt !== null) at = Math.min(at, w.nextSyncAt);
  }
  return at;
}
