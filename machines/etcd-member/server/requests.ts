import type { BatchedKvRequest, KvRequest } from '../../../src/etcd/protocol.ts';
import { Fnv64 } from '../../../src/etcd/mvcc/hash.ts';
import { appendEntry, sendTimeoutNowIfCaughtUp, transferTimedOut } from '../raft/leader.ts';
import { send } from '../raft/persist.ts';
import { requestReadIndex } from '../raft/read-index.ts';
import type { ConfChange, EntryData } from '../raft/types.ts';
import type { MemberContext, ReadWaiter } from '../types.ts';
import { header, memberList, respondError, respondOk, serveRange } from './respond.ts';
import { commandSize, toCommand } from './translate.ts';

/**
 * The etcd server's request path. Writes become Raft proposals (a follower forwards them to the leader);
 * linearizable reads get a read index; serializable reads and status are answered locally. The member
 * that received a request is the one that answers it. Without a known leader a request waits up to an
 * election timeout for one, then fails with NoLeader (as etcd's "no leader" after its election timeout).
 */

export function isLocalQuery(request: KvRequest): boolean {
  return request.op === 'status' || request.op === 'snapshotSave' || (request.op === 'range' && request.serializable === true);
}

/** Everything that goes through the log: writes, txns, compaction, leases, membership. */
export function isProposal(request: KvRequest): boolean {
  return !isLocalQuery(request) && !isLinearizableRead(request) && request.op !== 'moveLeader';
}

export function isLinearizableRead(request: KvRequest): boolean {
  return request.op === 'range' && request.serializable !== true;
}

export function answerLocalQuery(ctx: MemberContext, client: string, requestId: string, request: KvRequest): void {
  const raft = ctx.raft;
  switch (request.op) {
    case 'range':
      return serveRange(ctx, client, requestId, request);
    case 'status':
      return respondOk(ctx, client, requestId, {
        header: header(ctx, ctx.server.kv.revision),
        leader: raft.leader,
        raftIndex: raft.log.lastIndex,
        raftAppliedIndex: raft.applied,
        members: memberList(ctx),
      });
    case 'snapshotSave':
      return respondOk(ctx, client, requestId, {
        header: header(ctx, ctx.server.kv.revision),
        snapshot: { index: raft.applied, term: raft.log.term(raft.applied) ?? 0, conf: raft.conf, data: ctx.server.kv.snapshot() },
      });
    default:
      throw new Error(`${request.op} is not a local query`);
  }
}

/** True when a request needing a leader must wait for one (and records it); false when it can proceed. */
function stallWithoutLeader(ctx: MemberContext, client: string, requestId: string, request: KvRequest): boolean {
  const raft = ctx.raft;
  if (raft.leader !== null) return false;
  const since = raft.leaderlessSince ?? ctx.now();
  if (ctx.now() - since >= ctx.config.electionTimeoutMs) respondError(ctx, client, requestId, 'NoLeader');
  else ctx.server.stalled.push({ at: ctx.now(), client, requestId, request });
  return true;
}

export function startLinearizableRead(ctx: MemberContext, client: string, requestId: string, request: KvRequest): void {
  if (stallWithoutLeader(ctx, client, requestId, request)) return;
  const raft = ctx.raft;
  if (raft.role === 'leader') {
    requestReadIndex(ctx, { kind: 'client', client, requestId, request }, (index, waiter) => resolveRead(ctx, index, waiter));
    return;
  }
  // PLANTED BUG `follower-serves-linearizable-read`: answer from local state, as a serializable read.
  if (ctx.config.plant === 'follower-serves-linearizable-read') return serveRange(ctx, client, requestId, request);
  const readId = ctx.server.nextReadId++;
  ctx.server.forwardedReads.set(readId, { client, requestId, request, leader: raft.leader! });
  send(ctx, raft.leader!, { type: 'raft.readIndex', readId });
}

/** A read index is known: serve the read once it is applied here, or tell the follower that asked. */
export function resolveRead(ctx: MemberContext, index: number, waiter: ReadWaiter): void {
  if (waiter.kind === 'member') {
    send(ctx, waiter.member, { type: 'raft.readIndexResp', readId: waiter.readId, index, term: ctx.raft.term });
    return;
  }
  if (ctx.raft.applied >= index) serveRange(ctx, waiter.client, waiter.requestId, waiter.request);
  else ctx.server.readsAwaitingApply.push({ index, client: waiter.client, requestId: waiter.requestId, request: waiter.request });
}

/** Follower: the leader's answer to a forwarded read. */
export function completeForwardedRead(ctx: MemberContext, readId: number, index: number): void {
  const read = ctx.server.forwardedReads.get(readId);
  if (!read) return;
  ctx.server.forwardedReads.delete(readId);
  resolveRead(ctx, index, { kind: 'client', client: read.client, requestId: read.requestId, request: read.request });
}

/**
 * Writes, lease operations, compaction and membership changes go through the log. A follower forwards the
 * proposal to the leader; given `forward`, it collects it there instead (the caller forwards them together).
 */
export function proposeRequest(ctx: MemberContext, client: string, requestId: string, request: KvRequest, forward?: EntryData[]): void {
  const server = ctx.server;
  const raft = ctx.raft;
  const data = entryFor(ctx, request, requestId);
  if (!data || raft.leader === null || (raft.role === 'leader' && raft.leadTransferee !== null)) {
    // Answered (or stalled) without a waiter: a batched request is marked for respond().
    if (forward) server.batchedRequests.add(requestId);
    if (!data) return respondError(ctx, client, requestId, 'Unavailable');
    if (stallWithoutLeader(ctx, client, requestId, request)) return;
    // etcd-raft drops proposals while leadership is being handed over.
    return respondError(ctx, client, requestId, 'LeaderChanged');
  }
  // A batched request that stalled earlier for want of a leader carries the mark in batchedRequests.
  const batched = forward !== undefined || (server.batchedRequests.size > 0 && server.batchedRequests.delete(requestId));
  server.waiters.set(requestId, { client, request, batched });
  if (raft.role === 'leader') appendEntry(ctx, data, entrySize(data));
  else if (forward) forward.push(data);
  else proposeEntries(ctx, [data]);
}

/** Leader: appends. Follower: forwards to the leader (dropped when none is known, as etcd-raft does). */
export function proposeEntries(ctx: MemberContext, entries: readonly EntryData[]): void {
  const raft = ctx.raft;
  if (raft.role === 'leader') {
    if (raft.leadTransferee !== null) return;
    for (const data of entries) appendEntry(ctx, data, entrySize(data));
  } else if (raft.leader !== null && raft.role !== 'removed') {
    send(ctx, raft.leader, { type: 'raft.propose', data: entries });
  }
}

/**
 * A `raft.propose` from a follower, appended when leading, passed on to the leader otherwise. Each
 * proposal is handled once per member: etcd's peer streams are TCP and never deliver a message twice, but
 * the simulated network may, and a proposal appended twice is applied twice (found by the fault campaign).
 */
export function handleForwardedProposals(ctx: MemberContext, entries: readonly EntryData[]): void {
  const seen = ctx.server.forwardedProposals;
  const fresh = entries.filter((data) => data.kind === 'noop' || !seen.has(data.requestId));
  for (const data of fresh) if (data.kind !== 'noop') seen.add(data.requestId);
  if (fresh.length > 0) proposeEntries(ctx, fresh);
}

/**
 * An `etcd.requestBatch`: each request is routed exactly as the chart routes a single `etcd.request`
 * (stopped member → Stopped; duplicate → ignored; proposal; local query; linearizable read; moveLeader),
 * all in one step, and answered in `etcd.responseBatch` messages. A follower forwards the batch's
 * proposals to the leader in one message.
 */
export function handleRequestBatch(ctx: MemberContext, client: string, requests: readonly BatchedKvRequest[]): void {
  const server = ctx.server;
  const forward: EntryData[] = [];
  for (let i = 0; i < requests.length; i++) {
    const { requestId, request } = requests[i];
    if (ctx.raft.removed) {
      server.batchedRequests.add(requestId);
      respondError(ctx, client, requestId, 'Stopped');
      continue;
    }
    if (server.recentRequests.has(requestId)) continue;
    if (isProposal(request)) {
      server.recentRequests.add(requestId);
      proposeRequest(ctx, client, requestId, request, forward); // marks the request batched itself
      continue;
    }
    server.batchedRequests.add(requestId);
    if (isLocalQuery(request)) {
      answerLocalQuery(ctx, client, requestId, request);
    } else if (isLinearizableRead(request)) {
      server.recentRequests.add(requestId);
      startLinearizableRead(ctx, client, requestId, request);
      if (ctx.raft.readHeartbeatDue) ctx.raft.readyWanted = true;
    } else if (request.op === 'moveLeader') {
      startLeaderTransfer(ctx, client, requestId, request.target);
    }
  }
  if (forward.length > 0) proposeEntries(ctx, forward);
}

function entrySize(data: EntryData): number {
  return data.kind === 'command' ? commandSize(data.command as Parameters<typeof commandSize>[0]) : 64;
}

function entryFor(ctx: MemberContext, request: KvRequest, requestId: string): EntryData | undefined {
  const origin = ctx.self;
  switch (request.op) {
    case 'memberAdd':
    case 'memberRemove':
    case 'memberPromote':
      return { kind: 'conf', change: confChangeFor(request.op, request.member, request.learner ?? false), origin, requestId };
    default: {
      const command = toCommand(request, () => nextLeaseId(ctx));
      return command && { kind: 'command', command, origin, requestId };
    }
  }
}

function confChangeFor(op: 'memberAdd' | 'memberRemove' | 'memberPromote', id: string, learner: boolean): ConfChange {
  if (op === 'memberRemove') return { op: 'remove', id };
  if (op === 'memberPromote') return { op: 'promote', id };
  return learner ? { op: 'addLearner', id } : { op: 'addVoter', id };
}

/**
 * Lease ids are chosen by the proposing member (as etcd's id generator: member, incarnation, counter),
 * so every member applies the same id. A collision surfaces as ErrLeaseExist, as in etcd.
 */
function nextLeaseId(ctx: MemberContext): number {
  const seq = ++ctx.server.leaseIdSeq;
  const digest = new Fnv64().field(ctx.self).field(ctx.incarnation).field(seq).digest();
  return (parseInt(digest.slice(-8), 16) & 0x7fffffff) || 1;
}

/** `moveLeader`: only the leader can hand over; the answer comes when the target leads (or the attempt times out). */
export function startLeaderTransfer(ctx: MemberContext, client: string, requestId: string, target: string): boolean {
  const raft = ctx.raft;
  if (raft.role !== 'leader') {
    respondError(ctx, client, requestId, raft.leader === null ? 'NoLeader' : 'NotLeader');
    return false;
  }
  if (target === ctx.self) {
    respondOk(ctx, client, requestId, { header: header(ctx, ctx.server.kv.revision) });
    return false;
  }
  if (!raft.conf.voters.includes(target)) {
    respondError(ctx, client, requestId, 'MemberNotFound');
    return false;
  }
  if (ctx.server.moveLeader) respondError(ctx, ctx.server.moveLeader.client, ctx.server.moveLeader.requestId, 'LeaderChanged');
  ctx.server.moveLeader = { client, requestId, target, startedAt: ctx.now() };
  raft.leadTransferee = target;
  raft.leadTransferStartedAt = ctx.now();
  sendTimeoutNowIfCaughtUp(ctx);
  return true;
}

/** The transfer did not complete within an election timeout: resume normal leadership. */
export function abortLeaderTransfer(ctx: MemberContext): void {
  ctx.raft.leadTransferee = null;
  const move = ctx.server.moveLeader;
  if (!move) return;
  ctx.server.moveLeader = undefined;
  respondError(ctx, move.client, move.requestId, 'Unavailable');
}

/** Runs after every step in which the known leader changed. */
export function onLeaderChanged(ctx: MemberContext, leader: string | null): void {
  const server = ctx.server;
  const now = ctx.now();
  if (leader === null) {
    ctx.raft.leaderlessSince ??= now;
  } else {
    ctx.raft.leaderlessSince = undefined;
    // Forwarded reads are lost with the leader that held them.
    for (const [readId, read] of server.forwardedReads) {
      if (read.leader !== leader) {
        server.forwardedReads.delete(readId);
        respondError(ctx, read.client, read.requestId, 'LeaderChanged');
      }
    }
    retryStalled(ctx);
  }
  const move = server.moveLeader;
  if (move && leader !== null && leader !== ctx.self) {
    server.moveLeader = undefined;
    if (leader === move.target) respondOk(ctx, move.client, move.requestId, { header: header(ctx, server.kv.revision) });
    else respondError(ctx, move.client, move.requestId, 'LeaderChanged');
  }
}

/** Requests that waited for a leader: go on now, or fail once they waited an election timeout. */
export function retryStalled(ctx: MemberContext): void {
  const server = ctx.server;
  if (server.stalled.length === 0) return;
  const now = ctx.now();
  const stalled = server.stalled.splice(0);
  for (const s of stalled) {
    if (ctx.raft.leader !== null) dispatchNeedingLeader(ctx, s.client, s.requestId, s.request);
    else if (now - s.at >= ctx.config.electionTimeoutMs) respondError(ctx, s.client, s.requestId, 'NoLeader');
    else server.stalled.push(s);
  }
}

function dispatchNeedingLeader(ctx: MemberContext, client: string, requestId: string, request: KvRequest): void {
  if (isLinearizableRead(request)) startLinearizableRead(ctx, client, requestId, request);
  else proposeRequest(ctx, client, requestId, request);
}

/** Periodic server chores: an overdue leadership transfer, requests waiting for a leader, watch progress. */
export function runHousekeeping(ctx: MemberContext): void {
  if (ctx.raft.role === 'leader' && transferTimedOut(ctx)) abortLeaderTransfer(ctx);
  retryStalled(ctx);
  const server = ctx.server;
  if (ctx.now() - server.lastWatchProgressAt >= ctx.config.watchProgressIntervalMs) {
    server.lastWatchProgressAt = ctx.now();
    server.kv.watchProgressTick();
  }
}
