import { describe, expect, test } from 'vitest';
import { TestCluster } from './test-support/cluster.ts';

function members(c: TestCluster, requestId: string): { id: string; learner: boolean }[] {
  const r = c.responses.get(requestId);
  if (!r?.ok) throw new Error(`request ${requestId} failed: ${JSON.stringify(r)}`);
  return (r.result as { members: { id: string; learner: boolean }[] }).members;
}

describe('membership changes (single-server, one at a time)', () => {
  test('add a learner, let it catch up, promote it to voter', () => {
    const c = new TestCluster({ seed: 'learner', config: { snapshotEvery: 30, snapshotCatchUpEntries: 5 } });
    const leader = c.awaitLeader();
    for (let i = 0; i < 80; i++) c.put(leader, `k${i}`, `v${i}`);
    c.runFor(500);
    const add = c.request(leader, { op: 'memberAdd', member: 'etcd-4', learner: true });
    c.await(add);
    expect(members(c, add)).toContainEqual({ id: 'etcd-4', learner: true });
    c.addJoiner('etcd-4');
    expect(c.runUntilTrue(() => c.status('etcd-4')?.applied === c.status(leader)!.applied, 5_000)).toBe(true);
    // A learner replicates but never votes or campaigns.
    expect(c.status('etcd-4')!.role).toBe('follower');
    expect(c.status(leader)!.voters).not.toContain('etcd-4');
    const promote = c.request(leader, { op: 'memberPromote', member: 'etcd-4' });
    c.await(promote);
    expect(members(c, promote)).toContainEqual({ id: 'etcd-4', learner: false });
    c.runFor(500);
    for (const m of [...c.members, 'etcd-4']) expect(c.status(m)!.voters).toHaveLength(4);
    expect(c.finish()).toEqual([]);
  });

  test('promoting a learner that has not caught up is refused (LearnerNotReady)', () => {
    const c = new TestCluster({ seed: 'learner-lag' });
    const leader = c.awaitLeader();
    for (let i = 0; i < 50; i++) c.put(leader, `k${i}`, 'v');
    c.runFor(300);
    c.await(c.request(leader, { op: 'memberAdd', member: 'etcd-4', learner: true }));
    // etcd-4 is never started: it has nothing.
    const promote = c.request(leader, { op: 'memberPromote', member: 'etcd-4' });
    const r = c.await(promote)!;
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('LearnerNotReady');
  });

  test('replace a member: add the new voter, then remove the old one; the removed member stops', () => {
    const c = new TestCluster({ seed: 'replace' });
    const leader = c.awaitLeader();
    const old = c.followers()[0];
    c.await(c.request(leader, { op: 'memberAdd', member: 'etcd-4' }));
    c.addJoiner('etcd-4');
    c.runUntilTrue(() => c.status('etcd-4')?.applied === c.status(leader)!.applied, 5_000);
    const remove = c.request(leader, { op: 'memberRemove', member: old });
    c.await(remove);
    expect(members(c, remove).map((m) => m.id).sort()).toEqual(c.members.filter((m) => m !== old).concat('etcd-4').sort());
    c.runFor(1_000);
    expect(c.status(old)!.role).toBe('removed');
    const put = c.put(leader, 'after', 'replace');
    expect(c.await(put)?.ok).toBe(true);
    // Requests to the removed member are refused.
    const refused = c.await(c.put(old, 'x', 'y'))!;
    expect(!refused.ok && refused.error.code).toBe('Stopped');
    // The new set survives the loss of one of its members.
    c.sim.crash(leader);
    const next = c.awaitLeader(5_000);
    expect(next).not.toBe(old);
    expect(c.await(c.put(next, 'k', 'v'))?.ok).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  test('a second change while one is pending is refused; one at a time goes through', () => {
    const c = new TestCluster({ seed: 'one-at-a-time' });
    const leader = c.awaitLeader();
    const first = c.request(leader, { op: 'memberAdd', member: 'etcd-4', learner: true });
    const second = c.request(leader, { op: 'memberAdd', member: 'etcd-5', learner: true });
    c.await(first);
    c.await(second);
    expect(c.responses.get(first)?.ok).toBe(true);
    expect(c.responses.get(second)?.ok).toBe(false);
    const retry = c.request(leader, { op: 'memberAdd', member: 'etcd-5', learner: true });
    expect(c.await(retry)?.ok).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  test('the leader crashes while a change is in flight: the cluster stays consistent and can change again', () => {
    for (const delay of [0, 2, 5]) {
      const c = new TestCluster({ seed: `crash-during-change-${delay}` });
      const leader = c.awaitLeader();
      const add = c.request(leader, { op: 'memberAdd', member: 'etcd-4' });
      c.runFor(delay);
      c.sim.crash(leader, { loseUnsynced: true });
      const next = c.awaitLeader(5_000);
      c.runFor(500);
      const voters = c.status(next)!.voters;
      // Either the change committed (4 voters) or it was lost with the leader (3) — never half.
      expect([3, 4]).toContain(voters.length);
      for (const m of c.members) if (m !== leader) expect(c.status(m)!.voters).toEqual(voters);
      if (voters.length === 4) c.addJoiner('etcd-4');
      c.sim.restart(leader);
      const again = c.request(next, { op: 'memberAdd', member: 'etcd-5', learner: true });
      expect(c.await(again, 5_000)?.ok).toBe(true);
      expect(c.responses.get(add)).toBeUndefined(); // its receiver crashed: the client times out
      expect(c.finish()).toEqual([]);
    }
  });
});
