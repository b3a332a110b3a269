import { describe, expect, it } from 'vitest';
import { MvccStore } from '../../../src/etcd/mvcc/index.ts';
import type { Command } from '../../../src/etcd/mvcc/index.ts';
import { get, ok } from './helpers.ts';

/** A workload touching every command kind. */
const WORKLOAD: Command[] = [
  { type: 'leaseGrant', id: 1, ttl: 30 },
  { type: 'put', key: '/registry/pods/default/a', value: 'a1' },
  { type: 'put', key: '/registry/pods/default/b', value: 'b1', lease: 1 },
  { type: 'put', key: '/registry/pods/default/a', value: 'a2' },
  {
    type: 'txn',
    compare: [{ key: '/registry/pods/default/a', target: 'VERSION', result: 'EQUAL', version: 2 }],
    success: [
      { type: 'put', key: '/registry/events/e1', value: 'e', lease: 1 },
      { type: 'deleteRange', key: '/registry/pods/default/a' },
    ],
    failure: [],
  },
  { type: 'leaseKeepAlive', id: 1 },
  { type: 'put', key: '/registry/pods/default/a', value: 'a3' },
  { type: 'compact', revision: 4 },
  { type: 'leaseGrant', id: 2, ttl: 60 },
  { type: 'put', key: '/registry/leases/kube-node-lease/n1', value: 'hb', lease: 2 },
];

function run(cmds: Command[]): MvccStore {
  const s = new MvccStore();
  for (const c of cmds) s.apply(c);
  return s;
}

describe('determinism and hashing', () => {
  it('two stores fed the same commands have the same hash and the same responses', () => {
    const a = new MvccStore();
    const b = new MvccStore();
    for (const c of WORKLOAD) expect(a.apply(c)).toEqual(b.apply(c));
    expect(a.hash()).toBe(b.hash());
    expect(a.hash()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('the hash changes with values, history, compaction and lease bookkeeping', () => {
    const base = run(WORKLOAD).hash();
    const changed = (extra: Command) => {
      const s = run(WORKLOAD);
      s.apply(extra);
      return s.hash();
    };
    const hashes = [
      base,
      changed({ type: 'put', key: '/x', value: '1' }),
      changed({ type: 'compact', revision: 6 }),
      changed({ type: 'leaseKeepAlive', id: 2 }),
      changed({ type: 'leaseGrant', id: 3, ttl: 5 }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
    // A different live value at the same revisions (a1 would not do: compaction dropped it):
    const other = run(WORKLOAD.map((c) => (c.type === 'put' && c.value === 'b1' ? { ...c, value: 'B1' } : c)));
    expect(other.revision).toBe(run(WORKLOAD).revision);
    expect(other.hash()).not.toBe(base);
  });
});

describe('snapshot / restore', () => {
  it('round-trips through JSON with an equal hash, revisions, reads and leases', () => {
    const s = run(WORKLOAD);
    const image = JSON.parse(JSON.stringify(s.snapshot()));
    const r = MvccStore.restore(image);
    expect(r.hash()).toBe(s.hash());
    expect(r.revision).toBe(s.revision);
    expect(r.compactRevision).toBe(s.compactRevision);
    expect(r.leases()).toEqual(s.leases());
    expect(r.leaseKeys(1)).toEqual(s.leaseKeys(1));
    expect(r.leaseKeys(2)).toEqual(['/registry/leases/kube-node-lease/n1']);
    for (let rev = s.compactRevision; rev <= s.revision; rev++) {
      expect(r.range({ key: '', prefix: true, revision: rev })).toEqual(s.range({ key: '', prefix: true, revision: rev }));
    }
  });

  it('a restored store continues exactly like the original', () => {
    const s = run(WORKLOAD);
    const r = MvccStore.restore(s.snapshot());
    const more: Command[] = [
      { type: 'leaseRevoke', id: 1 },
      { type: 'put', key: '/registry/pods/default/a', value: 'a4' },
      { type: 'compact', revision: 9 },
      { type: 'deleteRange', key: '/registry/', prefix: true, prevKv: true },
    ];
    for (const c of more) expect(r.apply(c)).toEqual(s.apply(c));
    expect(r.hash()).toBe(s.hash());
  });

  it('the snapshot is a detached copy', () => {
    const s = run(WORKLOAD);
    const image = s.snapshot();
    image.changes[0].kv.value = 'tampered';
    image.leases[0].ttl = 1;
    expect(MvccStore.restore(s.snapshot()).hash()).toBe(s.hash());
    expect(get(s, '/registry/pods/default/b')?.value).toBe('b1');
  });

  it('stored key-values are immutable to callers', () => {
    const s = run(WORKLOAD);
    const kv = ok(s.range({ key: '/registry/pods/default/b' })).kvs[0];
    expect(() => {
      (kv as { value: string }).value = 'mutated';
    }).toThrow(TypeError);
  });

  it('rejects an unknown format', () => {
    expect(() => MvccStore.restore({ ...run([]).snapshot(), format: 'nope' as 'kubesim.mvcc/v1' })).toThrow(/unknown snapshot format/);
  });
});
