// One pod worker sync (kubelet SyncPod / SyncTerminatingPod, kuberuntime computePodActions) as a pure
// function of the kubelet's state, the pod and the virtual time. The caller (the kubelet machine) calls it
// when the pod changes and again at `nextSyncAt`; it returns the events to post and the status to report.
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { checkCrashLoop, imagePullKey } from './backoff.ts';
import { kubeletEvents, podRefOf } from './events.ts';
import type { KubeletEvent } from './events.ts';
import { allocateIP } from './ipam.ts';
import {
  DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  MINIMUM_GRACE_PERIOD_MS,
  PLEG_RELIST_PERIOD_MS,
  POD_RESYNC_INTERVAL_MS,
  POD_SYNC_ERROR_RETRY_MS,
  newPodState,
} from './kubelet-state.ts';
import type { KubeletPodState, KubeletState } from './kubelet-state.ts';
import { generatePodStatus, isRestartableInit, shouldContainerBeRestarted, terminatePodStatus } from './pod-status.ts';
import { doProbe, probeKillMessage, probeSpec, probeView, triggerProbe } from './probes.ts';
import type { ContainerProbeView, ProbeTarget, ProbeWorker } from './probes.ts';
import { NO_HEALTH, probeAddressOf } from './bus-probes.ts';
import { advance, latestContainer, podContainers, podSandbox, removeContainer, runPodSandbox, stopContainer, stopPodSandbox } from './runtime.ts';
import type { RuntimeEvent, RuntimeState } from './runtime.ts';
import { record, startPodContainer } from './start-container.ts';
import type { StartContext } from './start-container.ts';

export interface SyncResult {
  readonly state: KubeletState;
  /** Events to post, in order. */
  readonly events: readonly KubeletEvent[];
  /** What the runtime did since the last advance (for traces). */
  readonly runtimeEvents: readonly RuntimeEvent[];
  readonly status: PodStatus;
  /** When this pod needs another sync (null: terminal, nothing more will happen). */
  readonly nextSyncAt: number | null;
}

interface Ctx extends StartContext {
  kubelet: KubeletState;
  ps: KubeletPodState;
  crashBackoff: KubeletState['crashBackoff'];
  restartOnExit: string[];
  wakeups: number[];
  runtimeEvents: RuntimeEvent[];
}

const uidOf = (pod: Pod) => pod.metadata?.uid ?? '';
const allContainers = (pod: Pod): Container[] => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];

function gracePeriodMs(pod: Pod, override?: number): number {
  const seconds = override ?? pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  return Math.max(seconds * 1000, MINIMUM_GRACE_PERIOD_MS);
}

function views(ctx: Ctx): Record<string, ContainerProbeView> {
  return Object.fromEntries(allContainers(ctx.pod).map((c) => [c.name, probeView(ctx.ps.probes, c.name, latestContainer(ctx.runtime, uidOf(ctx.pod), c.name))]));
}

function podIP(ctx: Ctx): string {
  return podSandbox(ctx.runtime, uidOf(ctx.pod))?.ip ?? ctx.kubelet.hostIP;
}

// Every probe tick due by now, in time order, each against the runtime as it is now.
function runProbes(ctx: Ctx): void {
  const specs = new Map(allContainers(ctx.pod).map((c) => [c.name, c]));
  let workers = [...ctx.ps.probes];
  for (;;) {
    const due = workers.map((w, i) => [w, i] as const).filter(([w]) => !w.stopped && w.nextAt <= ctx.now).sort((a, b) => a[0].nextAt - b[0].nextAt || a[1] - b[1])[0];
    if (due === undefined) break;
    const [worker, index] = due;
    const step = doProbe(worker, target(ctx, specs.get(worker.container)!, workers), worker.nextAt);
    workers[index] = step.worker;
    record(ctx, ...step.events);
  }
  ctx.ps = { ...ctx.ps, probes: workers };
}

function target(ctx: Ctx, container: Container, workers: readonly ProbeWorker[]): ProbeTarget {
  const record = latestContainer(ctx.runtime, uidOf(ctx.pod), container.name);
  const address = probeAddressOf(record?.behavior.probeAddress, ctx.kubelet.nodeName);
  return {
    pod: ctx.pod, container, record, started: probeView(workers, container.name, record).started, podIP: podIP(ctx),
    ...(address !== undefined ? { bus: ctx.kubelet.busHealth?.[address] ?? NO_HEALTH } : {}),
  };
}

// The readiness worker's manual trigger: a status is being generated for a started container that is not ready.
function triggerReadiness(ctx: Ctx): void {
  const specs = new Map(allContainers(ctx.pod).map((c) => [c.name, c]));
  const workers = ctx.ps.probes.map((w) => {
    if (w.kind !== 'readiness' || w.stopped || w.lastRunAt === ctx.now) return w;
    const t = target(ctx, specs.get(w.container)!, ctx.ps.probes);
    if (!t.record || t.record.state !== 'running' || !t.started || probeView(ctx.ps.probes, w.container, t.record).ready) return w;
    const step = triggerProbe(w, t, ctx.now);
    record(ctx, ...step.events);
    return step.worker;
  });
  ctx.ps = { ...ctx.ps, probes: workers };
}

function ensureSandbox(ctx: Ctx): string | null {
  const uid = uidOf(ctx.pod);
  const sandbox = podSandbox(ctx.runtime, uid);
  if (sandbox?.state === 'ready') return sandbox.id;
  let ip: string | null = null;
  if (!ctx.pod.spec?.hostNetwork) {
    const allocated = allocateIP(ctx.kubelet.ipam, uid);
    if (!allocated.ok) {
      record(ctx, kubeletEvents.failedCreatePodSandbox(ctx.pod, `${ctx.kubelet.nodeName}/${uid}`, allocated.error, ctx.now));
      ctx.wakeups.push(ctx.now + POD_SYNC_ERROR_RETRY_MS);
      return null;
    }
    ctx.kubelet = { ...ctx.kubelet, ipam: allocated.state };
    ip = allocated.ip;
  }
  const created = runPodSandbox(ctx.runtime, ctx.pod, ip, ctx.now);
  ctx.runtime = created.state;
  return created.sandboxId;
}

// doBackOff for an exited container: CrashLoopBackOff, or a restart now.
function restartWithBackOff(ctx: Ctx, container: Container, sandboxId: string, finishedAt: number): void {
  const decision = checkCrashLoop(ctx.crashBackoff, podRefOf(ctx.pod), container.name, finishedAt, ctx.now);
  if (decision.inBackOff) {
    ctx.reasons = { ...ctx.reasons, [container.name]: { reason: 'CrashLoopBackOff', message: decision.message } };
    record(ctx, kubeletEvents.backOff(ctx.pod, container.name, ctx.now));
    ctx.wakeups.push(decision.retryAt);
    return;
  }
  ctx.crashBackoff = decision.backoff;
  startInto(ctx, container, sandboxId);
}

function startInto(ctx: Ctx, container: Container, sandboxId: string): void {
  const sc: StartContext = { ...ctx, sandboxId };
  startPodContainer(sc, container);
  ctx.runtime = sc.runtime;
  ctx.pullBackoff = sc.pullBackoff;
  ctx.reasons = sc.reasons;
  ctx.pulls = sc.pulls;
}

// Start, keep or restart one container; returns whether initialization may proceed past it (init containers).
function syncContainer(ctx: Ctx, container: Container, sandboxId: string): 'done' | 'waiting' {
  const uid = uidOf(ctx.pod);
  const latest = latestContainer(ctx.runtime, uid, container.name);
  if (latest?.state === 'running') {
    const message = probeKillMessage(ctx.ps.probes, ctx.pod, latest);
    if (message !== null && latest.stopRequestedAt === null) killForProbe(ctx, container, latest.id, message);
    return isRestartableInit(container) && !probeView(ctx.ps.probes, container.name, latest).started ? 'waiting' : 'done';
  }
  const isInit = (ctx.pod.spec?.initContainers ?? []).includes(container);
  if (isInit && !isRestartableInit(container) && latest?.state === 'exited' && latest.exitCode === 0) return 'done';
  if (!shouldContainerBeRestarted(ctx.pod, container, latest)) return 'done';
  if (latest?.state === 'exited') {
    if (ctx.restartOnExit.includes(latest.id)) {
      ctx.restartOnExit = ctx.restartOnExit.filter((id) => id !== latest.id);
      startInto(ctx, container, sandboxId);
    } else {
      restartWithBackOff(ctx, container, sandboxId, latest.finishedAt ?? ctx.now);
    }
  } else {
    startInto(ctx, container, sandboxId);
  }
  return 'waiting';
}

// A failed liveness/startup probe: kill now; the restart's back-off is decided against the previous exited
// instance, as SyncPod does right after its (synchronous) kill.
function killForProbe(ctx: Ctx, container: Container, containerId: string, message: string): void {
  const probe = probeSpec(container, 'liveness') ?? probeSpec(container, 'startup');
  record(ctx, kubeletEvents.killing(ctx.pod, container.name, ctx.now, message));
  ctx.runtime = stopContainer(ctx.runtime, containerId, gracePeriodMs(ctx.pod, probe?.terminationGracePeriodSeconds ?? ctx.pod.spec?.terminationGracePeriodSeconds), ctx.now);
  if (ctx.pod.spec?.restartPolicy === 'Never') return;
  const previous = podContainers(ctx.runtime, uidOf(ctx.pod)).find((c) => c.name === container.name && c.state === 'exited');
  if (previous === undefined) {
    ctx.restartOnExit = [...ctx.restartOnExit, containerId];
    return;
  }
  const decision = checkCrashLoop(ctx.crashBackoff, podRefOf(ctx.pod), container.name, previous.finishedAt ?? ctx.now, ctx.now);
  if (decision.inBackOff) {
    ctx.reasons = { ...ctx.reasons, [container.name]: { reason: 'CrashLoopBackOff', message: decision.message } };
    record(ctx, kubeletEvents.backOff(ctx.pod, container.name, ctx.now));
    return;
  }
  ctx.crashBackoff = decision.backoff;
  ctx.restartOnExit = [...ctx.restartOnExit, containerId];
}

function syncRunningPod(ctx: Ctx): void {
  const sandboxId = ensureSandbox(ctx);
  if (sandboxId === null) return;
  const uid = uidOf(ctx.pod);
  // Once a regular container has run, a restarting sidecar no longer holds the others back.
  const regularStarted = (ctx.pod.spec?.containers ?? []).some((c) => latestContainer(ctx.runtime, uid, c.name) !== undefined);
  for (const init of ctx.pod.spec?.initContainers ?? []) {
    const latest = latestContainer(ctx.runtime, uid, init.name);
    const failedForGood = !isRestartableInit(init) && latest?.state === 'exited' && latest.exitCode !== 0 && ctx.pod.spec?.restartPolicy === 'Never';
    if (failedForGood) return;
    if (syncContainer(ctx, init, sandboxId) === 'waiting' && !(isRestartableInit(init) && regularStarted)) return;
  }
  for (const container of ctx.pod.spec?.containers ?? []) syncContainer(ctx, container, sandboxId);
  // Kills whose exit is immediate complete now, and a decided restart follows at once.
  applyRuntime(ctx);
  for (const container of ctx.pod.spec?.containers ?? []) {
    const latest = latestContainer(ctx.runtime, uid, container.name);
    if (latest?.state === 'exited' && ctx.restartOnExit.includes(latest.id)) syncContainer(ctx, container, sandboxId);
  }
}

/** Stop everything that still runs (deletion or terminal phase); true once all containers have exited. */
function stopAll(ctx: Ctx): boolean {
  for (const c of podContainers(ctx.runtime, uidOf(ctx.pod))) {
    if (c.state === 'exited' || c.stopRequestedAt !== null) continue;
    if (c.state === 'running') record(ctx, kubeletEvents.killing(ctx.pod, c.name, ctx.now));
    ctx.runtime = stopContainer(ctx.runtime, c.id, gracePeriodMs(ctx.pod), ctx.now);
  }
  ctx.pulls = {};
  applyRuntime(ctx);
  const remaining = podContainers(ctx.runtime, uidOf(ctx.pod)).filter((c) => c.state !== 'exited');
  if (remaining.length > 0) return false;
  const sandbox = podSandbox(ctx.runtime, uidOf(ctx.pod));
  if (sandbox?.state === 'ready') ctx.runtime = stopPodSandbox(ctx.runtime, sandbox.id, ctx.now);
  return true;
}

function applyRuntime(ctx: Ctx): void {
  const advanced = advance(ctx.runtime, ctx.now);
  ctx.runtime = advanced.state;
  ctx.runtimeEvents.push(...advanced.events);
}

// Keep the two newest instances of each container (the current one and the one lastState shows).
function gcContainers(runtime: RuntimeState, uid: string): RuntimeState {
  const seen = new Map<string, number>();
  let out = runtime;
  for (const c of podContainers(runtime, uid)) {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    if (n > 2 && c.state === 'exited') out = removeContainer(out, c.id);
  }
  return out;
}

function status(ctx: Ctx, podIsTerminal: boolean, previous: PodStatus | undefined): PodStatus {
  const uid = uidOf(ctx.pod);
  return generatePodStatus({
    pod: { ...ctx.pod, status: previous },
    containers: podContainers(ctx.runtime, uid),
    sandbox: podSandbox(ctx.runtime, uid),
    reasons: ctx.reasons,
    probes: views(ctx),
    hostIP: ctx.kubelet.hostIP,
    startTime: ctx.ps.startTime,
    podIsTerminal,
    now: ctx.now,
  });
}

/** The PLEG relist tick at or after `at`: when the kubelet notices a container change it did not make. */
function relistTick(at: number): number {
  return Math.ceil(at / PLEG_RELIST_PERIOD_MS) * PLEG_RELIST_PERIOD_MS;
}

function nextWakeup(ctx: Ctx, terminal: boolean, changed: boolean): number | null {
  if (terminal) return null;
  const uid = uidOf(ctx.pod);
  // Something this sync did (a start, a kill, a new waiting reason) shows in the status of the next one.
  const times = changed ? [ctx.now + PLEG_RELIST_PERIOD_MS] : [...ctx.wakeups];
  for (const c of podContainers(ctx.runtime, uid)) if (c.state === 'running' && c.scheduledExit) times.push(relistTick(c.scheduledExit.at));
  // The pod worker waits on its pulls: it goes on the moment one completes.
  for (const p of Object.values(ctx.pulls)) {
    const pull = ctx.runtime.pulls[p.pullId];
    if (pull && !pull.done) times.push(pull.doneAt);
  }
  // Probe workers keep ticking on hold: a tick is how they notice the restarted container.
  for (const w of ctx.ps.probes) if (!w.stopped) times.push(w.nextAt);
  for (const [name, r] of Object.entries(ctx.reasons)) {
    if (r.reason !== 'ImagePullBackOff' && r.reason !== 'ErrImagePull') continue;
    const image = allContainers(ctx.pod).find((c) => c.name === name)?.image ?? '';
    const entry = ctx.pullBackoff.entries[imagePullKey(uid, image)];
    if (entry) times.push(entry.lastUpdate + entry.backoffMs);
  }
  times.push(ctx.now + (Object.keys(ctx.reasons).length > 0 ? POD_SYNC_ERROR_RETRY_MS : POD_RESYNC_INTERVAL_MS));
  return Math.min(...times.filter((t) => t > ctx.now));
}

// What the runtime and reason cache look like, to tell whether a sync changed anything.
function fingerprint(ctx: Ctx): string {
  const containers = podContainers(ctx.runtime, uidOf(ctx.pod)).map((c) => `${c.id}:${c.state}:${c.stopRequestedAt}`);
  const sandbox = podSandbox(ctx.runtime, uidOf(ctx.pod));
  return JSON.stringify([containers, sandbox?.id, sandbox?.state, ctx.reasons]);
}

/**
 * One sync of `pod` (as the kubelet's informer has it, status included) at virtual time `now`. As upstream,
 * the status is generated from what the sync found, before it acts: a container started now shows as
 * running in the next sync's status (scheduled one PLEG relist later).
 */
export function syncPod(kubelet: KubeletState, pod: Pod, now: number): SyncResult {
  const uid = uidOf(pod);
  const ps = kubelet.pods[uid] ?? newPodState(pod, now);
  const ctx: Ctx = {
    kubelet,
    ps,
    pod,
    sandboxId: '',
    registry: kubelet.registry,
    now,
    runtime: kubelet.runtime,
    pullBackoff: kubelet.pullBackoff,
    crashBackoff: kubelet.crashBackoff,
    reasons: { ...ps.reasons },
    pulls: { ...ps.pulls },
    events: [],
    restartOnExit: [...ps.restartOnExit],
    wakeups: [],
    runtimeEvents: [],
    pullsInUse: new Set(Object.entries(kubelet.pods).flatMap(([u, p]) => (u === uid ? [] : Object.values(p.pulls).map((x) => x.pullId)))),
  };
  applyRuntime(ctx);
  runProbes(ctx);
  triggerReadiness(ctx);

  // The status manager's cached status is the basis; the API's terminal phase always wins.
  const apiTerminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  const previous = apiTerminal ? pod.status : (ps.status ?? pod.status);
  const before = fingerprint(ctx);
  let terminal = ps.terminal;
  let result = status(ctx, terminal, previous);
  if (!terminal && (pod.metadata?.deletionTimestamp || result.phase === 'Succeeded' || result.phase === 'Failed')) {
    // SyncTerminatingPod: stop what still runs; once everything has exited the pod is terminal, its sandbox
    // is stopped and the final status is generated from the stopped pod.
    terminal = stopAll(ctx);
    if (terminal) result = terminatePodStatus(status(ctx, true, previous));
  } else if (!terminal) {
    syncRunningPod(ctx);
  }
  ctx.runtime = gcContainers(ctx.runtime, uid);
  const changed = fingerprint(ctx) !== before;

  const nextPs: KubeletPodState = { ...ctx.ps, reasons: ctx.reasons, pulls: ctx.pulls, restartOnExit: ctx.restartOnExit, terminal, status: result };
  const state: KubeletState = {
    ...ctx.kubelet,
    runtime: ctx.runtime,
    pullBackoff: ctx.pullBackoff,
    crashBackoff: ctx.crashBackoff,
    pods: { ...kubelet.pods, [uid]: nextPs },
  };
  return { state, events: ctx.events, runtimeEvents: ctx.runtimeEvents, status: result, nextSyncAt: nextWakeup(ctx, terminal, changed) };
}
