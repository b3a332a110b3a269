import type { MemberContext } from '../types.ts';
import { peersOf } from './conf-change.ts';
import type { RaftMessage } from './messages.ts';
import { Progress } from './progress.ts';
import { quorumValue } from './quorum.ts';
import { send } from './persist.ts';

type AppendResponse = Extract<RaftMessage, { type: 'raft.appendResp' }> & { from: string };

/** Leader: fresh progress for every peer, optimistic next = our last index + 1 (etcd's reset). */
export function resetProgress(ctx: MemberContext): void {
  const raft = ctx.raft;
  raft.progress = new Map();
  for (const id of peersOf(raft.conf, ctx.self)) addProgress(ctx, id);
}

export function addProgress(ctx: MemberContext, id: string): void {
  const raft = ctx.raft;
  if (id === ctx.self || raft.progress.has(id)) return;
  const pr = new Progress(raft.log.lastIndex + 1, ctx.config.maxInflight, raft.conf.learners.includes(id));
  pr.recentActive = true; // a new peer gets one CheckQuorum round of grace, as in etcd
  raft.progress.set(id, pr);
}

/**
 * Sends `to` the next append its progress allows: entries from `next` (capped by the batching limits),
 * or a snapshot when they were compacted away. With `sendIfEmpty` an entry-less append goes out to
 * carry a new commit index. Returns whether anything was sent.
 */
export function sendAppend(ctx: MemberContext, to: string, sendIfEmpty: boolean): boolean {
  const raft = ctx.raft;
  const pr = raft.progress.get(to);
  if (!pr || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = raft.log.term(prevIndex);
  if (prevTerm === undefined || pr.next < raft.log.firstIndex) return sendSnapshot(ctx, to, pr);
  // Only what is durable here goes out: the leader's own ready cycle persisted it first.
  const entries =
    pr.next <= raft.persistedIndex
      ? raft.log.slice(pr.next, raft.persistedIndex, ctx.config.maxEntriesPerAppend, ctx.config.maxBytesPerAppend)
      : [];
  if (entries.length === 0 && !sendIfEmpty) return false;
  const last = prevIndex + entries.length;
  send(ctx, to, { type: 'raft.append', term: raft.term, prevIndex, prevTerm, entries, commit: raft.commit });
  pr.sentAppend(last, entries.length);
  pr.sentCommit = raft.commit;
  return true;
}

function sendSnapshot(ctx: MemberContext, to: string, pr: Progress): boolean {
  const snapshot = ctx.raft.snapshot;
  if (!snapshot) throw new Error(`no snapshot to send ${to} (next ${pr.next}, first ${ctx.raft.log.firstIndex})`);
  send(ctx, to, { type: 'raft.snapshot', term: ctx.raft.term, snapshot });
  pr.becomeSnapshot(snapshot.index, ctx.now());
  return true;
}

/** Sends as many appends as flow control allows (pipelining in replicate state). */
export function sendAppendsWhileAllowed(ctx: MemberContext, to: string): void {
  let guard = ctx.config.maxInflight + 1;
  while (guard-- > 0 && sendAppend(ctx, to, false)) {
    const pr = ctx.raft.progress.get(to)!;
    if (pr.state !== 'replicate' || pr.next > ctx.raft.persistedIndex) break;
  }
}

/** Every peer gets its new entries, or an empty append when only the commit index moved. */
export function broadcastAppend(ctx: MemberContext): void {
  const raft = ctx.raft;
  for (const [id, pr] of raft.progress) {
    sendAppendsWhileAllowed(ctx, id);
    if (pr.sentCommit < raft.commit && !pr.isPaused()) sendAppend(ctx, id, true);
  }
}

/** Heartbeats carry min(match, commit) so a follower never commits past what it has matched. */
export function broadcastHeartbeat(ctx: MemberContext): void {
  const raft = ctx.raft;
  const sentAt = ctx.now();
  for (const [id, pr] of raft.progress) {
    send(ctx, id, { type: 'raft.heartbeat', term: raft.term, commit: Math.min(pr.match, raft.commit), readRound: raft.readRound, sentAt });
  }
  raft.readHeartbeatDue = false;
}

/**
 * Raft §5.4.2 (Figure 8): the commit index moves to the highest index stored on a quorum only if that
 * entry is from the current term; earlier-term entries are committed indirectly with it.
 */
export function maybeCommit(ctx: MemberContext): boolean {
  const raft = ctx.raft;
  const index = quorumValue(raft.conf.voters, (id) => (id === ctx.self ? raft.persistedIndex : raft.progress.get(id)?.match));
  if (index <= raft.commit) return false;
  // PLANTED BUG `commit-previous-term-by-counting`: skip the current-term check of Figure 8.
  if (raft.log.term(index) !== raft.term && ctx.config.plant !== 'commit-previous-term-by-counting') return false;
  raft.commit = index;
  return true;
}

/** Leader: a follower answered an append (or reported an installed snapshot). Returns whether commit moved. */
export function handleAppendResponse(ctx: MemberContext, msg: AppendResponse): boolean {
  const raft = ctx.raft;
  const pr = raft.progress.get(msg.from);
  if (!pr) return false;
  pr.recentActive = true;
  if (msg.reject) {
    // Fast back-off: jump over the follower's whole conflicting term in one round trip.
    let probeFrom = msg.hintIndex;
    if (msg.hintTerm > 0) probeFrom = raft.log.findConflictByTerm(msg.hintIndex, msg.hintTerm).index;
    if (pr.maybeDecrTo(msg.index, probeFrom)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(ctx, msg.from, true);
    }
    return false;
  }
  // An acknowledgement beyond our log (a follower reporting a commit index we never had) teaches nothing.
  if (msg.index > raft.log.lastIndex) return false;
  const wasPaused = pr.isPaused();
  let committed = false;
  if (pr.maybeUpdate(msg.index) || (pr.match === msg.index && pr.state === 'probe')) {
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeTo(msg.index);
    committed = maybeCommit(ctx);
    if (!committed && wasPaused) sendAppend(ctx, msg.from, false);
    sendAppendsWhileAllowed(ctx, msg.from);
  }
  return committed;
}

/** Leader: a follower answered a heartbeat. It is alive; unblock a probe, retry a lost snapshot. */
export function handleHeartbeatResponse(ctx: MemberContext, from: string, sentAt: number): void {
  const raft = ctx.raft;
  const pr = raft.progress.get(from);
  if (!pr) return;
  pr.recentActive = true;
  if (sentAt > pr.heartbeatAckedSentAt) pr.heartbeatAckedSentAt = sentAt;
  if (pr.state === 'snapshot' && ctx.now() - pr.snapshotSentAt >= ctx.config.electionTimeoutMs) pr.becomeProbe();
  pr.probeSent = false;
  if (pr.match < raft.persistedIndex) sendAppend(ctx, from, true);
}

/** CheckQuorum: true when a quorum of voters (us included) was heard from since the last check. */
export function quorumActive(ctx: MemberContext): boolean {
  const raft = ctx.raft;
  const active = quorumValue(raft.conf.voters, (id) => (id === ctx.self || raft.progress.get(id)?.recentActive ? 1 : 0));
  return active === 1;
}

export function resetRecentActive(ctx: MemberContext): void {
  for (const pr of ctx.raft.progress.values()) pr.recentActive = false;
}

/**
 * Leader lease: a quorum acknowledged heartbeats sent at or after T, and each of those members ignores
 * vote requests for an election timeout after receiving one, so no other leader can exist before
 * T + electionTimeout. Counted from the send time, which precedes every receipt.
 */
export function leaseValid(ctx: MemberContext): boolean {
  const raft = ctx.raft;
  const now = ctx.now();
  const since = quorumValue(
    raft.conf.voters,
    (id) => (id === ctx.self ? now : raft.progress.get(id)?.heartbeatAckedSentAt),
    Number.NEGATIVE_INFINITY,
  );
  return now < since + ctx.config.electionTimeoutMs && raft.leadTransferee === null;
}
