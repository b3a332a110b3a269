// The garbage collector's state: live reads of items being decided (first pass), and the owners known
// to be gone (absentOwnerCache), so they are not asked for again.
import { newWorkQueue, type KubeObject, type RateLimiterConfig } from '../../../src/client/index.ts';
import type { ControllerBase } from '../controller-module.ts';

export interface Observation {
  /** The item as read live; null if it is gone; undefined until read. */
  readonly item?: KubeObject | null;
  /** By owner uid: alive, gone (or another object of that name), waiting for its dependents, or of an unknown kind. */
  readonly owners: Readonly<Record<string, 'solid' | 'dangling' | 'waiting' | 'unknown'>>;
}

export interface GarbageCollectorState extends ControllerBase {
  readonly observations: Readonly<Record<string, Observation>>;
  readonly absent: Readonly<Record<string, true>>;
  /** Insertion order of `absent`, bounded like upstream's LRU (500). */
  readonly absentOrder: readonly string[];
}

export const ABSENT_OWNER_CACHE_SIZE = 500;
export const deleteKey = (uid: string) => `delete/${uid}`;
export const orphanKey = (uid: string) => `orphan/${uid}`;

export function newGarbageCollectorState(rateLimiter: RateLimiterConfig): GarbageCollectorState {
  return { queue: newWorkQueue(rateLimiter), jobs: {}, observations: {}, absent: {}, absentOrder: [] };
}

export function rememberAbsent(state: GarbageCollectorState, uid: string): GarbageCollectorState {
  if (state.absent[uid]) return state;
  const absent = { ...state.absent, [uid]: true as const };
  let absentOrder = [...state.absentOrder, uid];
  if (absentOrder.length > ABSENT_OWNER_CACHE_SIZE) {
    delete absent[absentOrder[0]];
    absentOrder = absentOrder.slice(1);
  }
  return { ...state, absent, absentOrder };
}
