import { describe, expect, it, vi } from 'vitest';
import { KeyHistory } from '../../../src/etcd/mvcc/key-index.ts';
import { MvccStore } from '../../../src/etcd/mvcc/index.ts';
import { expectError, get, keysOf, ok } from './helpers.ts';

describe('revisions, versions and createRevision', () => {
  it('starts at revision 1 and gives each write the next revision', () => {
    const s = new MvccStore();
    expect(s.revision).toBe(1);
    expect(ok(s.range({ key: '/a' })).header.revision).toBe(1);
    expect(ok(s.put({ key: '/a', value: '1' })).header.revision).toBe(2);
    expect(ok(s.put({ key: '/b', value: '1' })).header.revision).toBe(3);
    expect(s.revision).toBe(3);
  });

  it('tracks version and createRevision through update, delete and re-create', () => {
    const s = new MvccStore();
    s.put({ key: '/a', value: 'v1' }); // rev 2
    expect(get(s, '/a')).toEqual({ key: '/a', value: 'v1', createRevision: 2, modRevision: 2, version: 1, lease: 0 });
    s.put({ key: '/a', value: 'v2' }); // rev 3
    expect(get(s, '/a')).toMatchObject({ createRevision: 2, modRevision: 3, version: 2 });
    const del = ok(s.deleteRange({ key: '/a', prevKv: true })); // rev 4
    expect(del.deleted).toBe(1);
    expect(del.header.revision).toBe(4);
    expect(del.prevKvs).toEqual([{ key: '/a', value: 'v2', createRevision: 2, modRevision: 3, version: 2, lease: 0 }]);
    expect(get(s, '/a')).toBeUndefined();
    s.put({ key: '/a', value: 'v3' }); // rev 5: a new generation
    expect(get(s, '/a')).toEqual({ key: '/a', value: 'v3', createRevision: 5, modRevision: 5, version: 1, lease: 0 });
    s.put({ key: '/a', value: 'v4' }); // rev 6
    expect(get(s, '/a')).toMatchObject({ createRevision: 5, modRevision: 6, version: 2 });
  });

  it('does not bump the revision when a delete removes nothing', () => {
    const s = new MvccStore();
    s.put({ key: '/a', value: '1' });
    const r = ok(s.deleteRange({ key: '/zzz' }));
    expect(r.deleted).toBe(0);
    expect(r.header.revision).toBe(2);
    expect(s.revision).toBe(2);
    expect(ok(s.deleteRange({ key: '/a' })).header.revision).toBe(3);
    expect(ok(s.deleteRange({ key: '/a' })).deleted).toBe(0);
    expect(s.revision).toBe(3);
  });

  it('returns prevKv on put only when asked and when the key existed', () => {
    const s = new MvccStore();
    expect(ok(s.put({ key: '/a', value: '1', prevKv: true })).prevKv).toBeUndefined();
    expect(ok(s.put({ key: '/a', value: '2' })).prevKv).toBeUndefined();
    expect(ok(s.put({ key: '/a', value: '3', prevKv: true })).prevKv).toMatchObject({ value: '2', version: 2 });
  });

  it('a range-delete removes every key in range in one revision', () => {
    const s = new MvccStore();
    for (const k of ['/r/p/a', '/r/p/b', '/r/q/a']) s.put({ key: k, value: k });
    const r = ok(s.deleteRange({ key: '/r/p/', prefix: true }));
    expect(r.deleted).toBe(2);
    expect(s.revision).toBe(5);
    expect(keysOf(ok(s.range({ key: '/r/', prefix: true })).kvs)).toEqual(['/r/q/a']);
  });

  it('put with ignoreValue/ignoreLease keeps the old value/lease and needs an existing key', () => {
    const s = new MvccStore();
    s.leaseGrant({ id: 7, ttl: 60 });
    expectError(s.put({ key: '/a', value: '', ignoreValue: true }), 'ErrKeyNotFound');
    expectError(s.put({ key: '/a', value: 'x', ignoreLease: true }), 'ErrKeyNotFound');
    s.put({ key: '/a', value: 'orig', lease: 7 });
    s.put({ key: '/a', value: 'new', ignoreLease: true });
    expect(get(s, '/a')).toMatchObject({ value: 'new', lease: 7, version: 2 });
    s.put({ key: '/a', value: '', ignoreValue: true });
    expect(get(s, '/a')).toMatchObject({ value: 'new', lease: 0, version: 3 });
    expectError(s.put({ key: '/a', value: 'x', ignoreValue: true }), 'ErrValueProvided');
    expectError(s.put({ key: '/a', value: 'x', lease: 7, ignoreLease: true }), 'ErrLeaseProvided');
    expect(s.revision).toBe(4); // three successful puts; errors change nothing
  });

  it('rejects empty keys', () => {
    const s = new MvccStore();
    expectError(s.put({ key: '', value: 'x' }), 'ErrEmptyKey');
    expectError(s.range({ key: '' }), 'ErrEmptyKey');
    expectError(s.deleteRange({ key: '' }), 'ErrEmptyKey');
    expect(s.revision).toBe(1);
  });
});

describe('range', () => {
  function populated(): MvccStore {
    const s = new MvccStore();
    for (const k of ['/registry/pods/default/a', '/registry/pods/default/b', '/registry/pods/kube/c', '/registry/services/x']) {
      s.put({ key: k, value: `v-${k}` });
    }
    return s;
  }

  it('selects by single key, prefix, [key, rangeEnd) and from-key', () => {
    const s = populated();
    expect(keysOf(ok(s.range({ key: '/registry/pods/', prefix: true })).kvs)).toEqual([
      '/registry/pods/default/a',
      '/registry/pods/default/b',
      '/registry/pods/kube/c',
    ]);
    expect(keysOf(ok(s.range({ key: '/registry/pods/default/b', rangeEnd: '/registry/services/x' })).kvs)).toEqual([
      '/registry/pods/default/b',
      '/registry/pods/kube/c',
    ]);
    expect(keysOf(ok(s.range({ key: '/registry/pods/kube/c', rangeEnd: '\0' })).kvs)).toEqual([
      '/registry/pods/kube/c',
      '/registry/services/x',
    ]);
    expect(ok(s.range({ key: '', prefix: true })).count).toBe(4);
    expect(ok(s.range({ key: '/registry/pods/' })).kvs).toEqual([]);
    expect(ok(s.range({ key: '/z', rangeEnd: '/a' })).kvs).toEqual([]);
  });

  it('applies limit (more, count), countOnly and keysOnly', () => {
    const s = populated();
    const limited = ok(s.range({ key: '/registry/', prefix: true, limit: 2 }));
    expect(keysOf(limited.kvs)).toEqual(['/registry/pods/default/a', '/registry/pods/default/b']);
    expect(limited.more).toBe(true);
    expect(limited.count).toBe(4);
    const exact = ok(s.range({ key: '/registry/', prefix: true, limit: 4 }));
    expect(exact.more).toBe(false);
    const counted = ok(s.range({ key: '/registry/pods/', prefix: true, countOnly: true }));
    expect(counted).toEqual({ type: 'range', header: { revision: 5 }, kvs: [], more: false, count: 3 });
    const keysOnly = ok(s.range({ key: '/registry/services/x', keysOnly: true }));
    expect(keysOnly.kvs).toEqual([{ key: '/registry/services/x', value: '', createRevision: 5, modRevision: 5, version: 1, lease: 0 }]);
  });

  it('reads any historical revision, reporting the current revision in the header', () => {
    const s = new MvccStore();
    s.put({ key: '/a', value: '1' }); // 2
    s.put({ key: '/b', value: '1' }); // 3
    s.put({ key: '/a', value: '2' }); // 4
    s.deleteRange({ key: '/b' }); // 5
    s.put({ key: '/b', value: '2' }); // 6
    const at = (rev: number) => ok(s.range({ key: '/', prefix: true, revision: rev }));
    expect(at(1).kvs).toEqual([]);
    expect(at(2).kvs.map((kv) => `${kv.key}=${kv.value}`)).toEqual(['/a=1']);
    expect(at(3).kvs.map((kv) => `${kv.key}=${kv.value}`)).toEqual(['/a=1', '/b=1']);
    expect(at(4).kvs.map((kv) => `${kv.key}=${kv.value}`)).toEqual(['/a=2', '/b=1']);
    expect(at(5).kvs.map((kv) => `${kv.key}=${kv.value}`)).toEqual(['/a=2']);
    expect(at(6).kvs.map((kv) => `${kv.key}=${kv.value}@${kv.createRevision}`)).toEqual(['/a=2@2', '/b=2@6']);
    expect(at(3).header.revision).toBe(6);
    expectError(s.range({ key: '/a', revision: 7 }), 'ErrFutureRev');
  });

  it('costs O(keys in range), not O(history): one history lookup per key in the span', () => {
    const s = new MvccStore();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 2000; i++) s.put({ key: `/registry/pods/ns${i % 20}/pod-${i}`, value: `r${round}` });
    }
    const lookups = vi.spyOn(KeyHistory.prototype, 'at');
    const r = ok(s.range({ key: '/registry/pods/ns7/', prefix: true }));
    expect(r.count).toBe(100);
    expect(r.kvs.every((kv) => kv.version === 5 && kv.value === 'r4')).toBe(true);
    expect(lookups).toHaveBeenCalledTimes(100);
    lookups.mockRestore();
  });
});
