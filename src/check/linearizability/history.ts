// The recorded history format: one entry per operation a client invoked against the KV store.

export type KvInput =
  /** Linearizable read of one key. */
  | { op: 'get'; key: string }
  | { op: 'put'; key: string; value: string }
  | { op: 'delete'; key: string }
  /** etcd Txn: if every given compare holds then put `value`. */
  | { op: 'cas'; key: string; expectModRevision?: number; expectValue?: string; expectVersion?: number; value: string }
  /** Linearizable read of every key starting with `prefix`. */
  | { op: 'range'; prefix: string };

export interface KvPair {
  key: string;
  value: string;
  modRevision?: number;
  version?: number;
}

export interface KvOkOutput {
  ok: true;
  /** get: the value read, null when the key is absent. */
  value?: string | null;
  /** get: the key's mod_revision (0 when absent). */
  modRevision?: number;
  /** get: the key's version (0 when absent). */
  version?: number;
  /** The response header revision: the store revision after the operation. */
  revision?: number;
  /** cas: whether the compare held and the put was applied. */
  succeeded?: boolean;
  /** range: the pairs read. */
  kvs?: KvPair[];
  /** delete: how many keys were removed (0 or 1), as etcd's DeleteRange reports. */
  deleted?: number;
}

/** A definite failure: the operation did NOT take effect. */
export interface KvErrorOutput {
  ok: false;
  error: string;
}

export type KvOutput = KvOkOutput | KvErrorOutput;

export interface Operation {
  id: number;
  client: string;
  input: KvInput;
  /** Virtual ms at which the client invoked the operation. */
  call: number;
  /** Virtual ms at which the response arrived; undefined = unknown outcome (timeout). */
  return?: number;
  output?: KvOutput;
}

export type KvOpKind = KvInput['op'];

export function isRead(input: KvInput): boolean {
  return input.op === 'get' || input.op === 'range';
}

/** The single key a non-range operation touches. */
export function keyOf(input: KvInput): string | undefined {
  return input.op === 'range' ? undefined : input.key;
}

/** Whether no key can be touched by both operations (so their steps commute in the KV model). */
export function touchDisjointKeys(a: { input: KvInput }, b: { input: KvInput }): boolean {
  const x = a.input;
  const y = b.input;
  if (x.op === 'range' && y.op === 'range') return false;
  if (x.op === 'range') return y.op !== 'range' && !y.key.startsWith(x.prefix);
  if (y.op === 'range') return !x.key.startsWith(y.prefix);
  return x.key !== y.key;
}
