import type { AnyMachineSnapshot } from 'xstate';
import type { Entry, RaftRole, Snapshot } from './raft/types.ts';
import type { MemberContext } from './types.ts';

/** What tests, checkers and the CLI read from a running member's snapshot. */
export interface MemberStatus {
  address: string;
  role: RaftRole;
  term: number;
  vote: string | null;
  leader: string | null;
  commit: number;
  applied: number;
  lastIndex: number;
  voters: readonly string[];
  learners: readonly string[];
  kvRevision: number;
}

export function memberContext(snapshot: AnyMachineSnapshot | undefined): MemberContext | undefined {
  return snapshot?.context as MemberContext | undefined;
}

export function memberStatus(snapshot: AnyMachineSnapshot | undefined): MemberStatus | undefined {
  const ctx = memberContext(snapshot);
  if (!ctx) return undefined;
  const raft = ctx.raft;
  return {
    address: ctx.self,
    role: raft.role,
    term: raft.term,
    vote: raft.vote,
    leader: raft.leader,
    commit: raft.commit,
    applied: raft.applied,
    lastIndex: raft.log.lastIndex,
    voters: raft.conf.voters,
    learners: raft.conf.learners,
    kvRevision: ctx.server.kv.revision,
  };
}

/** The member's in-memory log (entries after its compaction point) and where it starts. */
export function memberLog(snapshot: AnyMachineSnapshot | undefined): { snapshotIndex: number; snapshotTerm: number; entries: readonly Entry[] } | undefined {
  const ctx = memberContext(snapshot);
  if (!ctx) return undefined;
  const log = ctx.raft.log;
  return { snapshotIndex: log.snapshotIndex, snapshotTerm: log.snapshotTerm, entries: log.view() };
}

export function memberSnapshot(snapshot: AnyMachineSnapshot | undefined): Snapshot | undefined {
  return memberContext(snapshot)?.raft.snapshot;
}

/** Digest of the member's applied key-value state (equal on members at the same applied index). */
export function memberKvHash(snapshot: AnyMachineSnapshot | undefined): string | undefined {
  return memberContext(snapshot)?.server.kv.hash();
}
