import { describe, expect, it } from 'vitest';
import { LeaseExpiry, MAX_LEASE_TTL, MvccStore } from '../../../src/etcd/mvcc/index.ts';
import type { Command, Commit } from '../../../src/etcd/mvcc/index.ts';
import { expectError, get, keysOf, ok } from './helpers.ts';

describe('leases in the store', () => {
  it('grants without bumping the revision and records bookkeeping', () => {
    const s = new MvccStore();
    s.put({ key: '/x', value: '1' });
    expect(ok(s.leaseGrant({ id: 10, ttl: 30 }))).toEqual({ type: 'leaseGrant', header: { revision: 2 }, id: 10, ttl: 30 });
    expect(s.revision).toBe(2);
    s.put({ key: '/y', value: '1' });
    expect(ok(s.leaseKeepAlive({ id: 10 }))).toEqual({ type: 'leaseKeepAlive', header: { revision: 3 }, id: 10, ttl: 30 });
    expect(s.leases()).toEqual([{ id: 10, ttl: 30, grantedRevision: 2, renewedRevision: 3, keepAlives: 1 }]);
  });

  it('rejects duplicate ids, id 0, too-large TTLs; clamps tiny TTLs to the minimum', () => {
    const s = new MvccStore();
    s.leaseGrant({ id: 1, ttl: 5 });
    expectError(s.leaseGrant({ id: 1, ttl: 5 }), 'ErrLeaseExist');
    expectError(s.leaseGrant({ id: 0, ttl: 5 }), 'ErrLeaseNotFound');
    expectError(s.leaseGrant({ id: 2, ttl: MAX_LEASE_TTL + 1 }), 'ErrLeaseTTLTooLarge');
    expect(ok(s.leaseGrant({ id: 3, ttl: 1 })).ttl).toBe(2);
    expect(ok(new MvccStore({ minLeaseTtl: 5 }).leaseGrant({ id: 3, ttl: 1 })).ttl).toBe(5);
  });

  it('put with an unknown lease fails; keep-alive and revoke of unknown leases fail', () => {
    const s = new MvccStore();
    expectError(s.put({ key: '/a', value: '1', lease: 42 }), 'ErrLeaseNotFound');
    expectError(s.leaseKeepAlive({ id: 42 }), 'ErrLeaseNotFound');
    expectError(s.leaseRevoke({ id: 42 }), 'ErrLeaseNotFound');
    expect(s.revision).toBe(1);
  });

  it('revoke deletes every attached key in a single revision, in key order', () => {
    const s = new MvccStore();
    const commits: Commit[] = [];
    s.subscribe((c) => commits.push(c));
    s.leaseGrant({ id: 7, ttl: 60 });
    s.put({ key: '/l/b', value: '1', lease: 7 }); // 2
    s.put({ key: '/l/a', value: '1', lease: 7 }); // 3
    s.put({ key: '/keep', value: '1' }); // 4
    const r = ok(s.leaseRevoke({ id: 7 }));
    expect(r.header.revision).toBe(5);
    expect(commits.at(-1)?.events.map((e) => `${e.type} ${e.kv.key}`)).toEqual(['DELETE /l/a', 'DELETE /l/b']);
    expect(keysOf(ok(s.range({ key: '/', prefix: true })).kvs)).toEqual(['/keep']);
    expect(s.leases()).toEqual([]);
  });

  it('revoking a lease with no keys does not bump the revision', () => {
    const s = new MvccStore();
    s.leaseGrant({ id: 7, ttl: 60 });
    expect(ok(s.leaseRevoke({ id: 7 })).header.revision).toBe(1);
  });

  it('re-putting without the lease, moving to another lease, or deleting detaches the key', () => {
    const s = new MvccStore();
    s.leaseGrant({ id: 1, ttl: 60 });
    s.leaseGrant({ id: 2, ttl: 60 });
    s.put({ key: '/moved', value: '1', lease: 1 });
    s.put({ key: '/moved', value: '2', lease: 2 });
    s.put({ key: '/dropped', value: '1', lease: 1 });
    s.put({ key: '/dropped', value: '2' });
    s.put({ key: '/deleted', value: '1', lease: 1 });
    s.deleteRange({ key: '/deleted' });
    s.put({ key: '/deleted', value: 'again' });
    expect(s.leaseKeys(1)).toEqual([]);
    expect(s.leaseKeys(2)).toEqual(['/moved']);
    s.leaseRevoke({ id: 1 });
    expect(keysOf(ok(s.range({ key: '/', prefix: true })).kvs)).toEqual(['/deleted', '/dropped', '/moved']);
    s.leaseRevoke({ id: 2 });
    expect(get(s, '/moved')).toBeUndefined();
  });

  it('compares on LEASE see the attached lease id', () => {
    const s = new MvccStore();
    s.leaseGrant({ id: 9, ttl: 60 });
    s.put({ key: '/a', value: '1', lease: 9 });
    const r = ok(s.txn({ compare: [{ key: '/a', target: 'LEASE', result: 'EQUAL', lease: 9 }], success: [], failure: [] }));
    expect(r.succeeded).toBe(true);
  });
});

describe('LeaseExpiry (leader-local deadlines)', () => {
  /** Applies a command to the store and tells the tracker, as a leader's apply loop would. */
  function applyAt(s: MvccStore, e: LeaseExpiry, cmd: Command, now: number): void {
    e.observe(cmd, s.apply(cmd), now);
  }

  it('expires a lease TTL after its grant or last keep-alive, and stops after revoke', () => {
    const s = new MvccStore();
    const e = new LeaseExpiry(1000);
    applyAt(s, e, { type: 'leaseGrant', id: 1, ttl: 10 }, 0);
    applyAt(s, e, { type: 'leaseGrant', id: 2, ttl: 5 }, 0);
    expect(e.expired(4_999)).toEqual([]);
    applyAt(s, e, { type: 'leaseKeepAlive', id: 2 }, 4_000);
    expect(e.expired(8_999)).toEqual([]);
    expect(e.expired(9_000)).toEqual([2]); // renewed at 4s with a 5s TTL
    expect(e.expired(9_000)).toEqual([]); // re-armed for the retry interval, until 10s
    expect(e.expired(10_000)).toEqual([1, 2]); // same deadline: by id
    applyAt(s, e, { type: 'leaseRevoke', id: 1 }, 10_000);
    expect(e.deadline(1)).toBeUndefined();
    expect(e.deadline(2)).toBe(11_000);
    expect(s.leases().map((l) => l.id)).toEqual([2]);
  });

  it('orders simultaneous expiries by deadline then id', () => {
    const s = new MvccStore();
    const e = new LeaseExpiry();
    applyAt(s, e, { type: 'leaseGrant', id: 5, ttl: 3 }, 0);
    applyAt(s, e, { type: 'leaseGrant', id: 4, ttl: 3 }, 0);
    applyAt(s, e, { type: 'leaseGrant', id: 9, ttl: 2 }, 0);
    expect(e.expired(3_000)).toEqual([9, 4, 5]);
  });

  it('a new leader grants every existing lease a full TTL from its promotion', () => {
    const s = new MvccStore();
    s.leaseGrant({ id: 1, ttl: 10 });
    s.leaseGrant({ id: 2, ttl: 20 });
    const e = new LeaseExpiry();
    e.promote(100_000, s.leases(), 1_000);
    expect(e.deadline(1)).toBe(111_000);
    expect(e.deadline(2)).toBe(121_000);
    expect(e.expired(110_999)).toEqual([]);
    expect(e.expired(111_000)).toEqual([1]);
    e.demote();
    expect(e.expired(1e9)).toEqual([]);
  });

  it('forgets a lease whose revoke reports it already gone', () => {
    const s = new MvccStore();
    const e = new LeaseExpiry();
    applyAt(s, e, { type: 'leaseGrant', id: 1, ttl: 10 }, 0);
    s.leaseRevoke({ id: 1 }); // revoked through another path
    applyAt(s, e, { type: 'leaseRevoke', id: 1 }, 20_000);
    expect(e.deadline(1)).toBeUndefined();
  });
});
