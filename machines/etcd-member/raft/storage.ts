import type { Entry, HardState, Snapshot } from './types.ts';

/**
 * The durable layout, one immutable value per key:
 *   hardstate               { term, vote, commit }
 *   snapshot                the latest snapshot (index, term, conf, state-machine data)
 *   wal/<index, 12 digits>  a WAL block: the log entries held for the WAL_BLOCK indexes starting at
 *                           <index> (a multiple of WAL_BLOCK, plus 1), consecutive, possibly fewer
 * A block is rewritten whole (a new array) whenever entries in it change, so a ready cycle costs one
 * disk write per block it touches rather than one per entry, and any index is found with one lookup.
 * A restart reads back only what was synced.
 */
export const HARDSTATE_KEY = 'hardstate';
export const SNAPSHOT_KEY = 'snapshot';
export const WAL_PREFIX = 'wal/';
/** Log indexes per WAL block. */
export const WAL_BLOCK = 64;

/** A WAL block's value: consecutive entries, all inside one block's index range. */
export type WalBlock = readonly Entry[];

/** The first index of the block holding `index`. */
export function walBlockStart(index: number): number {
  return Math.floor((index - 1) / WAL_BLOCK) * WAL_BLOCK + 1;
}

/** The disk key of the WAL block holding `index`. */
export function walKey(index: number): string {
  return WAL_PREFIX + String(walBlockStart(index)).padStart(12, '0');
}

/** The entry at `index` in a WAL block read from disk, if the block holds it. */
export function walEntry(block: WalBlock | undefined, index: number): Entry | undefined {
  if (block === undefined || block.length === 0) return undefined;
  const entry = block[index - block[0].index];
  return entry !== undefined && entry.index === index ? entry : undefined;
}

/** Consecutive entries (ascending index) grouped into the WAL blocks that hold them. */
export function walBlocks(entries: readonly Entry[]): Array<[key: string, block: WalBlock]> {
  const out: Array<[string, Entry[]]> = [];
  for (const entry of entries) {
    const key = walKey(entry.index);
    const last = out[out.length - 1];
    if (last && last[0] === key) last[1].push(entry);
    else out.push([key, [entry]]);
  }
  return out;
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
    const entry = walEntry(disk.get(walKey(next)) as WalBlock | undefined, next);
    if (!entry) break;
    entries.push(entry);
    next++;
  }
  return { hardState, snapshot, entries };
}
