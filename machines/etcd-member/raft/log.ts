import type { Entry, Snapshot } from './types.ts';

/**
 * The in-memory Raft log: a snapshot boundary (index/term of the last compacted entry) followed by the
 * entries after it. It is a mutable array for speed (the bench appends 10⁵ entries a second); the entries
 * themselves are immutable and shared with disk and messages.
 */
export class RaftLog {
  /** Index and term of the last entry folded into the snapshot (0/0 when none). */
  snapshotIndex = 0;
  snapshotTerm = 0;
  /** entries[i] has index snapshotIndex + 1 + i. */
  private entries: Entry[] = [];
  /** Bumped whenever entries already in the log are replaced or dropped (not on appends or compaction). */
  rewrites = 0;

  get firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  get lastTerm(): number {
    return this.entries.length === 0 ? this.snapshotTerm : this.entries[this.entries.length - 1].term;
  }

  /** Term of the entry at `index`; undefined if it was compacted away or is past the end. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex || index > this.lastIndex) return undefined;
    return this.entries[index - this.snapshotIndex - 1].term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.snapshotIndex || index > this.lastIndex) return undefined;
    return this.entries[index - this.snapshotIndex - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: a candidate's log is at least as up-to-date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }

  /** Leader side: adds a new entry at the end. */
  push(entry: Entry): void {
    this.entries.push(entry);
  }

  /**
   * Follower side: entries that follow a matched (prevIndex, prevTerm). Skips entries already present,
   * truncates at the first conflicting one and appends the rest. Returns the index from which the log
   * changed (entries from there must be written to disk) or undefined when nothing changed, and the old
   * last index (so stale disk entries past the new end can be deleted).
   */
  appendAfterMatch(entries: readonly Entry[], truncateConflicts = true): { changedFrom: number | undefined; oldLast: number } {
    const oldLast = this.lastIndex;
    const conflict = this.findConflict(entries);
    if (conflict === undefined) return { changedFrom: undefined, oldLast };
    const first = entries[0].index;
    if (conflict <= this.lastIndex) {
      if (conflict <= this.snapshotIndex) throw new Error(`conflict at ${conflict} is inside the snapshot (${this.snapshotIndex})`);
      this.rewrites++;
      if (truncateConflicts) {
        this.entries.length = conflict - this.snapshotIndex - 1;
      } else {
        // PLANTED BUG `no-truncate-conflict`: overwrite the conflicting positions in place and keep
        // whatever stale suffix lies past the leader's entries.
        for (let i = conflict - first; i < entries.length; i++) {
          const at = entries[i].index - this.snapshotIndex - 1;
          this.entries[at] = entries[i];
        }
        return { changedFrom: conflict, oldLast };
      }
    }
    for (let i = conflict - first; i < entries.length; i++) this.entries.push(entries[i]);
    return { changedFrom: conflict, oldLast };
  }

  /** First index of `entries` that is missing or has another term here; undefined if all match. */
  private findConflict(entries: readonly Entry[]): number | undefined {
    for (const e of entries) {
      if (e.index <= this.snapshotIndex) continue; // already compacted, hence committed and matching
      if (this.term(e.index) !== e.term) return e.index;
    }
    return undefined;
  }

  /**
   * Fast back-off (etcd's findConflictByTerm): the largest index ≤ `index` whose term is ≤ `term`, and
   * that term. Lets a leader skip a whole term of mismatching entries per round trip.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = Math.min(index, this.lastIndex);
    for (; i > this.snapshotIndex; i--) {
      const t = this.term(i)!;
      if (t <= term) return { index: i, term: t };
    }
    return { index: i, term: this.term(i) ?? 0 };
  }

  /**
   * Entries [lo, hi] capped at `maxEntries` and `maxBytes` (at least one entry is returned if any is in
   * range, as etcd does, so an oversized entry still makes progress).
   */
  slice(lo: number, hi: number, maxEntries: number, maxBytes: number): Entry[] {
    if (lo <= this.snapshotIndex) throw new Error(`slice from ${lo} is compacted (snapshot at ${this.snapshotIndex})`);
    const end = Math.min(hi, this.lastIndex, lo + maxEntries - 1);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i <= end; i++) {
      const e = this.entries[i - this.snapshotIndex - 1];
      bytes += e.size;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /** Entries [lo, hi], all in the log (a new array; the entries are shared). */
  between(lo: number, hi: number): Entry[] {
    if (lo <= this.snapshotIndex || hi > this.lastIndex) throw new Error(`entries ${lo}..${hi} are not all in the log`);
    return this.entries.slice(lo - this.snapshotIndex - 1, hi - this.snapshotIndex);
  }

  /** Drops entries up to `index` (they are in a snapshot now). */
  compact(index: number): void {
    if (index <= this.snapshotIndex) return;
    if (index > this.lastIndex) throw new Error(`cannot compact to ${index} past last index ${this.lastIndex}`);
    const term = this.term(index)!;
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
  }

  /** Replaces the whole log by a snapshot (a follower installing one from the leader). */
  restore(snapshot: Snapshot): void {
    this.rewrites++;
    this.entries = [];
    this.snapshotIndex = snapshot.index;
    this.snapshotTerm = snapshot.term;
  }

  /** Recovery: entries read back from disk, in index order, right after the snapshot boundary. */
  load(snapshotIndex: number, snapshotTerm: number, entries: Entry[]): void {
    this.snapshotIndex = snapshotIndex;
    this.snapshotTerm = snapshotTerm;
    this.entries = entries;
  }

  /** A read-only view for checkers and tests. */
  view(): readonly Entry[] {
    return this.entries;
  }
}
