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

  it('the snapshot is an immutable image: it cannot be tampered with, and later writes do not show in it', () => {
    const s = run(WORKLOAD);
    const image = s.snapshot();
    const hashAtImage = s.hash();
    expect(() => {
      (image.changes[0] as { value: string }).value = 'tampered';
    }).toThrow(TypeError);
    expect(() => {
      (image.leases[0] as { ttl: number }).ttl = 1;
    }).toThrow(TypeError);
    expect(() => {
      (image.changes as unknown[]).push({});
    }).toThrow(TypeError);
    expect(get(s, '/registry/pods/default/b')?.value).toBe('b1');
    // Later changes (a write, a keep-alive, a compaction) leave the image as it was.
    const changes = image.changes.length;
    s.apply({ type: 'put', key: '/registry/pods/default/b', value: 'b2' });
    s.apply({ type: 'leaseKeepAlive', id: 1 });
    s.apply({ type: 'compact', revision: s.revision });
    expect(image.changes.length).toBe(changes);
    expect(image.revision).toBe(MvccStore.restore(image).revision);
    expect(MvccStore.restore(image).hash()).toBe(hashAtImage);
    expect(s.hash()).not.toBe(hashAtImage);
  });

  it('repeated snapshots and hashes without a change in between are the same; any change invalidates them', () => {
    const s = run(WORKLOAD);
    expect(s.snapshot()).toBe(s.snapshot());
    const h = s.hash();
    expect(s.hash()).toBe(h);
    const before = s.snapshot();
    s.apply({ type: 'leaseKeepAlive', id: 1 }); // no revision bump, but lease bookkeeping changed
    expect(s.snapshot()).not.toBe(before);
    expect(s.hash()).not.toBe(h);
    // A failed command changes nothing.
    const h2 = s.hash();
    const image = s.snapshot();
    s.apply({ type: 'leaseRevoke', id: 999 });
    expect(s.hash()).toBe(h2);
    expect(s.snapshot()).toBe(image);
  });

  it('the incremental hash equals a from-scratch hash after writes, compaction and restore', () => {
    const s = run(WORKLOAD);
    s.hash(); // prime the incremental digest
    for (let i = 0; i < 20; i++) {
      s.apply({ type: 'put', key: `/k/${i % 5}`, value: `v${i}` });
      if (i % 7 === 3) expect(s.hash()).toBe(MvccStore.restore(s.snapshot()).hash());
    }
    s.apply({ type: 'compact', revision: s.revision - 5 });
    expect(s.hash()).toBe(MvccStore.restore(s.snapshot()).hash());
    s.apply({ type: 'deleteRange', key: '/k/', prefix: true });
    expect(s.hash()).toBe(MvccStore.restore(JSON.parse(JSON.stringify(s.snapshot()))).hash());
  });

  it('stored key-values are immutable to callers', () => {
    const s = run(WORKLOAD);
    const kv = ok(s.range({ key: '/registry/pods/default/b' })).kvs[0];
    expect(() => {
      (kv as { value: string }).value = 'mutated';
    }).toThrow(TypeError);
  });

  it('still restores the previous image format (one record per change)', () => {
    const s = run(WORKLOAD);
    const image = s.snapshot();
    let sub = 0;
    const v1 = {
      ...image,
      format: 'kubesim.mvcc/v1' as const,
      changes: image.changes.map((kv, i) => {
        sub = i > 0 && image.changes[i - 1].modRevision === kv.modRevision ? sub + 1 : 0;
        return { main: kv.modRevision, sub, tombstone: kv.version === 0, kv: { ...kv } };
      }),
    };
    expect(MvccStore.restore(v1).hash()).toBe(s.hash());
  });

  it('rejects an unknown format', () => {
    expect(() => MvccStore.restore({ ...run([]).snapshot(), format: 'nope' as 'kubesim.mvcc/v2' })).toThrow(/unknown snapshot format/);
  });
});
