import { describe, expect, it } from 'vitest';
import { MvccStore } from '../../../src/etcd/mvcc/index.ts';
import { expectError, get, ok } from './helpers.ts';

/** /a: 2,3,4; /b: 5, deleted 6; /c: 7. Current revision 7. */
function history(): MvccStore {
  const s = new MvccStore();
  s.put({ key: '/a', value: 'a1' }); // 2
  s.put({ key: '/a', value: 'a2' }); // 3
  s.put({ key: '/a', value: 'a3' }); // 4
  s.put({ key: '/b', value: 'b1' }); // 5
  s.deleteRange({ key: '/b' }); // 6
  s.put({ key: '/c', value: 'c1' }); // 7
  return s;
}

describe('compaction', () => {
  it('rejects compacting at or below the compact revision, or beyond the current revision', () => {
    const s = history();
    expectError(s.compact({ revision: 8 }), 'ErrFutureRev');
    expect(ok(s.compact({ revision: 4 })).header.revision).toBe(7);
    expect(s.compactRevision).toBe(4);
    expectError(s.compact({ revision: 4 }), 'ErrCompacted');
    expectError(s.compact({ revision: 3 }), 'ErrCompacted');
    expect(s.revision).toBe(7); // compaction never creates a revision
  });

  it('keeps reads at and above the compact revision exact; below them fail', () => {
    const s = history();
    const before = [4, 5, 6, 7].map((rev) => ok(s.range({ key: '/', prefix: true, revision: rev })).kvs);
    s.compact({ revision: 4 });
    const after = [4, 5, 6, 7].map((rev) => ok(s.range({ key: '/', prefix: true, revision: rev })).kvs);
    expect(after).toEqual(before);
    expectError(s.range({ key: '/a', revision: 3 }), 'ErrCompacted');
    expect(get(s, '/a', 4)).toMatchObject({ value: 'a3', version: 3, createRevision: 2 });
  });

  it('drops superseded versions and tombstoned generations from the retained history', () => {
    const s = history();
    s.compact({ revision: 7 });
    const retained = s.snapshot().changes.map((c) => `${c.key}@${c.modRevision}${c.version === 0 ? '-' : ''}`);
    // /a keeps its latest version; /b's deleted generation is gone; /c's put at the compact revision stays.
    expect(retained).toEqual(['/a@4', '/c@7']);
  });

  it('keeps a tombstone exactly at the compact revision (so watches from it see the delete)', () => {
    const s = history();
    s.compact({ revision: 6 });
    expect(s.snapshot().changes.map((c) => `${c.key}@${c.modRevision}${c.version === 0 ? '-' : ''}`)).toEqual(['/a@4', '/b@6-', '/c@7']);
    expect(s.commitAt(6)?.events.map((e) => `${e.type} ${e.kv.key}`)).toEqual(['DELETE /b']);
    s.put({ key: '/d', value: 'd' }); // 8
    s.compact({ revision: 8 });
    expect(s.snapshot().changes.map((c) => `${c.key}@${c.modRevision}`)).toEqual(['/a@4', '/c@7', '/d@8']);
  });

  it('a re-created key after compaction still starts a new generation', () => {
    const s = history();
    s.compact({ revision: 7 });
    s.put({ key: '/b', value: 'b2' });
    expect(get(s, '/b')).toMatchObject({ createRevision: 8, version: 1 });
    s.put({ key: '/a', value: 'a4' });
    expect(get(s, '/a')).toMatchObject({ createRevision: 2, version: 4 });
  });
});
