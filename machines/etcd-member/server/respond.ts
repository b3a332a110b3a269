import type { EtcdErrorCode, KvRequest, ResponseHeader } from '../../../src/etcd/protocol.ts';
import type { RangeRequest as MvccRangeRequest } from '../../../src/etcd/mvcc/index.ts';
import { send } from '../raft/persist.ts';
import type { MemberContext } from '../types.ts';
import { etcdError, toRequestOp, toResult } from './translate.ts';

/** etcd's response header: store revision, Raft term, and which member answered. */
export function header(ctx: MemberContext, revision: number): ResponseHeader {
  return { revision, raftTerm: ctx.raft.term, memberId: ctx.self };
}

export function respondOk(ctx: MemberContext, client: string, requestId: string, result: unknown): void {
  send(ctx, client, { type: 'etcd.response', requestId, ok: true, result });
}

export function respondError(ctx: MemberContext, client: string, requestId: string, code: EtcdErrorCode): void {
  const hint = code === 'NotLeader' ? ctx.raft.leader : undefined;
  send(ctx, client, { type: 'etcd.response', requestId, ok: false, error: etcdError(code, hint) });
}

/** Serves a range from this member's applied state (serializable, or after its read index applied). */
export function serveRange(ctx: MemberContext, client: string, requestId: string, request: KvRequest): void {
  if (request.op !== 'range') throw new Error(`serveRange got ${request.op}`);
  const response = ctx.server.kv.range(toRequestOp(request) as MvccRangeRequest);
  const outcome = toResult(response, (revision) => header(ctx, revision));
  send(ctx, client, { type: 'etcd.response', requestId, ...outcome });
}

/** The current membership as the member API reports it. */
export function memberList(ctx: MemberContext): { id: string; learner: boolean }[] {
  const conf = ctx.raft.conf;
  return [...conf.voters.map((id) => ({ id, learner: false })), ...conf.learners.map((id) => ({ id, learner: true }))];
}
