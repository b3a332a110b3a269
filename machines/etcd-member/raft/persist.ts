import type { KvResponseBatchMessage, KvResponseMessage, WatchResponseMessage } from '../../../src/etcd/protocol.ts';
import type { MemberContext } from '../types.ts';
import type { RaftMessage } from './messages.ts';
import { HARDSTATE_KEY, SNAPSHOT_KEY, WAL_BLOCK, walBlockStart, walKey } from './storage.ts';
import type { HardState, Snapshot } from './types.ts';

/**
 * Disk effects, queued on the context's outbox in the order they must happen. Raft's rule: whatever a
 * message promises (a vote, an acknowledged entry) is written and synced before the message is queued.
 */

/** Everything a member puts on the wire: Raft traffic to peers, responses and watch events to clients. */
export type OutboundMessage = RaftMessage | KvResponseMessage | KvResponseBatchMessage | WatchResponseMessage;

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

/**
 * Writes log entries [from, to] (the in-memory log is already updated): every WAL block they touch is
 * rewritten from the in-memory log, one disk write per block (blocks are immutable values). The memory log
 * holds every entry the WAL should (its compaction point never passes the snapshot's).
 */
export function writeEntries(ctx: MemberContext, from: number, to: number): void {
  for (let start = walBlockStart(from); start <= to; start += WAL_BLOCK) writeWalBlock(ctx, start);
}

/** Rewrites the WAL block starting at `start` from the in-memory log (deletes it when none is left). */
function writeWalBlock(ctx: MemberContext, start: number): void {
  const log = ctx.raft.log;
  const lo = Math.max(start, log.firstIndex);
  const hi = Math.min(start + WAL_BLOCK - 1, log.lastIndex);
  if (lo > hi) ctx.outbox.push({ type: 'disk.delete', key: walKey(start) });
  else ctx.outbox.push({ type: 'disk.write', key: walKey(start), value: log.between(lo, hi) });
}

/**
 * The log was cut before `from` (a truncated conflicting suffix, or the whole log replaced by a snapshot):
 * the WAL loses every entry from `from` to `oldLast`. The block holding `from` is rewritten from the
 * in-memory log (keeping what precedes `from`), later blocks are deleted.
 */
export function truncateWal(ctx: MemberContext, from: number, oldLast: number): void {
  let start = walBlockStart(from);
  if (start < from) {
    writeWalBlock(ctx, start);
    start += WAL_BLOCK;
  }
  for (; start <= oldLast; start += WAL_BLOCK) ctx.outbox.push({ type: 'disk.delete', key: walKey(start) });
}

/**
 * Log compaction: a snapshot now covers everything up to `upTo`; the WAL blocks holding only such entries
 * (from the block of `from`, the first index the previous compaction kept) are deleted. A block that also
 * holds later entries stays: recovery skips what the snapshot covers.
 */
export function compactWal(ctx: MemberContext, from: number, upTo: number): void {
  for (let start = walBlockStart(from); start + WAL_BLOCK - 1 <= upTo; start += WAL_BLOCK) {
    ctx.outbox.push({ type: 'disk.delete', key: walKey(start) });
  }
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
