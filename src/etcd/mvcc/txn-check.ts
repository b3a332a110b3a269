// Static validation etcd performs on requests before they reach the state machine
// (etcdserver/api/v3rpc/key.go). Run again inside apply() so every member rejects identically.
import { ApplyError } from './errors.ts';
import { spanContains, toSpan } from './keyspan.ts';
import type { KeySpan } from './keyspan.ts';
import type { KeySelector, PutRequest, RequestOp, TxnRequest } from './types.ts';

export const DEFAULT_MAX_TXN_OPS = 128;

function checkSelector(sel: KeySelector): void {
  // An empty prefix means "every key" (clientv3 sends key "\0"); any other empty key is an error.
  if (sel.key === '' && !sel.prefix) throw new ApplyError('ErrEmptyKey');
}

export function checkPutRequest(req: PutRequest): void {
  if (req.key === '') throw new ApplyError('ErrEmptyKey');
  if (req.ignoreValue && req.value !== '') throw new ApplyError('ErrValueProvided');
  if (req.ignoreLease && (req.lease ?? 0) !== 0) throw new ApplyError('ErrLeaseProvided');
}

export function checkRequestOp(op: RequestOp, maxTxnOps: number): void {
  switch (op.type) {
    case 'range':
    case 'deleteRange':
      return checkSelector(op);
    case 'put':
      return checkPutRequest(op);
    case 'txn':
      return checkTxnRequest(op, maxTxnOps);
  }
}

export function checkTxnRequest(txn: TxnRequest, maxTxnOps: number): void {
  if (Math.max(txn.compare.length, txn.success.length, txn.failure.length) > maxTxnOps) {
    throw new ApplyError('ErrTooManyOps');
  }
  for (const c of txn.compare) checkSelector(c);
  for (const op of txn.success) checkRequestOp(op, maxTxnOps);
  for (const op of txn.failure) checkRequestOp(op, maxTxnOps);
  writesOf(txn.success);
  writesOf(txn.failure);
}

interface Write {
  put?: string;
  del?: KeySpan;
}

function conflicts(a: Write, b: Write): boolean {
  if (a.put !== undefined && b.put !== undefined) return a.put === b.put;
  if (a.put !== undefined && b.del) return spanContains(b.del, a.put);
  if (a.del && b.put !== undefined) return spanContains(a.del, b.put);
  return false; // overlapping deletes are fine: the second one simply finds nothing
}

/**
 * Collects the writes of one branch, rejecting two writes that could touch the same key in one
 * revision: put/put on a key, or a put inside a delete range — unless they sit in opposite
 * branches of one nested txn. This is the symmetric form of etcd's checkIntervals; etcd's version
 * misses a put in an earlier nested txn vs a delete in a later one, which would emit two events
 * for one key in one revision. We reject that too, so a key changes at most once per revision.
 */
function writesOf(ops: RequestOp[]): Write[] {
  const acc: Write[] = [];
  for (const op of ops) {
    let group: Write[];
    if (op.type === 'put') group = [{ put: op.key }];
    else if (op.type === 'deleteRange') group = [{ del: toSpan(op) }];
    else if (op.type === 'txn') group = [...writesOf(op.success), ...writesOf(op.failure)];
    else continue;
    for (const w of group) {
      for (const seen of acc) if (conflicts(w, seen)) throw new ApplyError('ErrDuplicateKey');
    }
    acc.push(...group);
  }
  return acc;
}
