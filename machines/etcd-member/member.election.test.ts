import { describe, expect, test } from 'vitest';
import { TestCluster } from './test-support/cluster.ts';

describe('elections', () => {
  test('a 3-member cluster elects exactly one leader within two election timeouts', () => {
    const c = new TestCluster({ seed: 'elect' });
    const leader = c.awaitLeader(4_000);
    expect(c.sim.now).toBeLessThan(4_000);
    const statuses = c.members.map((m) => c.status(m)!);
    expect(statuses.filter((s) => s.role === 'leader').map((s) => s.address)).toEqual([leader]);
    c.runFor(1_000);
    // Followers agree on the leader and the term; the leader's no-op is committed everywhere.
    for (const s of c.members.map((m) => c.status(m)!)) {
      expect(s.leader).toBe(leader);
      expect(s.term).toBe(c.status(leader)!.term);
      expect(s.commit).toBe(c.status(leader)!.lastIndex);
    }
    expect(c.finish()).toEqual([]);
  });

  test('election timeouts are randomized in [T, 2T) from the member-held generator', () => {
    const c = new TestCluster({ seed: 'timeouts' });
    const drawn = new Set<number>();
    for (let i = 0; i < 30; i++) {
      for (const m of c.members) drawn.add(c.context(m)!.electionTimeoutMs);
      c.runFor(100);
    }
    for (const t of drawn) {
      expect(t).toBeGreaterThanOrEqual(1000);
      expect(t).toBeLessThan(2000);
    }
    expect(drawn.size).toBeGreaterThan(3);
  });

  test('a follower keeps its drawn timeout while it hears from the leader, and campaigns that long after the last contact', () => {
    const c = new TestCluster({ seed: 'election-elapsed' });
    const leader = c.awaitLeader();
    c.runFor(500);
    // The follower with the shorter timeout campaigns first once the leader is gone.
    const [follower, other] = c.followers().sort((a, b) => c.context(a)!.electionTimeoutMs - c.context(b)!.electionTimeoutMs);
    const drawn = { timeout: c.context(follower)!.electionTimeoutMs, rng: c.context(follower)!.rng };
    expect(c.context(other)!.electionTimeoutMs - drawn.timeout).toBeGreaterThan(10);
    c.runFor(5_000); // 50 heartbeats, several election timeouts
    // etcd-raft's stepFollower sets electionElapsed = 0 and draws nothing (the draw is in reset()).
    expect(c.context(follower)!.electionTimeoutMs).toBe(drawn.timeout);
    expect(c.context(follower)!.rng).toEqual(drawn.rng);
    c.sim.crash(leader);
    const lastContact = c.context(follower)!.raft.lastLeaderContactAt;
    expect(c.context(follower)!.electionElapsedSince).toBe(lastContact);
    // The timer armed before the last heartbeats fires early, re-arms for the rest, then campaigns on time.
    expect(c.stepUntil(() => c.status(follower)!.role !== 'follower', 5_000)).toBe(true);
    expect(c.status(follower)!.role).toBe('preCandidate');
    expect(c.sim.now).toBe(lastContact + drawn.timeout);
    expect(c.awaitLeader()).toBe(follower);
    expect(c.finish()).toEqual([]);
  });

  test('PreVote: a partitioned member rejoining does not inflate the term or depose the leader', () => {
    const c = new TestCluster({ seed: 'prevote' });
    const leader = c.awaitLeader();
    const term = c.status(leader)!.term;
    const loner = c.followers()[0];
    c.isolate(loner);
    c.runFor(10_000); // many election timeouts alone
    // Pre-votes never reach a quorum, so the loner never bumped its term.
    expect(c.status(loner)!.term).toBe(term);
    c.sim.heal();
    c.runFor(3_000);
    expect(c.leader()).toBe(leader);
    expect(c.status(leader)!.term).toBe(term);
    expect(c.status(loner)!.leader).toBe(leader);
    expect(c.finish()).toEqual([]);
  });

  test('without PreVote the same partition inflates the term and forces a new election', () => {
    const c = new TestCluster({ seed: 'prevote', config: { preVote: false, checkQuorum: false } });
    const leader = c.awaitLeader();
    const term = c.status(leader)!.term;
    const loner = c.followers()[0];
    c.isolate(loner);
    c.runFor(10_000);
    expect(c.status(loner)!.term).toBeGreaterThan(term + 3);
    c.sim.heal();
    c.runFor(5_000);
    expect(c.status(c.awaitLeader())!.term).toBeGreaterThan(term + 3);
    expect(c.finish()).toEqual([]);
  });

  test('CheckQuorum: a leader cut off from its quorum steps down within two election timeouts', () => {
    const c = new TestCluster({ seed: 'checkquorum' });
    const leader = c.awaitLeader();
    const cutAt = c.sim.now;
    c.isolate(leader);
    const steppedDown = c.runUntilTrue(() => c.status(leader)!.role !== 'leader', 2_100);
    expect(steppedDown).toBe(true);
    expect(c.sim.now - cutAt).toBeLessThanOrEqual(2_100);
    // The other two elect a new leader of a higher term.
    const next = c.awaitLeader();
    expect(next).not.toBe(leader);
    expect(c.finish()).toEqual([]);
  });

  test('leadership transfer (moveLeader) hands over to a caught-up follower via TimeoutNow', () => {
    const c = new TestCluster({ seed: 'transfer' });
    const leader = c.awaitLeader();
    for (let i = 0; i < 20; i++) c.put(leader, `k${i}`, 'v');
    c.runFor(200);
    const target = c.followers()[1];
    const term = c.status(leader)!.term;
    const move = c.request(leader, { op: 'moveLeader', target });
    const reply = c.await(move, 3_000);
    expect(reply?.ok).toBe(true);
    expect(c.leader()).toBe(target);
    expect(c.status(target)!.term).toBe(term + 1);
    // Nothing was lost in the hand-over.
    const read = c.get(target, 'k19');
    c.await(read);
    expect(c.valueOf(read)).toBe('v');
    expect(c.finish()).toEqual([]);
  });

  test('moveLeader on a follower answers NotLeader with the leader as hint', () => {
    const c = new TestCluster({ seed: 'transfer-follower' });
    const leader = c.awaitLeader();
    const follower = c.followers()[0];
    const reply = c.await(c.request(follower, { op: 'moveLeader', target: follower }));
    expect(reply?.ok).toBe(false);
    expect(reply && !reply.ok && reply.error).toMatchObject({ code: 'NotLeader', leaderHint: leader });
  });
});
