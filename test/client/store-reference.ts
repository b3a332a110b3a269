// The informer cache as it was before the persistent map (src/client/store.ts up to the watch-integrity
// change): plain records copied on every change, index buckets re-sorted on every insert. Kept only as
// the reference for the differential test (store.differential.property.test.ts): simple enough to trust.
import type { Indexers } from '../../src/client/index.ts';

export interface ReferenceStore<T> {
  readonly items: Readonly<Record<string, T>>;
  readonly indices: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export function refEmpty<T>(indexers: Indexers<T>): ReferenceStore<T> {
  return { items: {}, indices: Object.fromEntries(Object.keys(indexers).map((name) => [name, {}])) };
}

export function refGet<T>(store: ReferenceStore<T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(store.items, key) ? store.items[key] : undefined;
}

export function refList<T>(store: ReferenceStore<T>): T[] {
  return Object.keys(store.items).sort().map((key) => store.items[key]);
}

export function refIndexKeys<T>(store: ReferenceStore<T>, indexName: string, value: string): readonly string[] {
  return store.indices[indexName][value] ?? [];
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

function reindex<T>(store: ReferenceStore<T>, indexers: Indexers<T>, key: string, oldObj: T | undefined, newObj: T | undefined) {
  let next = store.indices;
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

export function refPut<T>(store: ReferenceStore<T>, indexers: Indexers<T>, key: string, obj: T): ReferenceStore<T> {
  return { items: { ...store.items, [key]: obj }, indices: reindex(store, indexers, key, refGet(store, key), obj) };
}

export function refDelete<T>(store: ReferenceStore<T>, indexers: Indexers<T>, key: string): ReferenceStore<T> {
  const old = refGet(store, key);
  if (old === undefined) return store;
  const items = { ...store.items };
  delete items[key];
  return { items, indices: reindex(store, indexers, key, old, undefined) };
}

export function refReplace<T>(indexers: Indexers<T>, entries: readonly (readonly [string, T])[]): ReferenceStore<T> {
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
