// The planted bug `leader-acts-after-losing-lease`: a replica that ignores OnStoppedLeading and keeps
// acting. Partition the leader from every apiserver until the other replica takes over, heal, give both
// work: with the plant the leader-per-term invariant is violated; without it, never — and the acts the
// checker reads are really there (the test cannot pass if obs.leader.act were never emitted).
import { describe, expect, it } from 'vitest';
import { LeaderActChecker } from '../../src/check/cluster-invariants/leader.ts';
import { KCM_LEASE, SCHEDULER_LEASE, leaderAddress, runUntilNewLeader, startHaCluster } from './harness.ts';

const PODS = Array.from({ length: 12 }, (_, i) => `apiVersion: v1
kind: Pod
metadata: { name: after-heal-${i} }
spec:
  containers: [{ name: app, image: nginx:1.25 }]
`).join('---\n');

const REPLICASET = `apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: after-heal }
spec:
  replicas: 6
  selector: { matchLabels: { app: after-heal } }
  template:
    metadata: { labels: { app: after-heal } }
    spec: { containers: [{ name: app, image: nginx:1.25 }] }
`;

const CASES = [
  { component: 'scheduler', lease: SCHEDULER_LEASE, work: PODS },
  { component: 'controllerManager', lease: KCM_LEASE, work: REPLICASET },
] as const;

function run(c: (typeof CASES)[number], planted: boolean) {
  const { cluster, acts } = startHaCluster(5, planted ? { [c.component]: { plant: 'leader-acts-after-losing-lease' } } : {});
  cluster.runFor(3_000);
  const first = leaderAddress(cluster, c.lease)!;
  cluster.sim.partition({ id: 'isolate-leader', from: [first], to: cluster.apiservers, oneWay: false });
  const took = runUntilNewLeader(cluster, c.lease, first, 40_000);
  expect(took).toBeDefined();
  cluster.sim.heal('isolate-leader');
  // Time for the old leader's informers to find their way back (watch stall, relist back-off).
  cluster.runFor(30_000);
  cluster.apply(c.work);
  cluster.runFor(10_000);
  const checker = new LeaderActChecker();
  for (const act of [...acts].sort((a, b) => a.at - b.at)) checker.add(act);
  const lease = `kube-system/${c.lease}`;
  return { violations: checker.violations, acts: acts.filter((a) => a.lease === lease), first };
}

describe.each(CASES)('planted leader-acts-after-losing-lease ($component)', (c) => {
  it('is caught as a leader-per-term violation', () => {
    const { violations, acts, first } = run(c, true);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.map((v) => v.property)).toContain('leader-per-term');
    expect(acts.some((a) => a.holder.startsWith(`${first}_`) && a.term === 0)).toBe(true);
  });

  it('without the plant, the old leader exits and the acts of the new one pass the check', () => {
    const { violations, acts, first } = run(c, false);
    expect(violations).toEqual([]);
    const newer = acts.filter((a) => a.term === 1);
    expect(newer.length).toBeGreaterThan(0);
    expect(newer.every((a) => !a.holder.startsWith(`${first}_`))).toBe(true);
  });
});
