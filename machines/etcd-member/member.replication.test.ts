import { describe, expect, test } from 'vitest';
import { TestCluster } from './test-support/cluster.ts';
import { figure7, figure8, logTerms } from './test-support/scenarios.ts';

describe('log replication', () => {
  test('Figure 7: the new leader brings every divergent follower log in line with its own', () => {
    const c = figure7();
    expect(c.awaitLeader(2_000)).toBe('leader');
    expect(c.status('leader')!.term).toBe(8);
    c.runFor(2_000);
    const expected = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8];
    expect(logTerms(c, 'leader')).toEqual(expected);
    for (const m of ['a', 'b', 'c', 'd', 'e', 'f']) expect(logTerms(c, m)).toEqual(expected);
    for (const m of c.members) expect(c.status(m)!.commit).toBe(11);
    expect(c.finish()).toEqual([]);
  });

  test('Figure 8: an entry of an earlier term is not committed by counting replicas', () => {
    const { c, s1CommitBeforeCrash } = figure8();
    // Index 3 (term 2) was on a majority, but the term-4 leader did not count it as committed ...
    expect(s1CommitBeforeCrash).toBeLessThan(3);
    // ... which is what makes S5 overwriting it with its own term-3 entry safe.
    expect(c.status('s5')!.role).toBe('leader');
    expect(logTerms(c, 's3')[2]).toBe(3);
    expect(c.finish()).toEqual([]);
  });

  test('an isolated leader cannot commit; the majority elects a new leader; on heal its uncommitted entries are overwritten', () => {
    const c = new TestCluster({ seed: 'isolate' });
    const old = c.awaitLeader();
    const put0 = c.put(old, 'k', 'before');
    expect(c.await(put0)?.ok).toBe(true);
    const others = c.members.filter((m) => m !== old);
    c.sim.partition({ id: 'cut', from: [old], to: others, oneWay: false });
    const lost = c.put(old, 'k', 'lost'); // reaches the old leader, never a quorum
    c.runFor(300);
    const oldEnd = c.status(old)!.lastIndex;
    expect(c.status(old)!.commit).toBeLessThan(oldEnd);
    expect(c.runUntilTrue(() => others.some((m) => c.status(m)!.role === 'leader'), 5_000)).toBe(true);
    const next = others.find((m) => c.status(m)!.role === 'leader')!;
    const put1 = c.put(next, 'k', 'after');
    expect(c.await(put1)?.ok).toBe(true);
    c.sim.heal('cut');
    c.runFor(2_000);
    expect(c.status(old)!.role).toBe('follower');
    expect(c.status(old)!.leader).toBe(next);
    // The old leader's uncommitted suffix was replaced by the new leader's log.
    expect(logTerms(c, old)).toEqual(logTerms(c, next));
    expect(c.responses.get(lost)?.ok).not.toBe(true);
    const read = c.get(old, 'k');
    c.await(read);
    expect(c.valueOf(read)).toBe('after');
    expect(c.finish()).toEqual([]);
  });

  test('a lagging follower catches up through InstallSnapshot after the leader compacted its log', () => {
    const c = new TestCluster({ seed: 'snapshot', config: { snapshotEvery: 50, snapshotCatchUpEntries: 10 } });
    const leader = c.awaitLeader();
    const lagging = c.followers()[0];
    c.sim.crash(lagging);
    for (let i = 0; i < 300; i++) c.put(leader, `k${i % 20}`, `v${i}`);
    c.runFor(1_000);
    const leaderLog = c.context(leader)!.raft.log;
    expect(leaderLog.firstIndex).toBeGreaterThan(c.status(lagging) ? 0 : 2);
    expect(c.context(leader)!.raft.snapshot!.index).toBeGreaterThanOrEqual(250);
    c.sim.restart(lagging);
    const sent: string[] = [];
    c.sim.bus.tap.subscribe((e) => {
      if (e.kind === 'deliver' && e.envelope.to === lagging) sent.push(e.envelope.type);
    });
    expect(c.runUntilTrue(() => c.status(lagging)!.applied === c.status(leader)!.applied, 5_000)).toBe(true);
    expect(sent).toContain('raft.snapshot');
    expect(c.context(lagging)!.server.kv.hash()).toBe(c.context(leader)!.server.kv.hash());
    const read = c.get(lagging, 'k19', true);
    c.await(read);
    expect(c.valueOf(read)).toBe('v299');
    expect(c.finish()).toEqual([]);
  });

  test('restart recovery: a whole-cluster power loss keeps every acknowledged write', () => {
    const c = new TestCluster({ seed: 'power', config: { snapshotEvery: 40, snapshotCatchUpEntries: 5 } });
    const leader = c.awaitLeader();
    const puts = Array.from({ length: 100 }, (_, i) => c.put(leader, `k${i}`, `v${i}`));
    c.runFor(1_000);
    const acked = puts.filter((id) => c.responses.get(id)?.ok).length;
    expect(acked).toBe(100);
    // More writes in flight when the power goes: they may or may not survive, never half-way.
    for (let i = 0; i < 20; i++) c.put(leader, `late${i}`, 'x');
    c.runFor(2);
    const lost = c.members.map((m) => c.host(m).disk.unsyncedCount);
    for (const m of c.members) c.sim.crash(m, { loseUnsynced: true });
    expect(lost.every((n) => n === 0)).toBe(true); // nothing is ever left un-synced between steps
    c.runFor(500);
    for (const m of c.members) c.sim.restart(m);
    const next = c.awaitLeader(5_000);
    for (let i = 0; i < 100; i += 7) {
      const read = c.get(next, `k${i}`);
      c.await(read);
      expect(c.valueOf(read)).toBe(`v${i}`);
    }
    expect(c.finish()).toEqual([]);
  });

  test('restart recovery: a member that crashes with un-synced writes lost recovers its synced log and rejoins', () => {
    const c = new TestCluster({ seed: 'unsynced', config: { plant: 'vote-not-persisted' } });
    const leader = c.awaitLeader();
    const follower = c.followers()[0];
    for (let i = 0; i < 30; i++) c.put(leader, `k${i}`, 'v');
    c.runFor(500);
    // The planted member leaves its vote un-synced: force an election so it has something to lose.
    c.sim.crash(leader);
    c.awaitLeader(5_000);
    const before = c.context(follower)!.raft;
    const synced = c.host(follower).disk.syncedView().get('hardstate') as { term: number; vote: string | null };
    c.sim.crash(follower, { loseUnsynced: true });
    c.sim.restart(follower);
    const after = c.context(follower)!.raft;
    // It came back with exactly what was synced: the synced hard state, the synced log.
    expect(after.term).toBe(synced.term);
    expect(after.vote).toBe(synced.vote);
    expect(after.log.lastIndex).toBeLessThanOrEqual(before.log.lastIndex);
    c.sim.restart(leader);
    expect(c.runUntilTrue(() => c.members.every((m) => c.status(m)!.applied === c.status(c.leader() ?? m)!.applied), 5_000)).toBe(true);
  });
});

