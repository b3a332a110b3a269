import type { Address } from '../../src/bus/envelope.ts';
import type { EtcdError, KvRequest, TxnOp } from '../../src/etcd/protocol.ts';
import type { EtcdClientContext } from './types.ts';

/** Requests that change state. A mutation is never retried after it may have reached a leader. */
export function isMutation(request: KvRequest): boolean {
  switch (request.op) {
    case 'range':
    case 'status':
    case 'snapshotSave':
      return false;
    case 'txn':
      return [...request.success, ...request.failure].some((op: TxnOp) => op.op !== 'range');
    default:
      return true;
  }
}

export type ErrorHandling = 'retry' | 'definite' | 'unknown';

/**
 * What an error means for the operation, as etcd's clientv3 retry policy reads it: "not leader" errors come
 * before the request was proposed, so any request may be retried; a server-side timeout or leader change on
 * a mutation may still commit later, so its outcome is unknown, never "failed".
 */
export function handlingOf(request: KvRequest, error: EtcdError): ErrorHandling {
  switch (error.code) {
    case 'NotLeader':
    case 'NoLeader':
    case 'Stopped':
      return 'retry';
    case 'Unavailable':
    case 'LeaderChanged':
    case 'Unhealthy':
      return isMutation(request) ? 'unknown' : 'retry';
    default:
      return 'definite';
  }
}

/** The member to try next: the leader hint unless we are moving away from it, else round robin. */
export function chooseTarget(context: EtcdClientContext, avoid?: Address): { target: Address; cursor: number } {
  const { members } = context;
  if (context.leaderHint && context.leaderHint !== avoid && members.includes(context.leaderHint)) {
    return { target: context.leaderHint, cursor: context.cursor };
  }
  let cursor = context.cursor;
  for (let i = 0; i < members.length; i++) {
    const candidate = members[cursor % members.length];
    cursor++;
    if (candidate !== avoid || members.length === 1) return { target: candidate, cursor };
  }
  return { target: members[0], cursor };
}

/** Wire ids carry the attempt so late answers to an abandoned attempt are recognised and ignored. */
export function wireId(id: string, attempt: number): string {
  return `${id}#${attempt}`;
}

export function parseWireId(wire: string): { id: string; attempt: number } {
  const hash = wire.lastIndexOf('#');
  return { id: wire.slice(0, hash), attempt: Number(wire.slice(hash + 1)) };
}
