import type { BatchedKvResponse, EtcdErrorCode, KvRequest, ResponseHeader } from '../../../src/etcd/protocol.ts';
import type { RangeRequest as MvccRangeRequest } from '../../../src/etcd/mvcc/index.ts';
import { send } from '../raft/persist.ts';
import type { MemberContext } from '../types.ts';
import { etcdError, toRequestOp, toResult } from './translate.ts';

/** etcd's response header: store revision, Raft term, and which member answered. */
export function header(ctx: MemberContext, revision: number): ResponseHeader {
  return { revision, raftTerm: ctx.raft.term, memberId: ctx.self };
}

/**
 * Every answer to a client request goes through here. A request that came in an `etcd.requestBatch` is
 * answered inside the `etcd.responseBatch` that `finishStep` sends the client at the end of the step (after
 * every disk write and sync of the step, like any other message); any other in its own `etcd.response`.
 * `batched` says so for a request answered from its `Waiter`; otherwise `batchedRequests` tells.
 */
export function respond(ctx: MemberContext, client: string, response: BatchedKvResponse, batched = false): void {
  const server = ctx.server;
  if (batched || (server.batchedRequests.size > 0 && server.batchedRequests.delete(response.requestId))) {
    const pending = server.responseBatches.get(client);
    if (pending) pending.push(response);
    else server.responseBatches.set(client, [response]);
    return;
  }
  send(ctx, client, response.ok
    ? { type: 'etcd.response', requestId: response.requestId, ok: true, result: response.result }
    : { type: 'etcd.response', requestId: response.requestId, ok: false, error: response.error });
}

/** End of a step: one `etcd.responseBatch` per client with batched requests answered in the step. */
export function flushResponseBatches(ctx: MemberContext): void {
  const batches = ctx.server.responseBatches;
  if (batches.size === 0) return;
  for (const [client, responses] of batches) send(ctx, client, { type: 'etcd.responseBatch', responses });
  batches.clear();
}

export function respondOk(ctx: MemberContext, client: string, requestId: string, result: unknown, batched = false): void {
  respond(ctx, client, { requestId, ok: true, result }, batched);
}

export function respondError(ctx: MemberContext, client: string, requestId: string, code: EtcdErrorCode, batched = false): void {
  const hint = code === 'NotLeader' ? ctx.raft.leader : undefined;
  respond(ctx, client, { requestId, ok: false, error: etcdError(code, hint) }, batched);
}

/** Serves a range from this member's applied state (serializable, or after its read index applied). */
export function serveRange(ctx: MemberContext, client: string, requestId: string, request: KvRequest): void {
  if (request.op !== 'range') throw new Error(`serveRange got ${request.op}`);
  const response = ctx.server.kv.range(toRequestOp(request) as MvccRangeRequest);
  respond(ctx, client, toResult(requestId, response, (revision) => header(ctx, revision)));
}

/** The current membership as the member API reports it. */
export function memberList(ctx: MemberContext): { id: string; learner: boolean }[] {
  const conf = ctx.raft.conf;
  return [...conf.voters.map((id) => ({ id, learner: false })), ...conf.learners.map((id) => ({ id, learner: true }))];
}
