import { describe, expect, test } from 'vitest';
import type { RaftProperty } from '../../src/check/raft/index.ts';
import type { EtcdMemberConfig, Plant } from './types.ts';
import { TestCluster } from './test-support/cluster.ts';
import { figure7, figure8 } from './test-support/scenarios.ts';

/**
 * Every planted bug is caught: each scenario runs once with the plant (violations expected, and which
 * property catches it) and once without (no violation), so the scenario itself is shown to be sound.
 */

function properties(c: TestCluster): Set<RaftProperty> {
  return new Set(c.finish().map((v) => v.property));
}

/** A stale-logged member wins an election only if voters skip the log comparison. */
function staleCandidate(plant?: Plant): TestCluster {
  const members = ['etcd-1', 'etcd-2', 'etcd-3'];
  const c = new TestCluster({
    seed: 'stale-candidate',
    memberConfig: (m) => (m === 'etcd-3' ? { electionTimeoutMs: 1000, heartbeatIntervalMs: 100 } : { electionTimeoutMs: 1500 }),
    config: { plant },
    members,
  });
  const leader = c.awaitLeader();
  const stale = members.find((m) => m !== leader && m === 'etcd-3') ?? c.followers()[0];
  c.sim.crash(stale);
  for (let i = 0; i < 10; i++) c.put(leader, `k${i}`, 'v');
  c.runFor(500);
  c.sim.crash(leader);
  c.sim.restart(stale);
  c.runFor(8_000);
  c.sim.restart(leader);
  c.runFor(2_000);
  return c;
}

/** A voter grants B's vote, loses it in a power failure, and grants A the same term. */
function forgottenVote(plant?: Plant): TestCluster {
  const members = ['a', 'b', 'c'];
  const short = { electionTimeoutMs: 1000, heartbeatIntervalMs: 100 };
  const c = new TestCluster({
    seed: 'forgotten-vote',
    members,
    config: { plant },
    memberConfig: (m) => (m === 'b' ? short : { electionTimeoutMs: 3000 }),
  });
  // a leads first (b is slow to start), then a crashes and b campaigns.
  c.sim.crash('b');
  c.sim.crash('c');
  c.sim.restart('c');
  c.runFor(100);
  c.sim.restart('b');
  c.awaitLeader();
  const first = c.leader()!;
  c.runFor(500);
  c.sim.crash(first);
  const voter = members.find((m) => m !== first && c.status(m)!.role !== 'leader')!;
  const candidate = members.find((m) => m !== first && m !== voter)!;
  // Stop right after the voter granted its vote (before anything else gets synced).
  c.stepUntil(() => c.context(voter)!.raft.vote === candidate, 10_000);
  const term = c.status(voter)!.term;
  c.runFor(2);
  c.sim.crash(voter, { loseUnsynced: true });
  c.sim.restart(voter);
  // The candidate (now leader of `term`) is cut off; the old leader returns and campaigns.
  c.isolate(candidate);
  c.sim.restart(first);
  c.runFor(10_000);
  expect(c.status(candidate)!.term).toBeGreaterThanOrEqual(term);
  return c;
}

/** An isolated leader takes a write it cannot commit; the majority moves on; the cut heals. */
function isolatedLeader(config: Partial<EtcdMemberConfig>): { c: TestCluster; staleRead: string | undefined; newWrite: string } {
  const c = new TestCluster({ seed: 'isolated-leader', config });
  const old = c.awaitLeader();
  c.await(c.put(old, 'k', 'v1'));
  const others = c.members.filter((m) => m !== old);
  c.sim.partition({ id: 'cut', from: [old], to: others, oneWay: false });
  c.put(old, 'k', 'lost');
  c.runUntilTrue(() => others.some((m) => c.status(m)!.role === 'leader'), 5_000);
  const next = others.find((m) => c.status(m)!.role === 'leader')!;
  const newWrite = c.put(next, 'k', 'v2');
  c.await(newWrite);
  // A linearizable read through the old leader, issued after v2 was acknowledged.
  const read = c.get(old, 'k');
  c.runFor(300);
  const staleRead = c.responses.get(read)?.ok ? c.valueOf(read) : undefined;
  c.sim.heal('cut');
  c.runFor(3_000);
  return { c, staleRead, newWrite };
}

/** A follower cut off while the client keeps a lease alive through the leader. */
function leaseKeptAliveThroughLeader(plant?: Plant): TestCluster {
  const c = new TestCluster({ seed: 'lease', config: { plant } });
  const leader = c.awaitLeader();
  const grant = c.await(c.request(leader, { op: 'leaseGrant', ttlSeconds: 3 }))!;
  const id = (grant as { result: { id: number } }).result.id;
  c.await(c.request(leader, { op: 'put', key: 'owned', value: 'x', lease: id }));
  const follower = c.followers()[0];
  c.sim.partition({ id: 'cut', from: [follower], to: c.members.filter((m) => m !== follower), oneWay: false });
  const keepAlive = () => {
    c.request(leader, { op: 'leaseKeepAlive', id });
    c.runFor(1_000);
  };
  for (let t = 0; t < 8; t++) keepAlive();
  c.sim.heal('cut');
  for (let t = 0; t < 3; t++) keepAlive();
  // The lease is alive on the leader's clock: the key must exist everywhere.
  expect(c.valueOf(c.await(c.get(leader, 'owned'))!.requestId)).toBe('x');
  return c;
}

/** A deposed leader's delayed append reaches members after they committed newer entries at its indexes. */
function delayedStaleAppend(plant?: Plant): TestCluster {
  const c = new TestCluster({ seed: 'stale-append', config: { plant } });
  const old = c.awaitLeader();
  c.await(c.put(old, 'k', 'v1'));
  c.sim.network.addLayer('slow', old, '*', { latency: { kind: 'constant', ms: 4_000 } });
  c.put(old, 'k', 'never-committed');
  c.runFor(20);
  const k = c.status(old)!.lastIndex; // the old leader's uncommitted entry sits here
  const oldTerm = c.status(old)!.term;
  c.sim.crash(old);
  const others = c.members.filter((m) => m !== old);
  // The new leader's first entry lands at index k; catch a follower that holds it but does not know
  // yet that it is committed, and keep the leader from telling it.
  const holder = () => others.find((m) => c.status(m)!.role === 'follower' && c.context(m)!.raft.log.term(k) !== undefined && c.context(m)!.raft.log.term(k)! > oldTerm && c.status(m)!.commit < k);
  c.stepUntil(() => holder() !== undefined, 4_000);
  const follower = holder()!;
  const leader = others.find((m) => m !== follower)!;
  c.sim.partition({ id: 'mute', from: [leader], to: [follower], oneWay: true });
  expect(c.stepUntil(() => c.status(leader)!.commit >= k, 1_000)).toBe(true);
  c.runFor(6_000); // the deposed leader's delayed append arrives meanwhile
  return c;
}

/** A follower cut off from the leader answers a linearizable read after a newer write was acknowledged. */
function readThroughCutOffFollower(plant?: Plant): { c: TestCluster; read: string | undefined } {
  const c = new TestCluster({ seed: 'follower-read', config: { plant } });
  const leader = c.awaitLeader();
  c.await(c.put(leader, 'k', 'v1'));
  c.runFor(200);
  const follower = c.followers()[0];
  // Cut from the other members only: the test's client still reaches it.
  c.sim.partition({ id: 'cut', from: [follower], to: c.members.filter((m) => m !== follower), oneWay: false });
  c.await(c.put(leader, 'k', 'v2'));
  // Still within the follower's election timeout: it believes `leader` leads.
  const read = c.get(follower, 'k');
  c.runFor(300);
  return { c, read: c.responses.get(read)?.ok ? c.valueOf(read) : undefined };
}

describe('planted bugs are caught', () => {
  test('vote-without-log-check → Leader Completeness (a stale member wins and lacks committed entries)', () => {
    expect(properties(staleCandidate())).toEqual(new Set());
    const found = properties(staleCandidate('vote-without-log-check'));
    expect(found.has('LeaderCompleteness')).toBe(true);
  });

  test('vote-not-persisted → Election Safety (a vote lost in a power failure is given again in the same term)', () => {
    expect(properties(forgottenVote())).toEqual(new Set());
    expect(properties(forgottenVote('vote-not-persisted')).has('ElectionSafety')).toBe(true);
  });

  test('commit-previous-term-by-counting → State Machine Safety in Figure 8', () => {
    expect(figure8().c.finish()).toEqual([]);
    const { c, s1CommitBeforeCrash } = figure8('commit-previous-term-by-counting');
    expect(s1CommitBeforeCrash).toBe(3);
    const found = new Set(c.finish().map((v) => v.property));
    expect(found.has('StateMachineSafety') || found.has('CommittedEntryChanged')).toBe(true);
  });

  test('no-truncate-conflict → Log Matching in Figure 7 (a stale suffix survives past the leader’s entries)', () => {
    const c = figure7('no-truncate-conflict');
    c.runFor(3_000);
    expect(properties(c).has('LogMatching')).toBe(true);
  });

  test('apply-before-commit → State Machine Safety (the isolated leader applied an entry later overwritten)', () => {
    expect(properties(isolatedLeader({}).c)).toEqual(new Set());
    const found = properties(isolatedLeader({ plant: 'apply-before-commit' }).c);
    expect(found.has('StateMachineSafety')).toBe(true);
  });

  test('readindex-without-quorum → a stale linearizable read (caught by real-time order, as a linearizability checker does)', () => {
    const safe = isolatedLeader({});
    expect(safe.staleRead).toBeUndefined(); // never confirmed: no answer at all
    const planted = isolatedLeader({ plant: 'readindex-without-quorum' });
    // v2 was acknowledged before the read was issued, yet the read returned v1.
    expect(planted.c.responses.get(planted.newWrite)?.ok).toBe(true);
    expect(planted.staleRead).toBe('v1');
  });

  test('lease-expires-on-follower → applied-state agreement (the follower deleted keys outside the log)', () => {
    const ok = leaseKeptAliveThroughLeader();
    expect(properties(ok)).toEqual(new Set());
    const planted = leaseKeptAliveThroughLeader('lease-expires-on-follower');
    expect(properties(planted).has('AppliedStateAgreement')).toBe(true);
  });

  test('accept-stale-term-append → committed entries overwritten', () => {
    expect(properties(delayedStaleAppend())).toEqual(new Set());
    const found = properties(delayedStaleAppend('accept-stale-term-append'));
    expect(found.has('CommittedEntryChanged') || found.has('StateMachineSafety')).toBe(true);
  });

  test('append-not-persisted → committed entries durable on a quorum (a follower acked entries it had not synced)', () => {
    for (const plant of [undefined, 'append-not-persisted'] as const) {
      const c = new TestCluster({ seed: 'append-sync', config: { plant } });
      const leader = c.awaitLeader();
      c.await(c.put(leader, 'k', 'v'));
      c.runFor(200);
      expect(properties(c).has('CommittedNotDurable')).toBe(plant !== undefined);
    }
  });

  test('follower-serves-linearizable-read → a stale read (caught by real-time order, as a linearizability checker does)', () => {
    expect(readThroughCutOffFollower().read).toBeUndefined(); // ReadIndex needs the leader: no answer
    expect(readThroughCutOffFollower('follower-serves-linearizable-read').read).toBe('v1');
  });

  test('no-checkquorum-stepdown → the CheckQuorum behaviour check (an isolated leader stays leader)', () => {
    for (const plant of [undefined, 'no-checkquorum-stepdown'] as const) {
      const c = new TestCluster({ seed: 'cq', config: { plant } });
      const leader = c.awaitLeader();
      c.isolate(leader);
      c.runFor(2_500);
      expect(c.status(leader)!.role === 'leader').toBe(plant !== undefined);
      expect(c.finish()).toEqual([]);
    }
  });
});
