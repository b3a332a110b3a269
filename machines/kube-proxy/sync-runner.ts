// kube-proxy's BoundedFrequencyRunner (pkg/util/async) as data: a sync asked for runs at once if the
// token bucket (burst 2, one token per minSyncPeriod) allows, else as soon as it does; and a periodic
// sync every syncPeriod whatever happens (IPVS's maxInterval; for iptables the canary monitor's period).

export const BURST_SYNCS = 2;
/** Refills are fractions of minSyncPeriod: a token due "now" may come out as 0.9999999999 in floating point. */
const TOKEN_EPSILON = 1e-9;

export interface SyncRunner {
  readonly tokens: number;
  readonly refilledAt: number;
  /** A sync was asked for and has not run yet. */
  readonly pending: boolean;
  readonly nextPeriodicAt: number;
}

export function newSyncRunner(now: number, syncPeriodMs: number): SyncRunner {
  return { tokens: BURST_SYNCS, refilledAt: now, pending: false, nextPeriodicAt: now + syncPeriodMs };
}

function refill(r: SyncRunner, now: number, minIntervalMs: number): SyncRunner {
  if (minIntervalMs <= 0) return { ...r, tokens: BURST_SYNCS, refilledAt: now };
  const tokens = Math.min(BURST_SYNCS, r.tokens + (now - r.refilledAt) / minIntervalMs);
  return { ...r, tokens, refilledAt: now };
}

export function requestSync(r: SyncRunner): SyncRunner {
  return r.pending ? r : { ...r, pending: true };
}

/** When the pending sync may run (undefined: none pending). */
export function pendingDueAt(r: SyncRunner, minIntervalMs: number): number | undefined {
  if (!r.pending) return undefined;
  if (minIntervalMs <= 0 || r.tokens >= 1 - TOKEN_EPSILON) return r.refilledAt;
  return r.refilledAt + (1 - r.tokens) * minIntervalMs;
}

/** Whether a sync runs now (the pending one if allowed, or the periodic one); the runner after it. */
export function takeSync(r: SyncRunner, now: number, minIntervalMs: number, syncPeriodMs: number): { run: boolean; runner: SyncRunner } {
  const filled = refill(r, now, minIntervalMs);
  const periodic = now >= filled.nextPeriodicAt;
  const allowed = filled.pending && filled.tokens >= 1 - TOKEN_EPSILON;
  if (!allowed && !periodic) return { run: false, runner: filled };
  return {
    run: true,
    runner: { tokens: Math.max(0, filled.tokens - 1), refilledAt: now, pending: false, nextPeriodicAt: now + syncPeriodMs },
  };
}

export function runnerDeadline(r: SyncRunner, minIntervalMs: number): number {
  const due = pendingDueAt(r, minIntervalMs);
  return due === undefined ? r.nextPeriodicAt : Math.min(due, r.nextPeriodicAt);
}
