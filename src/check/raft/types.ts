/**
 * What the Raft safety checker reads from a member: a narrow, implementation-neutral view, so the checker
 * does not depend on how a member machine lays out its context or its disk.
 */

export type RaftViewRole = 'follower' | 'preCandidate' | 'candidate' | 'leader' | 'removed';

export interface RaftEntryView {
  readonly term: number;
  readonly index: number;
  /** The entry's payload; compared by reference first, structurally when references differ. */
  readonly data: unknown;
}

/** A running member's volatile state (a crashed member has none). */
export interface RaftMemberView {
  readonly address: string;
  /** Changes on every restart: per-member progress markers are reset then. */
  readonly incarnation: number;
  /** Anything that changes whenever the member's state may have changed (e.g. the actor snapshot). */
  readonly version: unknown;
  readonly role: RaftViewRole;
  readonly term: number;
  readonly commit: number;
  readonly applied: number;
  readonly voters: readonly string[];
  /** Index/term of the last entry compacted away; entries after it are readable with `entry`. */
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  readonly lastIndex: number;
  /**
   * Optional: a counter that changes whenever entries already in the log are replaced or removed (not on
   * appends). When given and unchanged, the checker only scans appended entries; otherwise it re-compares
   * the whole in-memory log against what it saw last.
   */
  readonly logRewrites?: number;
  entry(index: number): RaftEntryView | undefined;
  /** Digest of the applied state machine (for the end-of-run agreement check). */
  kvHash?(): string;
}

/** A member's disk, synced contents only (what survives a power loss). */
export interface RaftDurableView {
  /** Term of the synced log entry at `index`; 'snapshot' when a synced snapshot covers it; undefined when absent. */
  syncedEntryTerm(index: number): number | 'snapshot' | undefined;
}

export type RaftProperty =
  | 'ElectionSafety'
  | 'LeaderAppendOnly'
  | 'LogMatching'
  | 'LeaderCompleteness'
  | 'StateMachineSafety'
  | 'CommittedEntryChanged'
  | 'CommittedNotDurable'
  | 'AppliedStateAgreement';

export interface RaftViolation {
  property: RaftProperty;
  message: string;
  /** The offending values. */
  details: Record<string, unknown>;
  /** Virtual time of the observation, when the caller gave one. */
  at?: number;
}
