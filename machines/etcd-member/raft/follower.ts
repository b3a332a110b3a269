import type { MemberContext } from '../types.ts';
import type { RaftMessage } from './messages.ts';
import { observe, send, sync, truncateWal, writeEntries, writeHardState, writeSnapshot } from './persist.ts';

type Append = Extract<RaftMessage, { type: 'raft.append' }> & { from: string };
type Heartbeat = Extract<RaftMessage, { type: 'raft.heartbeat' }> & { from: string };
type InstallSnapshot = Extract<RaftMessage, { type: 'raft.snapshot' }> & { from: string };

/**
 * AppendEntries on a follower: check the previous entry, append (truncating a conflicting suffix),
 * advance commit to min(leader commit, last new entry), persist and sync, and only then acknowledge.
 * On a mismatch, reject with a hint for the leader's fast back-off.
 */
export function handleAppend(ctx: MemberContext, msg: Append): void {
  const raft = ctx.raft;
  const log = raft.log;
  if (msg.prevIndex < raft.commit) {
    // Everything up to our commit index is settled: tell the leader to continue from there.
    send(ctx, msg.from, { type: 'raft.appendResp', term: raft.term, index: raft.commit, reject: false, hintIndex: 0, hintTerm: 0 });
    return;
  }
  if (!log.matchTerm(msg.prevIndex, msg.prevTerm)) {
    const hint = log.findConflictByTerm(Math.min(msg.prevIndex, log.lastIndex), msg.prevTerm);
    send(ctx, msg.from, {
      type: 'raft.appendResp', term: raft.term, index: msg.prevIndex, reject: true, hintIndex: hint.index, hintTerm: hint.term,
    });
    return;
  }
  let wrote = false;
  // The whole log counts as persisted once this append is acknowledged, so entries never written (a
  // deposed leader's tail, appended after its last ready cycle) are written now along with the new ones.
  let writeFrom = raft.persistedIndex < log.lastIndex ? raft.persistedIndex + 1 : Number.POSITIVE_INFINITY;
  if (msg.entries.length > 0) {
    const truncate = ctx.config.plant !== 'no-truncate-conflict';
    const { changedFrom, oldLast } = log.appendAfterMatch(msg.entries, truncate);
    if (changedFrom !== undefined) {
      if (oldLast > log.lastIndex) truncateWal(ctx, log.lastIndex + 1, oldLast);
      writeFrom = Math.min(writeFrom, changedFrom);
      wrote = true;
    }
  }
  if (writeFrom <= log.lastIndex) {
    writeEntries(ctx, writeFrom, log.lastIndex);
    wrote = true;
  }
  const lastNew = msg.prevIndex + msg.entries.length;
  const commit = Math.min(msg.commit, lastNew);
  if (commit > raft.commit) raft.commit = commit;
  if (writeHardState(ctx)) wrote = true;
  // PLANTED BUG `append-not-persisted`: acknowledge appended entries before they are durable.
  if (wrote && ctx.config.plant !== 'append-not-persisted') sync(ctx);
  raft.persistedIndex = log.lastIndex;
  send(ctx, msg.from, { type: 'raft.appendResp', term: raft.term, index: lastNew, reject: false, hintIndex: 0, hintTerm: 0 });
}

export function handleHeartbeat(ctx: MemberContext, msg: Heartbeat): void {
  const raft = ctx.raft;
  const commit = Math.min(msg.commit, raft.log.lastIndex);
  if (commit > raft.commit) raft.commit = commit;
  send(ctx, msg.from, { type: 'raft.heartbeatResp', term: raft.term, readRound: msg.readRound, sentAt: msg.sentAt });
}

/**
 * InstallSnapshot: ignore one we already have; fast-forward when our log already holds its last entry;
 * otherwise replace log, configuration and state machine with it. Durable before acknowledged.
 */
export function handleSnapshot(ctx: MemberContext, msg: InstallSnapshot): void {
  const raft = ctx.raft;
  const log = raft.log;
  const snapshot = msg.snapshot;
  const ack = (index: number) =>
    send(ctx, msg.from, { type: 'raft.appendResp', term: raft.term, index, reject: false, hintIndex: 0, hintTerm: 0 });
  if (snapshot.index <= raft.commit) return ack(raft.commit);
  if (log.matchTerm(snapshot.index, snapshot.term)) {
    raft.commit = snapshot.index;
    writeHardState(ctx);
    sync(ctx);
    return ack(snapshot.index);
  }
  // The WAL holds blocks from the one after our previous snapshot (earlier ones were compacted away) to
  // our last index; every one of them goes (the block straddling that snapshot included).
  const walFrom = (raft.snapshot?.index ?? 0) + 1;
  const walTo = Math.max(log.lastIndex, walFrom);
  log.restore(snapshot);
  raft.snapshot = snapshot;
  raft.commit = snapshot.index;
  raft.applied = snapshot.index;
  raft.conf = snapshot.conf;
  raft.persistedIndex = snapshot.index;
  ctx.server.kv.restore(snapshot.data);
  writeSnapshot(ctx, snapshot);
  truncateWal(ctx, walFrom, walTo);
  writeHardState(ctx);
  sync(ctx);
  // A member catching up from nothing (a replacement) shows here that it did so by snapshot.
  observe(ctx, { type: 'obs.raft.snapshotInstalled', index: snapshot.index, term: snapshot.term });
  ack(snapshot.index);
}
