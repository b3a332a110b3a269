import type { Entry, EntryData, Snapshot } from './types.ts';

/**
 * Member ↔ member messages (etcd's raftpb.Message types). Every message but the forwarded ones carries
 * the sender's term. The host stamps `from` on delivery.
 */
export type RaftMessage =
  /** RequestVote / PreVote. A pre-vote carries the term the candidate *would* campaign in. */
  | { type: 'raft.vote'; term: number; preVote: boolean; lastIndex: number; lastTerm: number; transfer: boolean }
  | { type: 'raft.voteResp'; term: number; preVote: boolean; granted: boolean }
  /** AppendEntries. `entries` may be empty (commit update or probe). */
  | { type: 'raft.append'; term: number; prevIndex: number; prevTerm: number; entries: readonly Entry[]; commit: number }
  /**
   * `index`: on success the follower's last matching index; on rejection the rejected prevIndex, with
   * a hint (fast back-off): the follower's largest index ≤ it whose term ≤ the leader's prevTerm.
   */
  | { type: 'raft.appendResp'; term: number; index: number; reject: boolean; hintIndex: number; hintTerm: number }
  /** Heartbeat: commit is min(follower's match, leader commit); `readRound`/`sentAt` are echoed back. */
  | { type: 'raft.heartbeat'; term: number; commit: number; readRound: number; sentAt: number }
  | { type: 'raft.heartbeatResp'; term: number; readRound: number; sentAt: number }
  | { type: 'raft.snapshot'; term: number; snapshot: Snapshot }
  /** Leadership transfer: campaign now, ignoring the election timer and other members' leases. */
  | { type: 'raft.timeoutNow'; term: number }
  /** A follower forwards client proposals to the leader. */
  | { type: 'raft.propose'; data: readonly EntryData[] }
  /** A follower asks the leader for a read index; the leader answers once leadership is confirmed. */
  | { type: 'raft.readIndex'; readId: number }
  | { type: 'raft.readIndexResp'; readId: number; index: number; term: number };

export type RaftMessageType = RaftMessage['type'];

/** Messages sent by the leader of `term` that a follower obeys (and that reset its election timer). */
export type LeaderMessage = Extract<RaftMessage, { type: 'raft.append' | 'raft.heartbeat' | 'raft.snapshot' }>;
