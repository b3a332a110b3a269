import { describe, expect, it } from 'vitest';
import { TestCluster } from '../../machines/etcd-member/test-support/cluster.ts';

/**
 * A follower forwards a client's proposal to the leader in a `raft.propose`. The simulated network may
 * deliver that message twice (etcd's TCP peer streams never do); the campaign found the second copy
 * appended and applied as a second write (seed 988 of the etcd profile). Each forwarded proposal is now
 * handled once per member.
 */

const proposal = (origin: string, requestId: string) => ({
  type: 'raft.propose',
  data: [{ kind: 'command', command: { type: 'put', key: '/registry/pods/default/pod-0', value: requestId }, origin, requestId }],
});

function entriesFor(c: TestCluster, member: string, requestId: string): number {
  const log = c.context(member)!.raft.log;
  let count = 0;
  for (let i = log.firstIndex; i <= log.lastIndex; i++) {
    const data = log.entry(i)?.data;
    if (data?.kind === 'command' && data.requestId === requestId) count++;
  }
  return count;
}

describe('forwarded proposals', () => {
  it('a raft.propose delivered twice to the leader is appended once', () => {
    const c = new TestCluster({ seed: 'dup-propose' });
    const leader = c.awaitLeader();
    const follower = c.followers()[0];
    c.sim.bus.send(follower, leader, proposal(follower, 'dup-1'));
    c.sim.bus.send(follower, leader, proposal(follower, 'dup-1'));
    c.runFor(300);
    for (const m of c.members) expect(entriesFor(c, m, 'dup-1')).toBe(1);
    expect(c.finish()).toEqual([]);
  });

  it('a copy reaching a member that is no longer leader is not passed on to the new leader', () => {
    const c = new TestCluster({ seed: 'dup-propose-after-change' });
    const first = c.awaitLeader();
    const follower = c.followers()[0];
    c.sim.bus.send(follower, first, proposal(follower, 'dup-2'));
    c.runFor(300);
    // Leadership moves on; the late copy arrives at the old leader, now a follower.
    c.isolate(first);
    c.runUntilTrue(() => c.members.some((m) => m !== first && c.status(m)!.role === 'leader'), 5_000);
    c.sim.heal();
    c.runUntilTrue(() => c.status(first)!.role === 'follower' && c.status(first)!.leader !== first, 5_000);
    c.sim.bus.send(follower, first, proposal(follower, 'dup-2'));
    c.runFor(500);
    for (const m of c.members) expect(entriesFor(c, m, 'dup-2')).toBe(1);
    expect(c.finish()).toEqual([]);
  });
});
