// Probes whose answers come over the bus: a container annotated `kubesim.io/probe-address: <address>` (or
// `kubesim.io/<container>.probe-address`) stands for an actor of the model — the static pod kube-scheduler
// for `scheduler-0`, a kube-proxy pod for `<node>/kube-proxy`. Its liveness, readiness and startup checks
// succeed while that actor's host answers `health.probe` and time out while it is crashed (a crashed process
// is silent; src/host/contract.ts).
//
// The kubelet machine pings every such address once a second (PING_INTERVAL_MS) and records when answers
// arrived (machines/kubelet/health-pinger.ts); the pure prober (probes.ts) then decides a check at time `at`
// with timeout T from that record: Success if an answer arrived in (at − T − interval, at], Failure (a
// timeout) if pings have gone unanswered for T, and no result yet otherwise (the first ping is in flight).
// So a crash is seen as a failed check about T after it, as a probe against a hung process times out.
import type { Pod } from 'kubernetes-types/core/v1.js';

/** How often the kubelet pings each probed address. */
export const PING_INTERVAL_MS = 1_000;
/** Answers older than this are forgotten (longer than any probe's timeout plus period we model). */
export const ANSWER_MEMORY_MS = 120_000;

/** What the kubelet knows of one probed address. */
export interface BusHealth {
  /** When the first ping was sent (null: not pinged yet). */
  readonly since: number | null;
  /** When answers arrived, oldest first (pruned to ANSWER_MEMORY_MS). */
  readonly answers: readonly number[];
}

export const NO_HEALTH: BusHealth = { since: null, answers: [] };

/** The address a container's probes go to, with $(NODE_NAME) substituted; undefined: a workload probe. */
export function probeAddressOf(raw: string | undefined, nodeName: string): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.trim().split('$(NODE_NAME)').join(nodeName);
}

/** The probe addresses a pod's containers declare (pod-wide or per container), node name substituted. */
export function podProbeAddresses(pod: Pod, nodeName: string): string[] {
  const annotations = pod.metadata?.annotations ?? {};
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  const raw = [annotations['kubesim.io/probe-address'], ...names.map((n) => annotations[`kubesim.io/${n}.probe-address`])];
  return [...new Set(raw.map((r) => probeAddressOf(r, nodeName)).filter((a): a is string => a !== undefined))].sort();
}

/** A ping went out at `now`. */
export function pinged(health: BusHealth, now: number): BusHealth {
  return health.since === null ? { ...health, since: now } : health;
}

/** An answer arrived at `now`. */
export function answered(health: BusHealth, now: number): BusHealth {
  const answers = [...health.answers.filter((t) => t > now - ANSWER_MEMORY_MS), now];
  return { since: health.since ?? now, answers };
}

/** The outcome of a check at `at` with timeout `timeoutMs`: ok, timeout, or null (no outcome yet). */
export function busCheck(health: BusHealth, at: number, timeoutMs: number): 'ok' | 'timeout' | null {
  const from = at - timeoutMs - PING_INTERVAL_MS;
  if (health.answers.some((t) => t > from && t <= at)) return 'ok';
  if (health.since !== null && health.since <= at - timeoutMs) return 'timeout';
  return null;
}
