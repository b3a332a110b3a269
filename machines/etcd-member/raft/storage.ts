import type { Entry, HardState, Snapshot } from './types.ts';

/**
 * The durable layout, one immutable value per key:
 *   hardstate           { term, vote, commit }
 *   snapshot            the latest snapshot (index, term, conf, state-machine data)
 *   wal/<index, 12 digits>  one log entry each, for indexes after the snapshot
 * A restart reads back only what was synced.
 */
export const HARDSTATE_KEY = 'hardstate';
export const SNAPSHOT_KEY = 'snapshot';
export const WAL_PREFIX = 'wal/';

export function walKey(index: number): string {
  return WAL_PREFIX + String(index).padStart(12, '0');
}

export interface RecoveredState {
  hardState: HardState | undefined;
  snapshot: Snapshot | undefined;
  /** Contiguous entries right after the snapshot. */
  entries: Entry[];
}

/** Reads a member's disk back after a restart. */
export function recover(disk: ReadonlyMap<string, unknown>): RecoveredState {
  const hardState = disk.get(HARDSTATE_KEY) as HardState | undefined;
  const snapshot = disk.get(SNAPSHOT_KEY) as Snapshot | undefined;
  const entries: Entry[] = [];
  let next = (snapshot?.index ?? 0) + 1;
  for (;;) {
    const entry = disk.get(walKey(next)) as Entry | undefined;
    if (!entry) break;
    entries.push(entry);
    next++;
  }
  return { hardState, snapshot, entries };
}
