// The informer's local cache: client-go's thread-safe store + indexer, as an immutable value. Objects are
// kept by key in a persistent map (key-map.ts); each named index maps an index value to the sorted keys of
// the objects that produce it, in a persistent map too. A change returns a new Store and copies only the
// paths it touches (and the index buckets that change), so it costs O(log n + bucket size), not O(n):
// every earlier Store value stays valid, and nobody has to own the cache to update it cheaply.
import type { KubeObject } from './keys.ts';
import { emptyKeyMap, keyMapDelete, keyMapForEach, keyMapGet, keyMapKeys, keyMapSet, type KeyMap } from './key-map.ts';

export type IndexFunc<T> = (obj: T) => readonly string[];
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/** Index value → the sorted keys of the objects that produce it. */
type Buckets = KeyMap<readonly string[]>;

export interface Store<T> {
  readonly items: KeyMap<T>;
  readonly indices: Readonly<Record<string, Buckets>>;
}

export function emptyStore<T>(indexers: Indexers<T> = {}): Store<T> {
  return { items: emptyKeyMap(), indices: Object.fromEntries(Object.keys(indexers).map((name) => [name, emptyKeyMap()])) };
}

export function storeGet<T>(store: Store<T>, key: string): T | undefined {
  return keyMapGet(store.items, key);
}

/** Keys in sorted order, so every walk over a cache is deterministic. */
export function storeKeys<T>(store: Store<T>): string[] {
  return keyMapKeys(store.items).sort();
}

export function storeList<T>(store: Store<T>): T[] {
  const entries: [string, T][] = [];
  keyMapForEach(store.items, (key, value) => entries.push([key, value]));
  return entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, value]) => value);
}

export function storeSize<T>(store: Store<T>): number {
  return store.items.size;
}

/** indexer.IndexKeys: the keys of objects whose index function produced `value`. */
export function storeIndexKeys<T>(store: Store<T>, indexName: string, value: string): readonly string[] {
  const index = store.indices[indexName];
  if (index === undefined) throw new Error(`index "${indexName}" does not exist`);
  return keyMapGet(index, value) ?? [];
}

/** indexer.ByIndex. */
export function storeByIndex<T>(store: Store<T>, indexName: string, value: string): T[] {
  return storeIndexKeys(store, indexName, value).map((key) => keyMapGet(store.items, key)!);
}

/** Where `key` is, or would go, in sorted `keys` (binary search). */
function positionOf(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(keys: readonly string[] | undefined, key: string): readonly string[] {
  if (keys === undefined) return [key];
  const at = positionOf(keys, key);
  if (keys[at] === key) return keys;
  const next = keys.slice();
  next.splice(at, 0, key);
  return next;
}

function removeKey(keys: readonly string[] | undefined, key: string): readonly string[] | undefined {
  if (keys === undefined) return undefined;
  const at = positionOf(keys, key);
  if (keys[at] !== key) return keys;
  if (keys.length === 1) return undefined;
  const next = keys.slice();
  next.splice(at, 1);
  return next;
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function reindex<T>(
  indices: Store<T>['indices'], indexers: Indexers<T>, key: string, oldObj: T | undefined, newObj: T | undefined,
): Store<T>['indices'] {
  let next = indices;
  for (const name in indexers) {
    const fn = indexers[name];
    const before = oldObj === undefined ? [] : fn(oldObj);
    const after = newObj === undefined ? [] : fn(newObj);
    if (sameValues(before, after)) continue;
    let buckets = next[name] ?? emptyKeyMap<readonly string[]>();
    for (const value of before) {
      if (after.includes(value)) continue;
      const rest = removeKey(keyMapGet(buckets, value), key);
      buckets = rest === undefined ? keyMapDelete(buckets, value) : keyMapSet(buckets, value, rest);
    }
    for (const value of after) buckets = keyMapSet(buckets, value, insertSorted(keyMapGet(buckets, value), key));
    next = { ...next, [name]: buckets };
  }
  return next;
}

/** Add or Update. */
export function storePut<T>(store: Store<T>, indexers: Indexers<T>, key: string, obj: T): Store<T> {
  const old = storeGet(store, key);
  return { items: keyMapSet(store.items, key, obj), indices: reindex(store.indices, indexers, key, old, obj) };
}

export function storeDelete<T>(store: Store<T>, indexers: Indexers<T>, key: string): Store<T> {
  const old = storeGet(store, key);
  if (old === undefined) return store;
  return { items: keyMapDelete(store.items, key), indices: reindex(store.indices, indexers, key, old, undefined) };
}

/**
 * Kept for callers written when an update copied the whole cache (`InformerOptions.ownsStore`): an update
 * now copies only a path, so this is `storePut`.
 */
export const storePutInPlace = storePut;

/** See storePutInPlace. */
export const storeDeleteInPlace = storeDelete;

/** Replace: the whole content at once (a relist), indices rebuilt. */
export function storeReplace<T>(indexers: Indexers<T>, entries: readonly (readonly [string, T])[]): Store<T> {
  let items = emptyKeyMap<T>();
  const buckets: Record<string, Map<string, string[]>> = {};
  for (const name in indexers) buckets[name] = new Map();
  for (const [key, obj] of entries) {
    items = keyMapSet(items, key, obj);
    for (const name in indexers) {
      for (const value of indexers[name](obj)) {
        const keys = buckets[name].get(value);
        if (keys === undefined) buckets[name].set(value, [key]);
        else keys.push(key);
      }
    }
  }
  const indices: Record<string, Buckets> = {};
  for (const name in indexers) {
    let index = emptyKeyMap<readonly string[]>();
    for (const [value, keys] of buckets[name]) index = keyMapSet(index, value, [...new Set(keys)].sort());
    indices[name] = index;
  }
  return { items, indices };
}

/** Objects of one namespace (cache.NamespaceIndex without needing the index). */
export function storeListNamespace<T extends KubeObject>(store: Store<T>, namespace: string): T[] {
  return storeList(store).filter((obj) => (obj.metadata?.namespace ?? '') === namespace);
}
