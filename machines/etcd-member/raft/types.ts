/**
 * Raft's data: log entries, the durable hard state, snapshots and membership. Plain immutable values:
 * entries travel in messages and sit on disk by reference, so nothing here is ever mutated once built.
 */

export type MemberId = string;

/** Which members vote and which only replicate (learners). */
export interface ConfState {
  readonly voters: readonly MemberId[];
  readonly learners: readonly MemberId[];
}

/**
 * A single-server membership change (etcd's ConfChange v1). `bootstrap` is the first entry of every
 * initial member's log, so a member that joins later rebuilds the configuration by replaying the log.
 */
export type ConfChange =
  | { op: 'bootstrap'; voters: readonly MemberId[]; learners: readonly MemberId[] }
  | { op: 'addVoter'; id: MemberId }
  | { op: 'addLearner'; id: MemberId }
  | { op: 'promote'; id: MemberId }
  | { op: 'remove'; id: MemberId };

/** What an entry asks the state machine to do. `command` is opaque to Raft (the server layer's). */
export type EntryData =
  | { readonly kind: 'noop' }
  | {
      readonly kind: 'conf';
      readonly change: ConfChange;
      readonly origin: MemberId;
      readonly requestId: string;
      /** Set when the leader refused the change (one already pending, learner not ready): a no-op. */
      readonly refused?: 'pending' | 'learnerNotReady';
    }
  | { readonly kind: 'command'; readonly command: unknown; readonly origin: MemberId; readonly requestId: string };

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly data: EntryData;
  /** Approximate encoded size in bytes, for maxBytesPerAppend. */
  readonly size: number;
}

export interface HardState {
  readonly term: number;
  readonly vote: MemberId | null;
  readonly commit: number;
}

/** A compacted prefix of the log: everything up to `index` folded into the state machine's `data`. */
export interface Snapshot {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
  readonly data: unknown;
}

export type RaftRole = 'follower' | 'preCandidate' | 'candidate' | 'leader' | 'removed';
