// The DaemonSet controller's state: create/delete expectations per DaemonSet, and the back-off for
// deleting failed daemon pods per (DaemonSet, node) — flowcontrol.Backoff, 1 s doubling to 15 min.
import { newWorkQueue, type RateLimiterConfig } from '../../../src/client/index.ts';
import type { ControllerBase } from '../controller-module.ts';
import type { Expectations } from '../expectations.ts';

export const FAILED_POD_BACKOFF_MS = 1_000;
export const MAX_FAILED_POD_BACKOFF_MS = 900_000;

export interface BackoffEntry {
  readonly delayMs: number;
  readonly lastUpdate: number;
}

export interface DaemonSetControllerState extends ControllerBase {
  readonly expectations: Expectations;
  readonly failedPodsBackoff: Readonly<Record<string, BackoffEntry>>;
}

export function newDaemonSetControllerState(rateLimiter: RateLimiterConfig): DaemonSetControllerState {
  return { queue: newWorkQueue(rateLimiter), jobs: {}, expectations: {}, failedPodsBackoff: {} };
}

const expired = (e: BackoffEntry, now: number) => now - e.lastUpdate > 2 * MAX_FAILED_POD_BACKOFF_MS;

/** IsInBackOffSinceUpdate. */
export function inBackoff(state: DaemonSetControllerState, key: string, now: number): boolean {
  const e = state.failedPodsBackoff[key];
  return e !== undefined && !expired(e, now) && now - e.lastUpdate < e.delayMs;
}

/** Next: start at 1 s, or double (up to 15 min). */
export function backoffNext(state: DaemonSetControllerState, key: string, now: number): DaemonSetControllerState {
  const e = state.failedPodsBackoff[key];
  const delayMs = !e || expired(e, now) ? FAILED_POD_BACKOFF_MS : Math.min(e.delayMs * 2, MAX_FAILED_POD_BACKOFF_MS);
  return { ...state, failedPodsBackoff: { ...state.failedPodsBackoff, [key]: { delayMs, lastUpdate: now } } };
}
