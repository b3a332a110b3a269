// Txn guard evaluation, as etcd's applyCompare/compareKV.
import type { Compare, KeyValue } from './types.ts';

const MISSING: KeyValue = { key: '', value: '', createRevision: 0, modRevision: 0, version: 0, lease: 0 };

function order(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKv(c: Compare, kv: KeyValue): boolean {
  let d: number;
  switch (c.target) {
    case 'VALUE':
      d = order(kv.value, c.value);
      break;
    case 'VERSION':
      d = order(kv.version, c.version);
      break;
    case 'CREATE':
      d = order(kv.createRevision, c.createRevision);
      break;
    case 'MOD':
      d = order(kv.modRevision, c.modRevision);
      break;
    case 'LEASE':
      d = order(kv.lease, c.lease);
      break;
  }
  switch (c.result) {
    case 'EQUAL':
      return d === 0;
    case 'NOT_EQUAL':
      return d !== 0;
    case 'GREATER':
      return d > 0;
    case 'LESS':
      return d < 0;
  }
}

/**
 * `kvs` = the live keys the compare selects. With none, a VALUE compare fails (etcd cannot tell a
 * missing value from ""), while VERSION/CREATE/MOD/LEASE compare against 0.
 */
export function compareHolds(c: Compare, kvs: readonly KeyValue[]): boolean {
  if (kvs.length === 0) return c.target !== 'VALUE' && compareKv(c, MISSING);
  return kvs.every((kv) => compareKv(c, kv));
}
