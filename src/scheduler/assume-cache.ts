// Assumed pods (the scheduler cache's assumedPods/podStates): once a node is chosen the pod is
// counted on it at once, before the bind reaches the API server, so the next cycle cannot hand
// the same room to another pod. Forgotten when binding fails; confirmed (dropped from here, the
// informer copy then counts) when the informer sees the pod bound; expired only if a TTL is set,
// binding has finished and the informer never confirmed it.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podKey } from './pod-info.ts';

/**
 * scheduler.go durationToExpireAssumedPod: 0 since v1.23 (kubernetes#106361: expiring assumed
 * pods during slow binds let nodes be overcommitted), meaning never expire.
 */
export const UPSTREAM_ASSUMED_POD_TTL_MS = 0;

export interface AssumedPodState {
  /** The pod with spec.nodeName set to the chosen node. */
  readonly pod: Pod;
  readonly bindingFinished: boolean;
  /** Set by finishBinding when a TTL is configured. */
  readonly deadline?: number;
}

export interface AssumeCache {
  /** 0 = never expire (upstream). */
  readonly ttlMs: number;
  readonly assumed: ReadonlyMap<string, AssumedPodState>;
}

export type AssumeResult = { readonly ok: true; readonly cache: AssumeCache } | { readonly ok: false; readonly cache: AssumeCache; readonly error: string };

export function createAssumeCache(ttlMs: number = UPSTREAM_ASSUMED_POD_TTL_MS): AssumeCache {
  return { ttlMs, assumed: new Map() };
}

function describe(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

function withEntries(cache: AssumeCache, f: (m: Map<string, AssumedPodState>) => void): AssumeCache {
  const m = new Map(cache.assumed);
  f(m);
  return { ...cache, assumed: m };
}

/** AssumePod: the pod now counts on `nodeName`. Refused if it is already assumed. */
export function assumePod(cache: AssumeCache, pod: Pod, nodeName: string): AssumeResult {
  const key = podKey(pod);
  if (cache.assumed.has(key)) return { ok: false, cache, error: `pod ${key}(${describe(pod)}) is in the cache, so can't be assumed` };
  const assumedPod: Pod = { ...pod, spec: { containers: [], ...pod.spec, nodeName } };
  return { ok: true, cache: withEntries(cache, (m) => m.set(key, { pod: assumedPod, bindingFinished: false })) };
}

/** FinishBinding: the bind call returned; from now on the TTL (if any) runs. */
export function finishBinding(cache: AssumeCache, pod: Pod, now: number): AssumeCache {
  const key = podKey(pod);
  const state = cache.assumed.get(key);
  if (state === undefined) return cache;
  const next: AssumedPodState = cache.ttlMs === 0 ? { pod: state.pod, bindingFinished: true } : { pod: state.pod, bindingFinished: true, deadline: now + cache.ttlMs };
  return withEntries(cache, (m) => m.set(key, next));
}

/** ForgetPod: binding failed, give the room back. Only an assumed pod, on the same node, can be forgotten. */
export function forgetPod(cache: AssumeCache, pod: Pod): AssumeResult {
  const key = podKey(pod);
  const state = cache.assumed.get(key);
  if (state === undefined) return { ok: false, cache, error: `pod ${key}(${describe(pod)}) wasn't assumed so cannot be forgotten` };
  const nodeName = pod.spec?.nodeName;
  if (nodeName && state.pod.spec?.nodeName !== nodeName) {
    return { ok: false, cache, error: `pod ${key}(${describe(pod)}) was assumed on ${nodeName} but assigned to ${state.pod.spec?.nodeName}` };
  }
  return { ok: true, cache: withEntries(cache, (m) => m.delete(key)) };
}

/**
 * The informer saw the pod bound (Cache.AddPod): it stops being assumed, and the informer's copy
 * (possibly on another node) is what counts from now on.
 */
export function confirmPod(cache: AssumeCache, boundPod: Pod): AssumeCache {
  const key = podKey(boundPod);
  if (!cache.assumed.has(key)) return cache;
  return withEntries(cache, (m) => m.delete(key));
}

/** The pod was deleted (Cache.RemovePod): drop it whatever its state. */
export function removePod(cache: AssumeCache, pod: Pod): AssumeCache {
  return confirmPod(cache, pod);
}

/** cleanupAssumedPods: drop pods whose binding finished and whose deadline passed (never with TTL 0). */
export function cleanupExpiredAssumedPods(cache: AssumeCache, now: number): { cache: AssumeCache; expired: Pod[] } {
  if (cache.ttlMs === 0) return { cache, expired: [] };
  const expired = [...cache.assumed.entries()].filter(([, s]) => s.bindingFinished && s.deadline !== undefined && now > s.deadline);
  if (expired.length === 0) return { cache, expired: [] };
  return {
    cache: withEntries(cache, (m) => expired.forEach(([k]) => m.delete(k))),
    expired: expired.map(([, s]) => s.pod),
  };
}

export function isAssumed(cache: AssumeCache, pod: Pod): boolean {
  return cache.assumed.has(podKey(pod));
}

/** What buildSnapshot takes as `assumedPods`. */
export function assumedPods(cache: AssumeCache): Pod[] {
  return [...cache.assumed.values()].map((s) => s.pod);
}
