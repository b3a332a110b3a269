import { expect } from 'vitest';
import { MvccStore, WatchHub } from '../../../src/etcd/mvcc/index.ts';
import type { Commit, ErrorCode, ErrorResponse, KeyValue, MvccStoreOptions } from '../../../src/etcd/mvcc/index.ts';

/** Narrows a response to success, failing the test with the error otherwise. */
export function ok<R extends { type: string }>(r: R | ErrorResponse): R {
  if (r.type === 'error') throw new Error(`unexpected error: ${(r as ErrorResponse).error.message}`);
  return r as R;
}

export function expectError(r: { type: string }, code: ErrorCode): void {
  expect(r.type).toBe('error');
  expect((r as ErrorResponse).error.code).toBe(code);
}

/** The single live kv of `key` (at `revision`, 0 = current), or undefined. */
export function get(s: MvccStore, key: string, revision = 0): KeyValue | undefined {
  return ok(s.range({ key, revision })).kvs[0];
}

export function keysOf(kvs: readonly KeyValue[]): string[] {
  return kvs.map((kv) => kv.key);
}

/** A store with a hub and a recorder of every commit (the watch ground truth). */
export function watchedStore(options: MvccStoreOptions = {}, maxEventsPerResponse?: number) {
  const store = new MvccStore(options);
  const commits: Commit[] = [];
  store.subscribe((c) => commits.push(c));
  const hub = new WatchHub(store, { maxEventsPerResponse });
  return { store, hub, commits };
}
