import type { MemberContext } from '../types.ts';
import type { EntryData } from './types.ts';
import { persistUnstable, send } from './persist.ts';
import { broadcastAppend, broadcastHeartbeat, maybeCommit, resetProgress, resetRecentActive, sendAppend } from './replication.ts';

/** Size estimate of an entry's payload when the proposer did not give one. */
const ENTRY_OVERHEAD = 24;

/** Leader: takes office. A no-op entry of the new term lets it commit (and learn) everything before it. */
export function takeOffice(ctx: MemberContext): void {
  const raft = ctx.raft;
  raft.role = 'leader';
  raft.leader = ctx.self;
  raft.leadTransferee = null;
  raft.lastQuorumCheckAt = ctx.now();
  resetProgress(ctx);
  appendEntry(ctx, { kind: 'noop' }, ENTRY_OVERHEAD);
  // etcd-raft: no conf change until everything up to here is applied (closes the single-server hole).
  raft.pendingConfIndex = raft.log.lastIndex;
}

/**
 * Appends a proposal to the leader's log (not yet durable: the next ready cycle persists it and sends it).
 * A second membership change while one is pending, or a promotion of a lagging learner, is kept in the
 * log as a refused no-op so its proposer still gets an answer.
 */
export function appendEntry(ctx: MemberContext, data: EntryData, size: number): void {
  const raft = ctx.raft;
  if (data.kind === 'conf' && !data.refused) {
    if (raft.pendingConfIndex > raft.applied) data = { ...data, refused: 'pending' };
    else if (data.change.op === 'promote' && !learnerIsReady(ctx, data.change.id)) data = { ...data, refused: 'learnerNotReady' };
    else raft.pendingConfIndex = raft.log.lastIndex + 1;
  }
  raft.log.push({ term: raft.term, index: raft.log.lastIndex + 1, data, size });
  raft.readyWanted = true;
}

/** etcd's isLearnerReady: the learner's log has reached 90% of the leader's commit index. */
function learnerIsReady(ctx: MemberContext, id: string): boolean {
  const pr = ctx.raft.progress.get(id);
  return pr !== undefined && pr.match >= ctx.raft.commit * 0.9;
}

/**
 * One ready cycle: persist and sync what was appended since the last cycle, count ourselves, then send
 * every follower its entries and the commit index, and the heartbeat round pending reads wait for.
 */
export function runReadyCycle(ctx: MemberContext): void {
  persistUnstable(ctx);
  maybeCommit(ctx);
  broadcastAppend(ctx);
  if (ctx.raft.readHeartbeatDue) broadcastHeartbeat(ctx);
}

/** Leadership transfer: once the target has our whole log, tell it to campaign now. */
export function sendTimeoutNowIfCaughtUp(ctx: MemberContext): void {
  const raft = ctx.raft;
  const target = raft.leadTransferee;
  if (target === null) return;
  const pr = raft.progress.get(target);
  if (!pr) return;
  if (pr.match === raft.log.lastIndex && raft.persistedIndex === raft.log.lastIndex) {
    send(ctx, target, { type: 'raft.timeoutNow', term: raft.term });
  } else {
    sendAppend(ctx, target, false);
  }
}

/**
 * The leader's heartbeat tick. It also flushes a pending ready cycle (the tick re-enters the state that
 * held it), and every election timeout starts a new CheckQuorum round.
 */
export function leaderHeartbeatTick(ctx: MemberContext): void {
  const raft = ctx.raft;
  if (raft.log.lastIndex > raft.persistedIndex || raft.readHeartbeatDue) runReadyCycle(ctx);
  broadcastHeartbeat(ctx);
  if (checkQuorumDue(ctx)) {
    resetRecentActive(ctx);
    raft.lastQuorumCheckAt = ctx.now();
  }
}

export function checkQuorumDue(ctx: MemberContext): boolean {
  return ctx.now() - ctx.raft.lastQuorumCheckAt >= ctx.config.electionTimeoutMs;
}

/** A leadership transfer that has not completed within an election timeout is abandoned (as etcd). */
export function transferTimedOut(ctx: MemberContext): boolean {
  const raft = ctx.raft;
  return raft.leadTransferee !== null && ctx.now() - raft.leadTransferStartedAt >= ctx.config.electionTimeoutMs;
}
