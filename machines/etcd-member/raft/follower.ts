import type { MemberContext } from '../types.ts';
import type { RaftMessage } from './messages.ts';
import { deleteEntries, send, sync, writeEntries, writeHardState, writeSnapshot } from './persist.ts';

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
  if (msg.entries.length > 0) {
    const truncate = ctx.config.plant !== 'no-truncate-conflict';
    const { changedFrom, oldLast } = log.appendAfterMatch(msg.entries, truncate);
    if (changedFrom !== undefined) {
      writeEntries(ctx, changedFrom, Math.min(log.lastIndex, msg.entries[msg.entries.length - 1].index));
      if (oldLast > log.lastIndex) deleteEntries(ctx, log.lastIndex + 1, oldLast);
      wrote = true;
    }
  }
  const lastNew = msg.prevIndex + msg.entries.length;
  const commit = Math.min(msg.commit, lastNew);
  if (commit > raft.commit) raft.commit = commit;
  if (writeHardState(ctx)) wrote = true;
  if (wrote) sync(ctx);
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
  const oldFirst = log.firstIndex;
  const oldLast = log.lastIndex;
  log.restore(snapshot);
  raft.snapshot = snapshot;
  raft.commit = snapshot.index;
  raft.applied = snapshot.index;
  raft.conf = snapshot.conf;
  raft.persistedIndex = snapshot.index;
  ctx.server.kv.restore(snapshot.data);
  writeSnapshot(ctx, snapshot);
  if (oldLast >= oldFirst) deleteEntries(ctx, oldFirst, oldLast);
  writeHardState(ctx);
  sync(ctx);
  ack(snapshot.index);
}
