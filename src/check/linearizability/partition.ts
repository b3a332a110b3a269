// P-compositionality: a history is linearizable iff each per-key sub-history is, because the store
// is a product of independent registers. A range read spans every key under its prefix, so it
// merges all of them (every key of the history starting with the prefix, plus any key it returned)
// into one partition, checked with the multi-key model. Revision-dependent facts that cross
// partitions are checked separately (see model.ts and revision-order.ts).
import type { PreparedOp } from './prepare.ts';

export interface Partition {
  /** The real keys of this partition, sorted. Empty for a range over a prefix no key matches. */
  readonly keys: string[];
  /** Human-readable name: the key, or the set of keys. */
  readonly label: string;
  readonly ops: PreparedOp[];
}

// Node names: real keys are prefixed with "k", range prefixes with "p", so they never collide.
const keyNode = (key: string) => `k${key}`;
const prefixNode = (prefix: string) => `p${prefix}`;

export function partitionByKey(ops: readonly PreparedOp[]): Partition[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    while (x !== root) {
      const up = parent.get(x)!;
      parent.set(x, root);
      x = up;
    }
    return root;
  };
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x);
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };

  const keys = new Set<string>();
  const prefixes = new Set<string>();
  for (const op of ops) {
    if (op.input.op === 'range') {
      prefixes.add(op.input.prefix);
      for (const kv of op.output?.kvs ?? []) keys.add(kv.key);
    } else keys.add(op.input.key);
  }
  for (const key of keys) add(keyNode(key));
  for (const prefix of prefixes) {
    add(prefixNode(prefix));
    for (const key of keys) if (key.startsWith(prefix)) union(prefixNode(prefix), keyNode(key));
  }

  const groups = new Map<string, { keys: string[]; ops: PreparedOp[] }>();
  const groupOf = (node: string) => {
    const root = find(node);
    let group = groups.get(root);
    if (!group) groups.set(root, (group = { keys: [], ops: [] }));
    return group;
  };
  for (const key of keys) groupOf(keyNode(key)).keys.push(key);
  for (const op of ops) groupOf(op.input.op === 'range' ? prefixNode(op.input.prefix) : keyNode(op.input.key)).ops.push(op);

  return [...groups.values()]
    .filter((g) => g.ops.length > 0)
    .map((g) => {
      const sortedKeys = g.keys.sort();
      return { keys: sortedKeys, label: labelFor(sortedKeys, g.ops), ops: g.ops };
    })
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

export function singlePartition(ops: readonly PreparedOp[]): Partition {
  const keys = new Set<string>();
  for (const op of ops) {
    if (op.input.op === 'range') for (const kv of op.output?.kvs ?? []) keys.add(kv.key);
    else keys.add(op.input.key);
  }
  const sortedKeys = [...keys].sort();
  return { keys: sortedKeys, label: labelFor(sortedKeys, ops), ops: [...ops] };
}

function labelFor(keys: string[], ops: readonly PreparedOp[]): string {
  if (keys.length === 1) return keys[0];
  if (keys.length > 1) return `{${keys.join(', ')}}`;
  const prefixes = new Set(ops.map((op) => (op.input.op === 'range' ? op.input.prefix : '')));
  return `range ${[...prefixes].map((p) => JSON.stringify(p)).join(', ')}`;
}
