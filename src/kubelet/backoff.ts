// k8s.io/client-go/util/flowcontrol.Backoff as plain data, and the kubelet's two uses of it:
// CrashLoopBackOff (kuberuntime doBackOff) and image pull back-off (images.EnsureImageExists).
//
// Upstream semantics kept exactly (v1.30, no jitter: the kubelet builds both with NewBackOff):
// - Next(key, t): first call or expired entry → initial (10 s); otherwise min(2 × previous, max (300 s)).
// - An entry expires when more than 2 × max (10 min) separates its lastUpdate from the event time — the
//   "container ran 10 minutes without problems" reset.
// - CrashLoopBackOff checks IsInBackOffSince(key, finishedAt): "now − finishedAt < current back-off".
//   Because the entry only exists after the first Next, the *first* restart is immediate; the delays that
//   follow are 10 s, 20 s, 40 s, 80 s, 160 s, 300 s, 300 s… (what `back-off 10s restarting …` reports).
import { goDuration } from './format.ts';

/** kubelet backOffPeriod: the initial back-off for crash loops and image pulls. */
export const INITIAL_BACKOFF_MS = 10_000;
/** kubelet MaxContainerBackOff (and MaxImageBackOff): the cap. */
export const MAX_BACKOFF_MS = 300_000;

export interface BackoffEntry {
  readonly backoffMs: number;
  readonly lastUpdate: number;
}

/** Back-off table: plain JSON, keyed like upstream (see crashLoopKey / imagePullKey). */
export interface BackoffState {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly entries: Readonly<Record<string, BackoffEntry>>;
}

export function newBackoff(initialMs = INITIAL_BACKOFF_MS, maxMs = MAX_BACKOFF_MS): BackoffState {
  return { initialMs, maxMs, entries: {} };
}

function hasExpired(state: BackoffState, eventTime: number, lastUpdate: number): boolean {
  return eventTime - lastUpdate > state.maxMs * 2;
}

/** Backoff.Next: record a failure at eventTime and grow the delay. */
export function backoffNext(state: BackoffState, key: string, eventTime: number): BackoffState {
  const entry = state.entries[key];
  const backoffMs =
    entry === undefined || hasExpired(state, eventTime, entry.lastUpdate)
      ? state.initialMs
      : Math.min(entry.backoffMs * 2, state.maxMs);
  return { ...state, entries: { ...state.entries, [key]: { backoffMs, lastUpdate: eventTime } } };
}

/** Backoff.Get: the current delay (0 when there is no entry). */
export function backoffGet(state: BackoffState, key: string): number {
  return state.entries[key]?.backoffMs ?? 0;
}

/** Backoff.IsInBackOffSince: is `now` still within the delay that started at eventTime? */
export function isInBackOffSince(state: BackoffState, key: string, eventTime: number, now: number): boolean {
  const entry = state.entries[key];
  if (entry === undefined || hasExpired(state, eventTime, entry.lastUpdate)) return false;
  return now - eventTime < entry.backoffMs;
}

/** Backoff.IsInBackOffSinceUpdate: is `now` within the delay that started at the last Next? */
export function isInBackOffSinceUpdate(state: BackoffState, key: string, now: number): boolean {
  const entry = state.entries[key];
  if (entry === undefined || hasExpired(state, now, entry.lastUpdate)) return false;
  return now - entry.lastUpdate < entry.backoffMs;
}

/** Backoff.GC: forget entries idle for more than 2 × max. */
export function backoffGC(state: BackoffState, now: number): BackoffState {
  const entries = Object.fromEntries(Object.entries(state.entries).filter(([, e]) => !hasExpired(state, now, e.lastUpdate)));
  return { ...state, entries };
}

export interface PodRef {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

/** format.Pod: "web-7d4b8c6f5-x2p9k_default(3f0c…)". */
export function formatPod(pod: PodRef): string {
  return `${pod.name}_${pod.namespace}(${pod.uid})`;
}

/** getStableKey: pod name, namespace, uid and container name (the container hash is left out: no spec edits). */
export function crashLoopKey(pod: PodRef, containerName: string): string {
  return `${pod.name}_${pod.namespace}_${pod.uid}_${containerName}`;
}

/** The image pull back-off key: "<pod uid>_<image>". */
export function imagePullKey(podUid: string, image: string): string {
  return `${podUid}_${image}`;
}

export type CrashLoopDecision =
  | { readonly inBackOff: false; readonly backoff: BackoffState }
  | {
      readonly inBackOff: true;
      readonly backoff: BackoffState;
      /** Container status waiting message: "back-off 20s restarting failed container=app pod=web_default(uid)". */
      readonly message: string;
      /** When the back-off ends and a restart may happen. */
      readonly retryAt: number;
    };

/**
 * kuberuntime doBackOff for a container whose latest instance exited at finishedAt. Not in back-off → the
 * caller restarts now and the entry has been advanced (Next). In back-off → CrashLoopBackOff with the
 * kubelet's message; the `BackOff` event text is built by events.ts.
 */
export function checkCrashLoop(
  state: BackoffState,
  pod: PodRef,
  containerName: string,
  finishedAt: number,
  now: number,
): CrashLoopDecision {
  const key = crashLoopKey(pod, containerName);
  if (isInBackOffSince(state, key, finishedAt, now)) {
    const delay = backoffGet(state, key);
    return {
      inBackOff: true,
      backoff: state,
      message: `back-off ${goDuration(delay)} restarting failed container=${containerName} pod=${formatPod(pod)}`,
      retryAt: finishedAt + delay,
    };
  }
  return { inBackOff: false, backoff: backoffNext(state, key, finishedAt) };
}
