import type { KvResponseMessage, WatchResponseMessage } from '../../../src/etcd/protocol.ts';
import type { MemberContext } from '../types.ts';
import type { RaftMessage } from './messages.ts';
import { HARDSTATE_KEY, SNAPSHOT_KEY, walKey } from './storage.ts';
import type { HardState, Snapshot } from './types.ts';

/**
 * Disk effects, queued on the context's outbox in the order they must happen. Raft's rule: whatever a
 * message promises (a vote, an acknowledged entry) is written and synced before the message is queued.
 */

/** Everything a member puts on the wire: Raft traffic to peers, responses and watch events to clients. */
export type OutboundMessage = RaftMessage | KvResponseMessage | WatchResponseMessage;

export function send(ctx: MemberContext, to: string, message: OutboundMessage): void {
  // Protocol messages are interfaces (no index signature): widen to the host's message shape.
  ctx.outbox.push({ type: 'net.send', to, message: message as unknown as Record<string, unknown> & { type: string } });
}

export function observe(ctx: MemberContext, observation: { type: `obs.${string}`; [field: string]: unknown }): void {
  ctx.outbox.push(observation);
}

export function sync(ctx: MemberContext): void {
  ctx.outbox.push({ type: 'disk.sync' });
}

/** Writes term/vote/commit if any changed since the last write (not synced: call `sync`). */
export function writeHardState(ctx: MemberContext): boolean {
  const raft = ctx.raft;
  if (raft.term === raft.persistedTerm && raft.vote === raft.persistedVote && raft.commit === raft.persistedCommit) return false;
  const value: HardState = { term: raft.term, vote: raft.vote, commit: raft.commit };
  ctx.outbox.push({ type: 'disk.write', key: HARDSTATE_KEY, value });
  raft.persistedTerm = raft.term;
  raft.persistedVote = raft.vote;
  raft.persistedCommit = raft.commit;
  return true;
}

/** Writes log entries [from, to] (the in-memory log is already updated). */
export function writeEntries(ctx: MemberContext, from: number, to: number): void {
  const log = ctx.raft.log;
  for (let i = from; i <= to; i++) ctx.outbox.push({ type: 'disk.write', key: walKey(i), value: log.entry(i)! });
}

/** Deletes log entries [from, to] from disk (a truncated suffix, or a compacted prefix). */
export function deleteEntries(ctx: MemberContext, from: number, to: number): void {
  for (let i = from; i <= to; i++) ctx.outbox.push({ type: 'disk.delete', key: walKey(i) });
}

export function writeSnapshot(ctx: MemberContext, snapshot: Snapshot): void {
  ctx.outbox.push({ type: 'disk.write', key: SNAPSHOT_KEY, value: snapshot });
}

/** Persists everything the leader appended since the last ready cycle, and syncs. */
export function persistUnstable(ctx: MemberContext): void {
  const raft = ctx.raft;
  const last = raft.log.lastIndex;
  if (last > raft.persistedIndex) writeEntries(ctx, raft.persistedIndex + 1, last);
  const wroteState = writeHardState(ctx);
  if (last > raft.persistedIndex || wroteState) sync(ctx);
  raft.persistedIndex = last;
}
