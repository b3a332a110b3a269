// The Job controller's state: pod create/delete expectations, the pods whose tracking finalizer it is
// removing (so a stale cache never counts a pod twice), the failure back-off per Job, and what the
// answers of the sync in flight changed (failed creates and deletes lower the active count).
import { newWorkQueue, type RateLimiterConfig } from '../../../src/client/index.ts';
import type { ControllerBase } from '../controller-module.ts';
import type { Expectations } from '../expectations.ts';
import type { BackoffRecord } from './backoff.ts';

export interface SyncResults {
  readonly failedCreates: number;
  readonly failedDeletes: number;
}

export interface JobControllerState extends ControllerBase {
  readonly expectations: Expectations;
  /** Job key → uids of pods whose finalizer removal is not yet observed. */
  readonly finalizerExpectations: Readonly<Record<string, readonly string[]>>;
  readonly backoff: Readonly<Record<string, BackoffRecord>>;
  readonly results: Readonly<Record<string, SyncResults>>;
}

export function newJobControllerState(rateLimiter: RateLimiterConfig): JobControllerState {
  return { queue: newWorkQueue(rateLimiter), jobs: {}, expectations: {}, finalizerExpectations: {}, backoff: {}, results: {} };
}

export function finalizerRemovalObserved(state: JobControllerState, jobKey: string, uid: string): JobControllerState {
  const expected = state.finalizerExpectations[jobKey];
  if (!expected?.includes(uid)) return state;
  return { ...state, finalizerExpectations: { ...state.finalizerExpectations, [jobKey]: expected.filter((u) => u !== uid) } };
}

export function bumpResult(state: JobControllerState, jobKey: string, field: keyof SyncResults): JobControllerState {
  const r = state.results[jobKey] ?? { failedCreates: 0, failedDeletes: 0 };
  return { ...state, results: { ...state.results, [jobKey]: { ...r, [field]: r[field] + 1 } } };
}
