// The informer's local cache: client-go's thread-safe store + indexer, as an immutable value. Objects are
// kept by key; each named index maps an index value to the sorted keys of the objects that produce it.
// Every change returns a new Store and copies only what it touches (the item map and affected buckets).
import type { KubeObject } from './keys.ts';

export type IndexFunc<T> = (obj: T) => readonly string[];
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

type Buckets = Readonly<Record<string, readonly string[]>>;

export interface Store<T> {
  readonly items: Readonly<Record<string, T>>;
  readonly indices: Readonly<Record<string, Buckets>>;
}

export function emptyStore<T>(indexers: Indexers<T> = {}): Store<T> {
  return { items: {}, indices: Object.fromEntries(Object.keys(indexers).map((name) => [name, {}])) };
}

export function storeGet<T>(store: Store<T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(store.items, key) ? store.items[key] : undefined;
}

/** Keys in sorted order, so every walk over a cache is deterministic. */
export function storeKeys<T>(store: Store<T>): string[] {
  return Object.keys(store.items).sort();
}

export function storeList<T>(store: Store<T>): T[] {
  return storeKeys(store).map((key) => store.items[key]);
}

export function storeSize<T>(store: Store<T>): number {
  return Object.keys(store.items).length;
}

/** indexer.IndexKeys: the keys of objects whose index function produced `value`. */
export function storeIndexKeys<T>(store: Store<T>, indexName: string, value: string): readonly string[] {
  const index = store.indices[indexName];
  if (index === undefined) throw new Error(`index "${indexName}" does not exist`);
  return index[value] ?? [];
}

/** indexer.ByIndex. */
export function storeByIndex<T>(store: Store<T>, indexName: string, value: string): T[] {
  return storeIndexKeys(store, indexName, value).map((key) => store.items[key]);
}

function insertSorted(keys: readonly string[] | undefined, key: string): readonly string[] {
  if (keys === undefined) return [key];
  if (keys.includes(key)) return keys;
  return [...keys, key].sort();
}

function removeKey(keys: readonly string[] | undefined, key: string): readonly string[] | undefined {
  if (keys === undefined || !keys.includes(key)) return keys;
  const rest = keys.filter((k) => k !== key);
  return rest.length > 0 ? rest : undefined;
}

function reindex<T>(
  indices: Store<T>['indices'], indexers: Indexers<T>, key: string, oldObj: T | undefined, newObj: T | undefined,
): Store<T>['indices'] {
  let next = indices;
  for (const [name, fn] of Object.entries(indexers)) {
    const before = oldObj === undefined ? [] : fn(oldObj);
    const after = newObj === undefined ? [] : fn(newObj);
    if (before.length === after.length && before.every((v, i) => v === after[i])) continue;
    const buckets: Record<string, readonly string[]> = { ...next[name] };
    for (const value of before) {
      if (after.includes(value)) continue;
      const rest = removeKey(buckets[value], key);
      if (rest === undefined) delete buckets[value];
      else buckets[value] = rest;
    }
    for (const value of after) buckets[value] = insertSorted(buckets[value], key);
    next = { ...next, [name]: buckets };
  }
  return next;
}

/** Add or Update. */
export function storePut<T>(store: Store<T>, indexers: Indexers<T>, key: string, obj: T): Store<T> {
  const old = storeGet(store, key);
  return { items: { ...store.items, [key]: obj }, indices: reindex(store.indices, indexers, key, old, obj) };
}

export function storeDelete<T>(store: Store<T>, indexers: Indexers<T>, key: string): Store<T> {
  const old = storeGet(store, key);
  if (old === undefined) return store;
  const items = { ...store.items };
  delete items[key];
  return { items, indices: reindex(store.indices, indexers, key, old, undefined) };
}

/**
 * Add or Update in place, for a caller that owns the store (no one else holds this value): O(1) instead of
 * copying every item. Opt in through `InformerOptions.ownsStore`.
 */
export function storePutInPlace<T>(store: Store<T>, indexers: Indexers<T>, key: string, obj: T): Store<T> {
  const old = storeGet(store, key);
  (store.items as Record<string, T>)[key] = obj;
  return { items: store.items, indices: reindex(store.indices, indexers, key, old, obj) };
}

/** Delete in place (see storePutInPlace). */
export function storeDeleteInPlace<T>(store: Store<T>, indexers: Indexers<T>, key: string): Store<T> {
  const old = storeGet(store, key);
  if (old === undefined) return store;
  delete (store.items as Record<string, T>)[key];
  return { items: store.items, indices: reindex(store.indices, indexers, key, old, undefined) };
}

/** Replace: the whole content at once (a relist), indices rebuilt. */
export function storeReplace<T>(indexers: Indexers<T>, entries: readonly (readonly [string, T])[]): Store<T> {
  const items: Record<string, T> = {};
  const indices: Record<string, Record<string, readonly string[]>> = {};
  for (const name of Object.keys(indexers)) indices[name] = {};
  for (const [key, obj] of entries) {
    items[key] = obj;
    for (const [name, fn] of Object.entries(indexers)) {
      for (const value of fn(obj)) indices[name][value] = insertSorted(indices[name][value], key);
    }
  }
  return { items, indices };
}

/** Objects of one namespace (cache.NamespaceIndex without needing the index). */
export function storeListNamespace<T extends KubeObject>(store: Store<T>, namespace: string): T[] {
  return storeList(store).filter((obj) => (obj.metadata?.namespace ?? '') === namespace);
}
