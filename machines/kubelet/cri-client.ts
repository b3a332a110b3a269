// The kubelet's CRI client and runtime cache. The pod workers' pure sync (src/kubelet/sync.ts) runs against
// the kubelet's copy of the runtime's state and records the CRI calls it makes (a journal); the calls then go
// to the runtime one at a time, in order, as upstream's synchronous gRPC calls do, and every answer carries
// the runtime's state after the call, which becomes the kubelet's copy once the round's last call is answered.
// The PLEG relists every second: changes it sees mark their pods for a sync.
import type { CriCall, CriRequestMessage, CriResponseMessage, CriResult, RuntimeSnapshot } from '../../src/kubelet/cri.ts';
import type { KubeletPodState, KubeletState } from '../../src/kubelet/kubelet-state.ts';
import { PLEG_RELIST_PERIOD_MS } from '../../src/kubelet/kubelet-state.ts';
import type { CriClient, PodWorker, RoundPod, Tx } from './state.ts';

/** After this long without an answer from the runtime, the node reports "container runtime is down". */
export const RUNTIME_DOWN_THRESHOLD_MS = 30_000;

function setCri(tx: Tx, patch: Partial<CriClient>): void {
  tx.update({ cri: { ...tx.state.cri, ...patch } });
}

/** Rewrites the ids a call names with those the runtime actually returned earlier in the round. */
function mapIds(call: CriCall, idMap: Readonly<Record<string, string>>): CriCall {
  const id = (x: string) => idMap[x] ?? x;
  switch (call.method) {
    case 'PullImage':
    case 'ReleasePull':
      return { ...call, pullId: id(call.pullId) };
    case 'StopPodSandbox':
    case 'RemovePodSandbox':
      return { ...call, sandboxId: id(call.sandboxId) };
    case 'CreateContainer':
      return { ...call, request: { ...call.request, sandboxId: id(call.request.sandboxId) } };
    case 'StartContainer':
    case 'StopContainer':
    case 'RemoveContainer':
    case 'ContainerStatus':
      return { ...call, containerId: id(call.containerId) };
    default:
      return call;
  }
}

/** The id the kubelet's cache predicted for what a call creates, and the one the runtime returned. */
function createdIds(call: CriCall, result: CriResult | undefined): [predicted: string, actual: string] | undefined {
  const r = (result ?? {}) as { pullId?: string; sandboxId?: string; containerId?: string };
  if (call.method === 'PullImage' && r.pullId) return [call.pullId, r.pullId];
  if (call.method === 'RunPodSandbox' && r.sandboxId) return [call.sandboxId, r.sandboxId];
  if (call.method === 'CreateContainer' && r.containerId) return [call.containerId, r.containerId];
  return undefined;
}

function sendCall(tx: Tx, call: CriCall, partOfRound: boolean): void {
  const requestId = tx.nextId('cri');
  const message: CriRequestMessage = { type: 'cri.request', requestId, call };
  tx.send(tx.state.config.runtime, { ...message });
  const stats = tx.state.stats;
  tx.update({ stats: { ...stats, criCalls: stats.criCalls + 1 } });
  setCri(tx, { inFlight: { requestId, call, deadline: tx.now + tx.state.config.criTimeoutMs, partOfRound } });
}

/** Nothing in flight and nothing queued: a sync round or a relist may start. */
export function criIdle(cri: CriClient): boolean {
  return cri.inFlight === undefined && cri.outbox.length === 0;
}

/** Queues a round's calls and sends the first. */
export function startRound(tx: Tx, calls: readonly CriCall[], round: readonly RoundPod[]): void {
  setCri(tx, { outbox: calls.slice(1), idMap: {}, round, answered: 0 });
  sendCall(tx, calls[0], true);
}

/** The PLEG's relist, when it is due and the runtime is not busy with a round. */
export function relistIfDue(tx: Tx): void {
  const cri = tx.state.cri;
  if (!criIdle(cri) || tx.now < cri.nextRelistAt) return;
  setCri(tx, { nextRelistAt: tx.now + PLEG_RELIST_PERIOD_MS });
  sendCall(tx, { method: 'Relist' }, false);
}

/** Points the pod workers' memory at the ids the runtime really used, and drops what no longer exists. */
export function reconcilePodStates(core: KubeletState, idMap: Readonly<Record<string, string>>): KubeletState {
  const id = (x: string) => idMap[x] ?? x;
  const { runtime } = core;
  const remapped = Object.keys(idMap).length > 0;
  let pods: Record<string, KubeletPodState> | undefined;
  for (const [uid, ps] of Object.entries(core.pods)) {
    const stale = remapped || Object.values(ps.pulls).some((p) => runtime.pulls[p.pullId] === undefined) || ps.restartOnExit.some((c) => runtime.containers[c] === undefined);
    if (!stale) continue;
    // A pull the runtime does not know (lost with a call that failed) is simply asked for again.
    const pulls = Object.fromEntries(
      Object.entries(ps.pulls).map(([name, p]) => [name, { ...p, pullId: id(p.pullId) }] as const).filter(([, p]) => runtime.pulls[p.pullId] !== undefined),
    );
    const restartOnExit = ps.restartOnExit.map(id).filter((c) => runtime.containers[c] !== undefined);
    const probes = ps.probes.map((w) => (w.containerId !== null && idMap[w.containerId] ? { ...w, containerId: idMap[w.containerId] } : w));
    pods = { ...(pods ?? core.pods), [uid]: { ...ps, pulls, restartOnExit, probes } };
  }
  return pods === undefined ? core : { ...core, pods };
}

/** The runtime's state becomes the kubelet's copy. */
function adopt(tx: Tx, snapshot: RuntimeSnapshot): void {
  const idMap = tx.state.cri.idMap;
  const core = { ...tx.state.core, runtime: snapshot.runtime, ipam: snapshot.ipam };
  tx.update({ core: reconcilePodStates(core, idMap) });
  setCri(tx, { idMap: {} });
}

/** Pods whose round failed are synced again a relist period later (not at once: no hot loop on a sick runtime). */
function retrySoon(tx: Tx, uids: Iterable<string>): void {
  let workers = tx.state.workers;
  const at = tx.now + PLEG_RELIST_PERIOD_MS;
  for (const uid of uids) {
    const w = workers[uid];
    if (w) workers = { ...workers, [uid]: { ...w, nextSyncAt: w.nextSyncAt === null ? at : Math.min(w.nextSyncAt, at) } satisfies PodWorker };
  }
  tx.update({ workers });
}

function markDirty(tx: Tx, uids: Iterable<string>): void {
  let workers = tx.state.workers;
  for (const uid of uids) {
    const w = workers[uid];
    if (w && !w.dirty) workers = { ...workers, [uid]: { ...w, dirty: true } satisfies PodWorker };
  }
  if (workers !== tx.state.workers) tx.update({ workers });
}

/** PLEG: compares every container's state with the previous relist; pods with changes get synced. */
function plegRelist(tx: Tx, snapshot: RuntimeSnapshot): void {
  const before = tx.state.cri.relisted;
  const now: Record<string, string> = {};
  const changed = new Set<string>();
  for (const c of Object.values(snapshot.runtime.containers)) {
    const entry = `${c.podUid}|${c.state}`;
    now[c.id] = entry;
    if (before[c.id] !== entry) changed.add(c.podUid);
  }
  for (const [id, entry] of Object.entries(before)) if (now[id] === undefined) changed.add(entry.slice(0, entry.indexOf('|')));
  setCri(tx, { relisted: now });
  markDirty(tx, changed);
}

/**
 * An answer from the runtime. `commit` posts what the finished part of a round produced (events, statuses);
 * `fail` records why a pod's sync could not complete (`index`: the failed call's place in the round).
 */
export function onCriResponse(tx: Tx, message: CriResponseMessage, commit: (tx: Tx, pods: readonly RoundPod[]) => void, fail: (tx: Tx, pod: RoundPod, call: CriCall, error: string, index: number) => void): void {
  const cri = tx.state.cri;
  // An answer to a call this incarnation gave up on (or never made): its snapshot may be older than ours.
  if (cri.inFlight?.requestId !== message.requestId) return;
  const { call, partOfRound } = cri.inFlight;
  setCri(tx, { inFlight: undefined, seen: true, lastOkAt: tx.now });
  if (!partOfRound) {
    const stats = tx.state.stats;
    tx.update({ stats: { ...stats, relists: stats.relists + 1 } });
    adopt(tx, message.snapshot);
    setCri(tx, { stale: false });
    plegRelist(tx, message.snapshot);
    return;
  }
  if (!message.ok) {
    const stats = tx.state.stats;
    tx.update({ stats: { ...stats, criErrors: stats.criErrors + 1 } });
    tx.observe('obs.kubelet.criError', { method: call.method, error: message.error ?? '' });
    adopt(tx, message.snapshot);
    // Syncs before the failing call are complete; the failing one and those after it never finished:
    // their events and statuses are dropped and they are synced again, from the runtime's real state.
    const index = cri.answered;
    const done = cri.round.filter((p) => p.to <= index);
    const failing = cri.round.find((p) => p.from <= index && index < p.to);
    const undone = cri.round.filter((p) => p.to > index);
    setCri(tx, { outbox: [], round: [], answered: 0 });
    commit(tx, done);
    if (failing) fail(tx, failing, call, message.error ?? '', index);
    retrySoon(tx, undone.map((p) => p.uid));
    return;
  }
  const ids = createdIds(call, message.result);
  if (ids && ids[0] !== ids[1]) setCri(tx, { idMap: { ...tx.state.cri.idMap, [ids[0]]: ids[1] } });
  setCri(tx, { answered: tx.state.cri.answered + 1 });
  const next = tx.state.cri.outbox[0];
  if (next !== undefined) {
    setCri(tx, { outbox: tx.state.cri.outbox.slice(1) });
    sendCall(tx, mapIds(next, tx.state.cri.idMap), true);
    return;
  }
  adopt(tx, message.snapshot);
  const round = tx.state.cri.round;
  setCri(tx, { round: [], answered: 0 });
  commit(tx, round);
}

/** A call unanswered in time: the runtime is unreachable. Syncs stop until a relist succeeds. */
export function onCriTimeout(tx: Tx, commit: (tx: Tx, pods: readonly RoundPod[]) => void, partial: (tx: Tx, pod: RoundPod, index: number) => void): void {
  const cri = tx.state.cri;
  if (cri.inFlight === undefined || tx.now < cri.inFlight.deadline) return;
  const { call, partOfRound } = cri.inFlight;
  tx.observe('obs.kubelet.criTimeout', { method: call.method });
  setCri(tx, { inFlight: undefined, outbox: [], stale: true, nextRelistAt: Math.min(cri.nextRelistAt, tx.now), round: [], answered: 0 });
  if (partOfRound) {
    // Whether the runtime applied the call is unknown: what was answered is posted, the rest synced again.
    commit(tx, cri.round.filter((p) => p.to <= cri.answered));
    const interrupted = cri.round.find((p) => p.from <= cri.answered && cri.answered < p.to);
    if (interrupted) partial(tx, interrupted, cri.answered);
    retrySoon(tx, cri.round.filter((p) => p.to > cri.answered).map((p) => p.uid));
  }
}

/** "container runtime is down" once the runtime has not answered for a while (or never did). */
export function runtimeDownMessage(cri: CriClient, now: number): string | undefined {
  if (cri.lastOkAt === null || now - cri.lastOkAt > RUNTIME_DOWN_THRESHOLD_MS) return 'container runtime is down';
  return undefined;
}

/** When the CRI client next needs a timer: a call's deadline, or the next relist. */
export function criDeadline(cri: CriClient): number {
  return cri.inFlight !== undefined ? cri.inFlight.deadline : cri.outbox.length > 0 ? Infinity : cri.nextRelistAt;
}
