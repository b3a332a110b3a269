// A string-keyed map as an immutable value whose updates are cheap: a hash array mapped trie (HAMT, as in
// Clojure's and Scala's persistent maps). A key's 32-bit hash picks a path of 5-bit steps through branches
// that hold only their occupied slots (a bitmap says which); setting or deleting a key copies that one path
// (a few small arrays), never the whole map, so an informer's cache can change per watch event in O(log n)
// while every earlier value stays intact. The shape depends only on the content (canonical), so two maps
// with the same entries are deep-equal whatever their history.

interface Entry<V> {
  readonly kind: 'entry';
  readonly key: string;
  readonly hash: number;
  readonly value: V;
}

/** Keys whose whole hashes are equal, sorted by key. */
interface Collision<V> {
  readonly kind: 'collision';
  readonly hash: number;
  readonly entries: readonly Entry<V>[];
}

interface Branch<V> {
  readonly kind: 'branch';
  /** Bit i set: slot i is occupied; `children` holds the occupied slots in order. */
  readonly bitmap: number;
  readonly children: readonly Node<V>[];
}

type Node<V> = Entry<V> | Collision<V> | Branch<V>;

export interface KeyMap<V> {
  readonly size: number;
  readonly root: Node<V> | undefined;
}

const EMPTY: KeyMap<never> = Object.freeze({ size: 0, root: undefined });
const BITS = 5;

export function emptyKeyMap<V>(): KeyMap<V> {
  return EMPTY;
}

/** FNV-1a over UTF-16 code units. */
function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Hashes already computed, because the engine's own Map hashes a string far faster than a loop over its
 * characters (and keeps that hash in the string). A pure function's memo: bounded, never observable.
 */
const HASHES = new Map<string, number>();
const MAX_REMEMBERED = 1 << 17;

function hashOf(key: string): number {
  let hash = HASHES.get(key);
  if (hash === undefined) {
    hash = fnv1a(key);
    if (HASHES.size >= MAX_REMEMBERED) HASHES.clear();
    HASHES.set(key, hash);
  }
  return hash;
}

function slotOf(hash: number, shift: number): number {
  return (hash >>> shift) & 31;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** Where slot `bit` sits among a branch's children. */
function indexOf(bitmap: number, bit: number): number {
  return popcount(bitmap & (bit - 1));
}

export function keyMapGet<V>(map: KeyMap<V>, key: string): V | undefined {
  const hash = hashOf(key);
  let node = map.root;
  let shift = 0;
  while (node !== undefined) {
    if (node.kind === 'entry') return node.key === key ? node.value : undefined;
    if (node.kind === 'collision') return node.hash === hash ? node.entries.find((e) => e.key === key)?.value : undefined;
    const bit = 1 << slotOf(hash, shift);
    if ((node.bitmap & bit) === 0) return undefined;
    node = node.children[indexOf(node.bitmap, bit)];
    shift += BITS;
  }
  return undefined;
}

/** Two leaves with different keys that land in one slot at `shift`: branches until their hashes part. */
function merge<V>(a: Entry<V> | Collision<V>, b: Entry<V>, shift: number): Node<V> {
  if (a.hash === b.hash) {
    const entries = a.kind === 'entry' ? [a] : a.entries;
    return { kind: 'collision', hash: a.hash, entries: [...entries, b].sort((x, y) => (x.key < y.key ? -1 : 1)) };
  }
  const slotA = slotOf(a.hash, shift);
  const slotB = slotOf(b.hash, shift);
  if (slotA === slotB) return { kind: 'branch', bitmap: 1 << slotA, children: [merge(a, b, shift + BITS)] };
  return { kind: 'branch', bitmap: (1 << slotA) | (1 << slotB), children: slotA < slotB ? [a, b] : [b, a] };
}

/** `node` with `entry` set; the same node when nothing changes. `added` reports a new key. */
function setIn<V>(node: Node<V>, shift: number, entry: Entry<V>, added: { value: boolean }): Node<V> {
  if (node.kind === 'entry') {
    if (node.key !== entry.key) {
      added.value = true;
      return merge(node, entry, shift);
    }
    return node.value === entry.value ? node : entry;
  }
  if (node.kind === 'collision') {
    if (node.hash !== entry.hash) {
      added.value = true;
      return merge(node, entry, shift);
    }
    const i = node.entries.findIndex((e) => e.key === entry.key);
    if (i < 0) {
      added.value = true;
      return merge(node, entry, shift); // same hash: merge sorts it into the collision
    }
    if (node.entries[i].value === entry.value) return node;
    const entries = node.entries.slice();
    entries[i] = entry;
    return { kind: 'collision', hash: node.hash, entries };
  }
  const bit = 1 << slotOf(entry.hash, shift);
  const index = indexOf(node.bitmap, bit);
  const children = node.children.slice();
  if ((node.bitmap & bit) === 0) {
    added.value = true;
    children.splice(index, 0, entry);
    return { kind: 'branch', bitmap: node.bitmap | bit, children };
  }
  const child = node.children[index];
  const next = setIn(child, shift + BITS, entry, added);
  if (next === child) return node;
  children[index] = next;
  return { kind: 'branch', bitmap: node.bitmap, children };
}

export function keyMapSet<V>(map: KeyMap<V>, key: string, value: V): KeyMap<V> {
  const entry: Entry<V> = { kind: 'entry', key, hash: hashOf(key), value };
  if (map.root === undefined) return { size: 1, root: entry };
  const added = { value: false };
  const root = setIn(map.root, 0, entry, added);
  if (root === map.root) return map;
  return { size: map.size + (added.value ? 1 : 0), root };
}

/** `node` without `key`; the same node when absent, undefined when nothing is left. */
function deleteIn<V>(node: Node<V>, shift: number, hash: number, key: string): Node<V> | undefined {
  if (node.kind === 'entry') return node.key === key ? undefined : node;
  if (node.kind === 'collision') {
    if (node.hash !== hash) return node;
    const entries = node.entries.filter((e) => e.key !== key);
    if (entries.length === node.entries.length) return node;
    return entries.length === 1 ? entries[0] : { kind: 'collision', hash, entries };
  }
  const bit = 1 << slotOf(hash, shift);
  if ((node.bitmap & bit) === 0) return node;
  const index = indexOf(node.bitmap, bit);
  const child = node.children[index];
  const next = deleteIn(child, shift + BITS, hash, key);
  if (next === child) return node;
  const children = node.children.slice();
  let bitmap = node.bitmap;
  if (next === undefined) {
    children.splice(index, 1);
    bitmap &= ~bit;
  } else {
    children[index] = next;
  }
  if (children.length === 0) return undefined;
  // A branch left holding one leaf is replaced by it: the shape stays what a fresh build would give.
  if (children.length === 1 && children[0].kind !== 'branch') return children[0];
  return { kind: 'branch', bitmap, children };
}

export function keyMapDelete<V>(map: KeyMap<V>, key: string): KeyMap<V> {
  if (map.root === undefined) return map;
  const root = deleteIn(map.root, 0, hashOf(key), key);
  if (root === map.root) return map;
  return root === undefined ? EMPTY : { size: map.size - 1, root };
}

function visit<V>(node: Node<V> | undefined, fn: (key: string, value: V) => void): void {
  if (node === undefined) return;
  if (node.kind === 'entry') fn(node.key, node.value);
  else if (node.kind === 'collision') for (const e of node.entries) fn(e.key, e.value);
  else for (const child of node.children) visit(child, fn);
}

/** Every entry, in the trie's order (by hash: deterministic, but sort when order matters). */
export function keyMapForEach<V>(map: KeyMap<V>, fn: (key: string, value: V) => void): void {
  visit(map.root, fn);
}

export function keyMapKeys<V>(map: KeyMap<V>): string[] {
  const keys: string[] = [];
  visit(map.root, (key) => keys.push(key));
  return keys;
}

export function keyMapFrom<V>(entries: Iterable<readonly [string, V]>): KeyMap<V> {
  let map = emptyKeyMap<V>();
  for (const [key, value] of entries) map = keyMapSet(map, key, value);
  return map;
}
