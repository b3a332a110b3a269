// The container runtime (containerd behind the CRI) as a pure state model. Everything here is the node's
// durable state — plain JSON — so a restarted kubelet finds its sandboxes, containers, images and pulls.
//
// Operations only schedule what the processes will do; `advance(state, now)` is the one place where time
// passes: image pulls complete and processes exit (by themselves, OOM-killed, or after SIGTERM/SIGKILL).
// It is idempotent and composes: advance(t1) then advance(t2) ≡ advance(t2) for t1 ≤ t2.
import { createHash } from 'node:crypto';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityValue } from '../api/quantity.ts';
import type { ContainerBehavior } from './workload.ts';
import { initialImageCache, normalizeImage, resolvePull } from './registry.ts';
import type { CachedImage, ImageCache, RegistryConfig } from './registry.ts';
import type { CriCall } from './cri.ts';

/** 128 + SIGKILL: the exit code of a process killed after its grace period, or by the OOM killer. */
export const SIGKILL_EXIT_CODE = 137;

export type ExitReason = 'Completed' | 'Error' | 'OOMKilled';

export interface ScheduledExit {
  readonly at: number;
  readonly exitCode: number;
  readonly reason: ExitReason;
}

export interface ContainerRecord {
  /** 64 hex digits; the API shows "containerd://<id>". */
  readonly id: string;
  readonly seq: number;
  readonly sandboxId: string;
  readonly podUid: string;
  readonly name: string;
  /** Restart count of this instance (CRI ContainerMetadata.attempt). */
  readonly attempt: number;
  /** The image as written in the spec, and as the runtime normalized and stored it. */
  readonly specImage: string;
  readonly image: string;
  readonly imageId: string;
  readonly state: 'created' | 'running' | 'exited';
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly exitCode: number | null;
  readonly reason: ExitReason | null;
  /** What the process will do next, if nothing else happens first. */
  readonly scheduledExit: ScheduledExit | null;
  /** When SIGTERM was sent (stopContainer), if it was. */
  readonly stopRequestedAt: number | null;
  readonly behavior: ContainerBehavior;
  readonly memoryLimitBytes: number | null;
}

export interface SandboxRecord {
  readonly id: string;
  readonly seq: number;
  readonly podUid: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly attempt: number;
  readonly ip: string | null;
  readonly state: 'ready' | 'notready';
  readonly createdAt: number;
}

export interface PullRecord {
  readonly id: string;
  readonly seq: number;
  /** Normalized reference. */
  readonly image: string;
  readonly startedAt: number;
  readonly doneAt: number;
  readonly done: boolean;
  readonly result: { readonly ok: true; readonly image: CachedImage } | { readonly ok: false; readonly error: string };
}

export interface RuntimeState {
  readonly node: string;
  /** The latest time the runtime has been advanced to. */
  readonly now: number;
  readonly seq: number;
  /** kubelet serializeImagePulls (default true): one pull at a time, queued in request order. */
  readonly serializePulls: boolean;
  readonly pullQueueFreeAt: number;
  readonly images: ImageCache;
  readonly pulls: Readonly<Record<string, PullRecord>>;
  readonly sandboxes: Readonly<Record<string, SandboxRecord>>;
  readonly containers: Readonly<Record<string, ContainerRecord>>;
  /**
   * When present, every operation appends the CRI call it stands for: the kubelet runs its pure pod sync
   * against its copy of the runtime with a journal, then sends the journal to the runtime actor (cri.ts).
   */
  readonly journal?: readonly CriCall[];
}

/** Record `call` in the state's journal, if it keeps one. */
function journal(state: RuntimeState, call: CriCall): RuntimeState {
  return state.journal === undefined ? state : { ...state, journal: [...state.journal, call] };
}

export type RuntimeEvent =
  | { readonly type: 'ImagePulled'; readonly at: number; readonly pullId: string; readonly image: string; readonly pullMs: number }
  | { readonly type: 'ImagePullFailed'; readonly at: number; readonly pullId: string; readonly image: string; readonly error: string }
  | {
      readonly type: 'ContainerExited';
      readonly at: number;
      readonly containerId: string;
      readonly podUid: string;
      readonly name: string;
      readonly exitCode: number;
      readonly reason: ExitReason;
    };

export interface Advanced {
  readonly state: RuntimeState;
  readonly events: readonly RuntimeEvent[];
}

export function newRuntime(node: string, registry: RegistryConfig = {}, options: { serializePulls?: boolean } = {}): RuntimeState {
  return {
    node,
    now: 0,
    seq: 0,
    serializePulls: options.serializePulls ?? true,
    pullQueueFreeAt: 0,
    images: initialImageCache(registry),
    pulls: {},
    sandboxes: {},
    containers: {},
  };
}

// Deterministic ids: a hash of (node, sequence number), shaped like containerd's 64-hex ids.
function nextId(state: RuntimeState, kind: string): [id: string, seq: number] {
  const seq = state.seq + 1;
  return [createHash('sha256').update(`${state.node}/${kind}/${seq}`).digest('hex'), seq];
}

/** CRI PullImage. Joins a pull of the same image already under way; otherwise queues a new one. */
export function pullImage(state: RuntimeState, image: string, registry: RegistryConfig, now: number): { state: RuntimeState; pullId: string } {
  const normalized = normalizeImage(image).normalized;
  const ongoing = Object.values(state.pulls).find((p) => p.image === normalized && !p.done);
  if (ongoing) return { state: journal(state, { method: 'PullImage', image, pullId: ongoing.id, joined: true }), pullId: ongoing.id };
  const [id, seq] = nextId(state, 'pull');
  const outcome = resolvePull(registry, image);
  const startedAt = state.serializePulls ? Math.max(now, state.pullQueueFreeAt) : now;
  const doneAt = startedAt + outcome.pullMs;
  const result = outcome.ok ? { ok: true as const, image: outcome.image } : { ok: false as const, error: outcome.error };
  const pull: PullRecord = { id, seq, image: normalized, startedAt, doneAt, done: false, result };
  return {
    pullId: id,
    state: journal(
      { ...state, seq, pullQueueFreeAt: state.serializePulls ? doneAt : state.pullQueueFreeAt, pulls: { ...state.pulls, [id]: pull } },
      { method: 'PullImage', image, pullId: id, joined: false },
    ),
  };
}

/** Drop a finished pull record once its outcome has been consumed. */
export function forgetPull(state: RuntimeState, pullId: string): RuntimeState {
  const { [pullId]: _gone, ...pulls } = state.pulls;
  return journal({ ...state, pulls }, { method: 'ReleasePull', pullId });
}

/** CRI RunPodSandbox, with the IP the CNI plugin assigned (null for hostNetwork pods). */
export function runPodSandbox(state: RuntimeState, pod: Pod, ip: string | null, now: number): { state: RuntimeState; sandboxId: string } {
  const uid = pod.metadata?.uid ?? '';
  const attempt = Object.values(state.sandboxes).filter((s) => s.podUid === uid).length;
  const [id, seq] = nextId(state, 'sandbox');
  const sandbox: SandboxRecord = {
    id,
    seq,
    podUid: uid,
    podName: pod.metadata?.name ?? '',
    podNamespace: pod.metadata?.namespace ?? 'default',
    attempt,
    ip,
    state: 'ready',
    createdAt: now,
  };
  const call: CriCall = { method: 'RunPodSandbox', pod: { uid, name: sandbox.podName, namespace: sandbox.podNamespace }, hostNetwork: ip === null, sandboxId: id };
  return { sandboxId: id, state: journal({ ...state, seq, sandboxes: { ...state.sandboxes, [id]: sandbox } }, call) };
}

function updateContainer(state: RuntimeState, c: ContainerRecord): RuntimeState {
  return { ...state, containers: { ...state.containers, [c.id]: c } };
}

function exitNow(c: ContainerRecord, at: number, exitCode: number, reason: ExitReason): ContainerRecord {
  return { ...c, state: 'exited', finishedAt: at, exitCode, reason, scheduledExit: null };
}

/** CRI StopPodSandbox: the network goes away and any process still in it is killed (advance to `now` first). */
export function stopPodSandbox(state: RuntimeState, sandboxId: string, now: number): RuntimeState {
  const sandbox = state.sandboxes[sandboxId];
  if (!sandbox) return journal(state, { method: 'StopPodSandbox', sandboxId });
  let next: RuntimeState = { ...journal(state, { method: 'StopPodSandbox', sandboxId }), sandboxes: { ...state.sandboxes, [sandboxId]: { ...sandbox, state: 'notready' } } };
  for (const c of Object.values(state.containers)) {
    if (c.sandboxId !== sandboxId || c.state === 'exited') continue;
    next = updateContainer(next, c.state === 'running' ? exitNow(c, now, SIGKILL_EXIT_CODE, 'Error') : exitNow(c, now, 0, 'Completed'));
  }
  return next;
}

/** CRI RemovePodSandbox: the sandbox and every container in it are deleted. */
export function removePodSandbox(state: RuntimeState, sandboxId: string): RuntimeState {
  const { [sandboxId]: _gone, ...sandboxes } = state.sandboxes;
  const containers = Object.fromEntries(Object.entries(state.containers).filter(([, c]) => c.sandboxId !== sandboxId));
  return journal({ ...state, sandboxes, containers }, { method: 'RemovePodSandbox', sandboxId });
}

export interface CreateContainerRequest {
  readonly sandboxId: string;
  readonly container: Pick<Container, 'name' | 'image' | 'resources'>;
  readonly attempt: number;
  readonly behavior: ContainerBehavior;
}

function memoryLimit(container: Pick<Container, 'resources'>): number | null {
  const raw = container.resources?.limits?.memory;
  return raw === undefined ? null : Number(quantityValue(parseQuantity(String(raw))));
}

/** CRI CreateContainer. The image must already be on the node. */
export function createContainer(state: RuntimeState, req: CreateContainerRequest, now: number): { state: RuntimeState; containerId: string } {
  const sandbox = state.sandboxes[req.sandboxId];
  if (!sandbox || sandbox.state !== 'ready') throw new Error(`sandbox ${req.sandboxId} is not ready`);
  const specImage = req.container.image ?? '';
  const image = normalizeImage(specImage).normalized;
  const stored = state.images[image];
  if (!stored) throw new Error(`image ${JSON.stringify(image)} is not present on node ${state.node}`);
  const [id, seq] = nextId(state, 'container');
  const record: ContainerRecord = {
    id,
    seq,
    sandboxId: req.sandboxId,
    podUid: sandbox.podUid,
    name: req.container.name,
    attempt: req.attempt,
    specImage,
    image,
    imageId: stored.repoDigest,
    state: 'created',
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    exitCode: null,
    reason: null,
    scheduledExit: null,
    stopRequestedAt: null,
    behavior: req.behavior,
    memoryLimitBytes: memoryLimit(req.container),
  };
  const { name, image: specImageField, resources } = req.container;
  const call: CriCall = { method: 'CreateContainer', request: { ...req, container: { name, image: specImageField, ...(resources ? { resources } : {}) } }, containerId: id };
  return { containerId: id, state: journal(updateContainer({ ...state, seq }, record), call) };
}

function earlier(a: ScheduledExit | null, b: ScheduledExit | null): ScheduledExit | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.at < a.at ? b : a;
}

/** CRI StartContainer: the process starts now; its own exit (or OOM kill) is scheduled from the workload. */
export function startContainer(state: RuntimeState, containerId: string, now: number): RuntimeState {
  const c = state.containers[containerId];
  if (!c || c.state !== 'created') throw new Error(`container ${containerId} cannot be started`);
  const b = c.behavior;
  const natural: ScheduledExit | null =
    b.exitAfterMs === null ? null : { at: now + b.exitAfterMs, exitCode: b.exitCode, reason: b.exitCode === 0 ? 'Completed' : 'Error' };
  // The working set is reached when the process is up; over the cgroup limit the kernel kills it.
  const oom: ScheduledExit | null =
    b.memoryUsageBytes !== null && c.memoryLimitBytes !== null && b.memoryUsageBytes > c.memoryLimitBytes
      ? { at: now + b.startDelayMs, exitCode: SIGKILL_EXIT_CODE, reason: 'OOMKilled' }
      : null;
  return journal(updateContainer(state, { ...c, state: 'running', startedAt: now, scheduledExit: earlier(natural, oom) }), { method: 'StartContainer', containerId });
}

/**
 * CRI StopContainer: SIGTERM now; the process exits after its shutdown delay with its SIGTERM exit code, or
 * is SIGKILLed (137) when the grace period runs out first. A second stop can only shorten the wait.
 */
export function stopContainer(state: RuntimeState, containerId: string, gracePeriodMs: number, now: number): RuntimeState {
  const c = state.containers[containerId];
  const call: CriCall = { method: 'StopContainer', containerId, timeoutMs: gracePeriodMs };
  if (!c || c.state === 'exited') return journal(state, call);
  if (c.state === 'created') return journal(updateContainer(state, exitNow(c, now, 0, 'Completed')), call);
  const shutdown = c.behavior.shutdownDelayMs;
  const onTerm: ScheduledExit =
    shutdown !== null && shutdown < gracePeriodMs
      ? { at: now + shutdown, exitCode: c.behavior.termExitCode, reason: c.behavior.termExitCode === 0 ? 'Completed' : 'Error' }
      : { at: now + gracePeriodMs, exitCode: SIGKILL_EXIT_CODE, reason: 'Error' };
  return journal(updateContainer(state, { ...c, stopRequestedAt: c.stopRequestedAt ?? now, scheduledExit: earlier(c.scheduledExit, onTerm) }), call);
}

/** CRI RemoveContainer (garbage collection of exited containers). */
export function removeContainer(state: RuntimeState, containerId: string): RuntimeState {
  const { [containerId]: _gone, ...containers } = state.containers;
  return journal({ ...state, containers }, { method: 'RemoveContainer', containerId });
}

type Happening = { at: number; seq: number; apply: (s: RuntimeState) => Advanced };

/** Let time pass until `now`: complete due pulls and process exits, in time order. */
export function advance(state: RuntimeState, now: number): Advanced {
  const due: Happening[] = [];
  for (const p of Object.values(state.pulls)) {
    if (p.done || p.doneAt > now) continue;
    due.push({
      at: p.doneAt,
      seq: p.seq,
      apply: (s) => {
        const pulls = { ...s.pulls, [p.id]: { ...p, done: true } };
        if (!p.result.ok) return { state: { ...s, pulls }, events: [{ type: 'ImagePullFailed', at: p.doneAt, pullId: p.id, image: p.image, error: p.result.error }] };
        const images = { ...s.images, [p.image]: p.result.image };
        return { state: { ...s, pulls, images }, events: [{ type: 'ImagePulled', at: p.doneAt, pullId: p.id, image: p.image, pullMs: p.doneAt - p.startedAt }] };
      },
    });
  }
  for (const c of Object.values(state.containers)) {
    const exit = c.scheduledExit;
    if (c.state !== 'running' || exit === null || exit.at > now) continue;
    due.push({
      at: exit.at,
      seq: c.seq,
      apply: (s) => ({
        state: updateContainer(s, exitNow(c, exit.at, exit.exitCode, exit.reason)),
        events: [{ type: 'ContainerExited', at: exit.at, containerId: c.id, podUid: c.podUid, name: c.name, exitCode: exit.exitCode, reason: exit.reason }],
      }),
    });
  }
  due.sort((a, b) => a.at - b.at || a.seq - b.seq);
  let current: RuntimeState = state;
  const events: RuntimeEvent[] = [];
  for (const h of due) {
    const step = h.apply(current);
    current = step.state;
    events.push(...step.events);
  }
  return { state: now > current.now ? { ...current, now } : current, events };
}

/** The next time `advance` would have something to do (null: nothing scheduled). */
export function nextRuntimeDeadline(state: RuntimeState): number | null {
  const times = [
    ...Object.values(state.pulls).filter((p) => !p.done).map((p) => p.doneAt),
    ...Object.values(state.containers).flatMap((c) => (c.state === 'running' && c.scheduledExit ? [c.scheduledExit.at] : [])),
  ];
  return times.length === 0 ? null : Math.min(...times);
}

/** The pod's containers, newest instance first (as the kubelet sorts runtime statuses). */
export function podContainers(state: RuntimeState, podUid: string): ContainerRecord[] {
  return Object.values(state.containers)
    .filter((c) => c.podUid === podUid)
    .sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
}

/** The latest instance of container `name` of the pod. */
export function latestContainer(state: RuntimeState, podUid: string, name: string): ContainerRecord | undefined {
  return podContainers(state, podUid).find((c) => c.name === name);
}

/** The pod's newest sandbox. */
export function podSandbox(state: RuntimeState, podUid: string): SandboxRecord | undefined {
  return Object.values(state.sandboxes)
    .filter((s) => s.podUid === podUid)
    .sort((a, b) => b.seq - a.seq)[0];
}
