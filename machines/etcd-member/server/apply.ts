import type { Command, Response } from '../../../src/etcd/mvcc/index.ts';
import { applyConfChange } from '../raft/conf-change.ts';
import { compactWal, sync, writeHardState, writeSnapshot } from '../raft/persist.ts';
import { addProgress, maybeCommit, sendAppend } from '../raft/replication.ts';
import type { Entry, Snapshot } from '../raft/types.ts';
import type { MemberContext } from '../types.ts';
import { header, memberList, respond, respondError, respondOk, serveRange } from './respond.ts';
import { toResult } from './translate.ts';
import { flushWatchResponses } from './watches.ts';

/**
 * Applies committed entries to the state machine in log order, answers the clients whose requests they
 * were (only on the member that received the request), serves reads waiting for this applied index, and
 * takes a snapshot every `snapshotEvery` entries.
 */
export function applyCommitted(ctx: MemberContext): void {
  const raft = ctx.raft;
  for (;;) {
    // PLANTED BUG `apply-before-commit`: apply whatever is durable in the local log.
    const upTo = ctx.config.plant === 'apply-before-commit' ? raft.persistedIndex : raft.commit;
    if (raft.applied >= upTo) break;
    while (raft.applied < upTo && !raft.removed) {
      const entry = raft.log.entry(raft.applied + 1)!;
      raft.applied = entry.index;
      applyEntry(ctx, entry);
    }
    // A membership change can shrink the quorum, letting the leader commit more right away.
    if (raft.role !== 'leader' || raft.removed || !maybeCommit(ctx)) break;
    raft.readyWanted = true;
  }
  serveReadsAwaitingApply(ctx);
  flushWatchResponses(ctx);
  maybeSnapshot(ctx);
}

function applyEntry(ctx: MemberContext, entry: Entry): void {
  const data = entry.data;
  switch (data.kind) {
    case 'noop':
      return;
    case 'command':
      return applyCommand(ctx, data.command as Command, data.origin, data.requestId);
    case 'conf':
      return applyConf(ctx, entry);
  }
}

function applyCommand(ctx: MemberContext, command: Command, origin: string, requestId: string): void {
  const server = ctx.server;
  const response: Response = server.kv.apply(command);
  if (ctx.raft.role === 'leader') server.leaseExpiry.observe(command, response, ctx.now());
  else if (ctx.config.plant === 'lease-expires-on-follower') server.followerLeaseExpiry.observe(command, response, ctx.now());
  if (origin !== ctx.self) return;
  const waiter = server.waiters.get(requestId);
  if (!waiter) return;
  server.waiters.delete(requestId);
  respond(ctx, waiter.client, toResult(requestId, response, (revision) => header(ctx, revision)), waiter.batched);
}

function applyConf(ctx: MemberContext, entry: Entry): void {
  const raft = ctx.raft;
  if (entry.data.kind !== 'conf') return;
  const data = entry.data;
  let error: 'Unavailable' | 'LearnerNotReady' | 'MemberExists' | 'MemberNotFound' | 'NotLearner' | undefined;
  if (data.refused) {
    error = data.refused === 'pending' ? 'Unavailable' : 'LearnerNotReady';
  } else {
    const next = applyConfChange(raft.conf, data.change);
    if (typeof next === 'string') error = next;
    else {
      raft.conf = next;
      // Only applying its own removal stops a member (a joiner replays older configurations without it).
      if (data.change.op === 'remove' && data.change.id === ctx.self) raft.removed = true;
      else onMembershipChanged(ctx);
    }
  }
  if (data.origin !== ctx.self) return;
  const waiter = ctx.server.waiters.get(data.requestId);
  if (!waiter) return;
  ctx.server.waiters.delete(data.requestId);
  if (error) respondError(ctx, waiter.client, data.requestId, error, waiter.batched);
  else respondOk(ctx, waiter.client, data.requestId, { header: header(ctx, ctx.server.kv.revision), members: memberList(ctx) }, waiter.batched);
}

/** The leader tracks exactly the configured peers. */
function onMembershipChanged(ctx: MemberContext): void {
  const raft = ctx.raft;
  const conf = raft.conf;
  if (raft.role !== 'leader') return;
  for (const id of [...raft.progress.keys()]) {
    if (conf.voters.includes(id) || conf.learners.includes(id)) continue;
    // A last append carries the commit index, so the removed member learns of its removal and stops.
    sendAppend(ctx, id, true);
    raft.progress.delete(id);
  }
  for (const id of [...conf.voters, ...conf.learners]) {
    const pr = raft.progress.get(id);
    if (pr) pr.isLearner = conf.learners.includes(id);
    else addProgress(ctx, id);
  }
  if (raft.leadTransferee !== null && !conf.voters.includes(raft.leadTransferee)) raft.leadTransferee = null;
  raft.readyWanted = true;
}

/** Linearizable reads whose read index is now applied. */
function serveReadsAwaitingApply(ctx: MemberContext): void {
  const reads = ctx.server.readsAwaitingApply;
  if (reads.length === 0) return;
  const applied = ctx.raft.applied;
  let kept = 0;
  for (const read of reads) {
    if (read.index <= applied) serveRange(ctx, read.client, read.requestId, read.request);
    else reads[kept++] = read;
  }
  reads.length = kept;
}

/**
 * Log compaction: every `snapshotEvery` applied entries, snapshot the state machine, keep
 * `snapshotCatchUpEntries` entries in memory for slow followers, and drop the snapshotted WAL from disk.
 */
function maybeSnapshot(ctx: MemberContext): void {
  const raft = ctx.raft;
  const previous = raft.snapshot?.index ?? 0;
  if (raft.applied - previous < ctx.config.snapshotEvery || raft.applied > raft.commit) return;
  const snapshot: Snapshot = {
    index: raft.applied,
    term: raft.log.term(raft.applied)!,
    conf: raft.conf,
    data: ctx.server.kv.snapshot(),
  };
  raft.snapshot = snapshot;
  writeSnapshot(ctx, snapshot);
  compactWal(ctx, Math.max(previous + 1, 1), snapshot.index);
  writeHardState(ctx);
  sync(ctx);
  const compactTo = snapshot.index - ctx.config.snapshotCatchUpEntries;
  if (compactTo > raft.log.snapshotIndex) raft.log.compact(compactTo);
}
