import { describe, expect, test } from 'vitest';
import { TestCluster } from './test-support/cluster.ts';

describe('the etcd client protocol', () => {
  test('writes through a follower are forwarded; the receiving member answers after applying', () => {
    const c = new TestCluster({ seed: 'forward' });
    c.awaitLeader();
    const follower = c.followers()[0];
    const put = c.put(follower, 'a', '1');
    const r = c.await(put)!;
    expect(r.ok).toBe(true);
    expect(r.from).toBe(follower);
    const txn = c.request(follower, {
      op: 'txn',
      compare: [{ key: 'a', target: 'VALUE', result: 'EQUAL', operand: '1' }],
      success: [{ op: 'put', key: 'b', value: '2' }, { op: 'range', key: 'a' }],
      failure: [],
    });
    const t = c.await(txn)!;
    expect(t.ok && (t.result as { succeeded: boolean }).succeeded).toBe(true);
    const read = c.get(c.followers()[1], 'b');
    c.await(read);
    expect(c.valueOf(read)).toBe('2');
    expect(c.finish()).toEqual([]);
  });

  test('quorum loss: no writes, no linearizable reads (NoLeader), serializable reads still answer', () => {
    const c = new TestCluster({ seed: 'quorum-loss' });
    const leader = c.awaitLeader();
    c.await(c.put(leader, 'k', 'v'));
    c.runFor(300);
    const [a, b] = c.followers();
    c.sim.crash(a);
    c.sim.crash(b);
    c.runFor(2_500); // the leader steps down (CheckQuorum); nobody can win an election
    expect(c.leader()).toBeUndefined();
    const write = c.await(c.put(leader, 'k', 'w'), 3_000)!;
    expect(!write.ok && write.error.code).toBe('NoLeader');
    const linearizable = c.await(c.get(leader, 'k'), 3_000)!;
    expect(!linearizable.ok && linearizable.error.code).toBe('NoLeader');
    const serializable = c.get(leader, 'k', true);
    c.await(serializable);
    expect(c.valueOf(serializable)).toBe('v');
    expect(c.finish()).toEqual([]);
  });

  test('a lease expires on the leader’s clock and its revoke deletes the key on every member', () => {
    const c = new TestCluster({ seed: 'lease-expiry' });
    const leader = c.awaitLeader();
    const grant = c.await(c.request(c.followers()[0], { op: 'leaseGrant', ttlSeconds: 2 }))!;
    expect(grant.ok).toBe(true);
    const id = (grant as { result: { id: number; ttlSeconds: number } }).result.id;
    c.await(c.request(leader, { op: 'put', key: 'ephemeral', value: 'x', lease: id }));
    c.runFor(1_500);
    c.await(c.request(leader, { op: 'leaseKeepAlive', id }));
    c.runFor(1_500); // kept alive: still there 3 s after the grant
    for (const m of c.members) {
      const r = c.get(m, 'ephemeral', true);
      c.await(r);
      expect(c.valueOf(r)).toBe('x');
    }
    c.runFor(2_000); // no more keep-alives: the leader proposes the revoke
    for (const m of c.members) {
      const r = c.get(m, 'ephemeral', true);
      c.await(r);
      expect(c.valueOf(r)).toBeUndefined();
      expect(c.context(m)!.server.kv.leases()).toEqual([]);
    }
    expect(c.finish()).toEqual([]);
  });

  test('watches stream from the member the client talks to, in revision order', () => {
    const c = new TestCluster({ seed: 'watch' });
    const leader = c.awaitLeader();
    const follower = c.followers()[0];
    c.send(follower, { type: 'etcd.watch.create', watchId: 'w1', request: { key: 'w/', prefix: true } });
    c.runFor(10);
    for (let i = 0; i < 5; i++) c.put(leader, `w/${i}`, `${i}`);
    c.request(leader, { op: 'delete', key: 'w/0' });
    c.runFor(500);
    const events = c.watchEvents.filter((w) => w.watchId === 'w1').flatMap((w) => w.events);
    expect(events.map((e) => `${e.type} ${e.kv.key}`)).toEqual(['PUT w/0', 'PUT w/1', 'PUT w/2', 'PUT w/3', 'PUT w/4', 'DELETE w/0']);
    expect(c.watchEvents.every((w) => w.from === follower)).toBe(true);
    c.send(follower, { type: 'etcd.watch.cancel', watchId: 'w1' });
    c.runFor(10);
    expect(c.watchEvents.at(-1)!.canceled).toBe(true);
  });

  test('status and snapshotSave are answered locally', () => {
    const c = new TestCluster({ seed: 'status' });
    const leader = c.awaitLeader();
    c.await(c.put(leader, 'k', 'v'));
    c.runFor(200);
    const follower = c.followers()[0];
    const status = c.await(c.request(follower, { op: 'status' }))!;
    expect(status.ok && status.result).toMatchObject({ leader, raftAppliedIndex: c.status(follower)!.applied });
    const snap = c.await(c.request(follower, { op: 'snapshotSave' }))!;
    expect(snap.ok && (snap.result as { snapshot: { index: number } }).snapshot.index).toBe(c.status(follower)!.applied);
  });
});
