// Turns a recorded history into the operations the search must linearize.
//
//  - A definite failure ({ok:false}) did not take effect: dropped.
//  - A read with an unknown outcome constrains nothing: dropped.
//  - A write with an unknown outcome may take effect at any time after its call, or never:
//    kept with ret = Infinity and no output (the model accepts any response).
//  - Such a write whose value is unique for its key and was later observed (by a read, or by a
//    txn whose value compare succeeded) must have taken effect before the first observer
//    returned, so its ret is lowered to that time. This keeps exactly the same linearizations
//    (anything called after the observer returned follows the observer, which follows the
//    write) but lets the search treat it as an ordinary bounded operation.
//  - A value that no operation ever observes or compares (a write overwritten before anyone read
//    it) is replaced, for the search, by one shared placeholder. The model only ever compares
//    values with observed or expected ones, so this changes no verdict, but it makes states that
//    differ only in such values equal, and lost writes of them interchangeable.
import type { KvInput, KvOkOutput, Operation } from './history.ts';
import { isRead } from './history.ts';

export interface PreparedOp {
  /** The recorded operation this was derived from. */
  readonly source: Operation;
  /** The input as searched: may differ from `source.input` by an unobserved value's placeholder. */
  readonly input: KvInput;
  /** undefined when the outcome is unknown. */
  readonly output: KvOkOutput | undefined;
  readonly call: number;
  /** Infinity when the write may take effect at any time after its call. */
  readonly ret: number;
}

export class MalformedHistoryError extends Error {
  override name = 'MalformedHistoryError';
}

export function prepareHistory(history: readonly Operation[]): PreparedOp[] {
  const prepared: PreparedOp[] = [];
  for (const op of history) {
    validate(op);
    const known = op.return !== undefined && op.output !== undefined;
    if (op.output && !op.output.ok) continue;
    if (!known && isRead(op.input)) continue;
    prepared.push({
      source: op,
      input: op.input,
      output: known ? (op.output as KvOkOutput) : undefined,
      call: op.call,
      ret: known ? op.return! : Number.POSITIVE_INFINITY,
    });
  }
  const bounded = replaceUnobservedValues(boundObservedUnknownWrites(prepared));
  return bounded.sort((a, b) => a.call - b.call || a.source.id - b.source.id);
}

function validate(op: Operation): void {
  if (!Number.isFinite(op.call)) throw new MalformedHistoryError(`operation ${op.id}: call time ${op.call} is not finite`);
  if (op.return !== undefined && !(op.return >= op.call)) {
    throw new MalformedHistoryError(`operation ${op.id}: returns at ${op.return}, before its call at ${op.call}`);
  }
}

const writtenValue = (input: KvInput): string | undefined =>
  input.op === 'put' || input.op === 'cas' ? input.value : undefined;

/** The (key, value) pairs an operation proves were in the store at its linearization point. */
function* observedPairs(op: PreparedOp): Iterable<[string, string]> {
  const { input, output } = op;
  if (!output || op.ret === Number.POSITIVE_INFINITY) return;
  if (input.op === 'get' && typeof output.value === 'string') yield [input.key, output.value];
  if (input.op === 'range') for (const kv of output.kvs ?? []) yield [kv.key, kv.value];
  if (input.op === 'cas' && output.succeeded === true && input.expectValue !== undefined) yield [input.key, input.expectValue];
}

/** An injective encoding of a (key, value) pair. */
const pairKey = (key: string, value: string) => `${key.length}:${key}${value}`;

/** Every (key, value) that some operation observed, or compared against. */
function observedOrCompared(ops: readonly PreparedOp[]): Set<string> {
  const seen = new Set<string>();
  for (const op of ops) {
    for (const [key, value] of observedPairs(op)) seen.add(pairKey(key, value));
    if (op.input.op === 'cas' && op.input.expectValue !== undefined) seen.add(pairKey(op.input.key, op.input.expectValue));
  }
  return seen;
}

function replaceUnobservedValues(ops: PreparedOp[]): PreparedOp[] {
  const seen = observedOrCompared(ops);
  const values = new Set<string>();
  for (const op of ops) {
    const value = writtenValue(op.input);
    if (value !== undefined) values.add(value);
    for (const kv of op.output?.kvs ?? []) values.add(kv.value);
  }
  let placeholder = '\u0000unobserved';
  while (values.has(placeholder)) placeholder += '\u0000';
  return ops.map((op) => {
    const { input } = op;
    if ((input.op !== 'put' && input.op !== 'cas') || seen.has(pairKey(input.key, input.value))) return op;
    return { ...op, input: { ...input, value: placeholder } };
  });
}

function boundObservedUnknownWrites(ops: PreparedOp[]): PreparedOp[] {
  const writers = new Map<string, number>();
  for (const op of ops) {
    const value = writtenValue(op.input);
    if (value !== undefined && op.input.op !== 'range') {
      const k = pairKey(op.input.key, value);
      writers.set(k, (writers.get(k) ?? 0) + 1);
    }
  }
  const firstObservedAt = new Map<string, number>();
  for (const op of ops) {
    for (const [key, value] of observedPairs(op)) {
      const k = pairKey(key, value);
      firstObservedAt.set(k, Math.min(firstObservedAt.get(k) ?? Number.POSITIVE_INFINITY, op.ret));
    }
  }
  return ops.map((op) => {
    const value = writtenValue(op.input);
    if (op.ret !== Number.POSITIVE_INFINITY || value === undefined || op.input.op === 'range') return op;
    const k = pairKey(op.input.key, value);
    const observedAt = firstObservedAt.get(k);
    // An observation before the call is a violation the search will find; leave the op alone.
    if (writers.get(k) !== 1 || observedAt === undefined || observedAt < op.call) return op;
    return { ...op, ret: observedAt };
  });
}
