import type { MemberContext, ReadWaiter } from '../types.ts';
import { quorumValue } from './quorum.ts';
import { leaseValid } from './replication.ts';

/**
 * ReadIndex (Raft thesis §6.4), leader side. A read is served at the commit index the leader had when the
 * read arrived, once the leader has confirmed it was still leader at that moment: a heartbeat round sent
 * after the read arrived is acknowledged by a quorum. Reads arriving together share one round.
 * With readOnly 'lease' and a valid leader lease, the round is skipped.
 */

/** Called on the leader for a local or forwarded read. `resolve` runs once the read index is known. */
export function requestReadIndex(ctx: MemberContext, waiter: ReadWaiter, resolve: (index: number, waiter: ReadWaiter) => void): void {
  const raft = ctx.raft;
  // A new leader does not know the latest commit index until it commits an entry of its own term.
  if (raft.log.term(raft.commit) !== raft.term) {
    raft.readsAwaitingTermCommit.push(waiter);
    return;
  }
  // PLANTED BUG `readindex-without-quorum`: answer from the local commit index without confirming
  // leadership (a deposed leader serves stale reads).
  const unconfirmed = ctx.config.plant === 'readindex-without-quorum';
  const alone = raft.conf.voters.length === 1 && raft.conf.voters[0] === ctx.self;
  if (unconfirmed || alone || (ctx.config.readOnly === 'lease' && leaseValid(ctx))) {
    resolve(raft.commit, waiter);
    return;
  }
  if (!raft.readHeartbeatDue) {
    raft.readRound += 1;
    raft.readHeartbeatDue = true;
  }
  raft.pendingReads.push({ round: raft.readRound, index: raft.commit, waiter });
}

/** A follower echoed read round `round`: release every read whose round a quorum has now confirmed. */
export function acknowledgeReadRound(ctx: MemberContext, from: string, round: number, resolve: (index: number, waiter: ReadWaiter) => void): void {
  const raft = ctx.raft;
  const pr = raft.progress.get(from);
  if (!pr || pr.isLearner || round <= pr.readRoundAcked) return;
  pr.readRoundAcked = round;
  if (raft.pendingReads.length === 0) return;
  const confirmed = quorumValue(raft.conf.voters, (id) => (id === ctx.self ? raft.readRound : raft.progress.get(id)?.readRoundAcked));
  let released = 0;
  while (released < raft.pendingReads.length && raft.pendingReads[released].round <= confirmed) {
    const read = raft.pendingReads[released++];
    resolve(read.index, read.waiter);
  }
  if (released > 0) raft.pendingReads.splice(0, released);
}

/** Once the leader commits its first entry of the term, reads held back until then may proceed. */
export function releaseReadsAwaitingTermCommit(ctx: MemberContext, resolve: (index: number, waiter: ReadWaiter) => void): void {
  const raft = ctx.raft;
  if (raft.readsAwaitingTermCommit.length === 0 || raft.log.term(raft.commit) !== raft.term) return;
  const waiting = raft.readsAwaitingTermCommit.splice(0);
  for (const waiter of waiting) requestReadIndex(ctx, waiter, resolve);
}

/** Leadership lost: every read still waiting for confirmation is dropped and returned. */
export function abandonReads(ctx: MemberContext): ReadWaiter[] {
  const raft = ctx.raft;
  const dropped = [...raft.readsAwaitingTermCommit, ...raft.pendingReads.map((r) => r.waiter)];
  raft.readsAwaitingTermCommit = [];
  raft.pendingReads = [];
  raft.readHeartbeatDue = false;
  return dropped;
}
