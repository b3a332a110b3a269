// Test helpers: a compact history notation and a brute-force linearizability oracle.
import type { KvInput, KvOkOutput, KvOutput, Operation } from '../../../src/check/linearizability/history.ts';
import { ReferenceStore } from '../../../src/check/linearizability/reference-store.ts';

export const get = (key: string): KvInput => ({ op: 'get', key });
export const put = (key: string, value: string): KvInput => ({ op: 'put', key, value });
export const del = (key: string): KvInput => ({ op: 'delete', key });
export const range = (prefix: string): KvInput => ({ op: 'range', prefix });
export const cas = (
  key: string,
  compare: { expectValue?: string; expectVersion?: number; expectModRevision?: number },
  value: string,
): KvInput => ({ op: 'cas', key, ...compare, value });

export const ok = (fields: Omit<KvOkOutput, 'ok'> = {}): KvOkOutput => ({ ok: true, ...fields });
export const failed = (error = 'unavailable'): KvOutput => ({ ok: false, error });

/** [client, call, return (undefined = unknown outcome), input, output] */
export type Row = [client: string, call: number, ret: number | undefined, input: KvInput, output?: KvOutput];

export function history(...rows: Row[]): Operation[] {
  return rows.map(([client, call, ret, input, output], id) => {
    const op: Operation = { id, client, input, call };
    if (ret !== undefined) op.return = ret;
    if (ret !== undefined && output !== undefined) op.output = output;
    return op;
  });
}

/** Does `actual` (the reference store's response) agree with every field the history recorded? */
function agrees(recorded: KvOkOutput, actual: KvOkOutput): boolean {
  const scalar = ['value', 'version', 'modRevision', 'revision', 'succeeded', 'deleted'] as const;
  for (const field of scalar) if (recorded[field] !== undefined && recorded[field] !== actual[field]) return false;
  if (recorded.kvs) {
    const got = actual.kvs ?? [];
    if (recorded.kvs.length !== got.length) return false;
    const byKey = new Map(got.map((kv) => [kv.key, kv]));
    for (const kv of recorded.kvs) {
      const other = byKey.get(kv.key);
      if (!other || other.value !== kv.value) return false;
      if (kv.version !== undefined && kv.version !== other.version) return false;
      if (kv.modRevision !== undefined && kv.modRevision !== other.modRevision) return false;
    }
  }
  return true;
}

/**
 * Exhaustive oracle, exponential: tries every order consistent with real time, and every subset of
 * unknown-outcome writes, replaying each against the independent reference store (whose revision
 * counter is exact and starts at 1). Only for histories of a handful of operations.
 */
export function bruteForceLinearizable(ops: readonly Operation[]): boolean {
  const relevant = ops.filter((op) => !(op.output && !op.output.ok) && !(op.return === undefined && (op.input.op === 'get' || op.input.op === 'range')));
  const completed = (op: Operation) => op.return !== undefined && op.output !== undefined;
  const ret = (op: Operation) => (completed(op) ? op.return! : Number.POSITIVE_INFINITY);
  const used = new Array<boolean>(relevant.length).fill(false);
  const order: Operation[] = [];

  const replays = (): boolean => {
    const store = new ReferenceStore();
    for (const op of order) {
      const actual = store.apply(op.input);
      if (completed(op) && !agrees(op.output as KvOkOutput, actual)) return false;
    }
    return true;
  };

  const search = (): boolean => {
    if (!replays()) return false;
    if (relevant.every((op, i) => used[i] || !completed(op))) return true;
    for (let i = 0; i < relevant.length; i++) {
      if (used[i]) continue;
      const candidate = relevant[i];
      const blocked = relevant.some((other, j) => !used[j] && completed(other) && ret(other) < candidate.call);
      if (blocked) continue;
      used[i] = true;
      order.push(candidate);
      const found = search();
      order.pop();
      used[i] = false;
      if (found) return true;
    }
    return false;
  };
  return search();
}
