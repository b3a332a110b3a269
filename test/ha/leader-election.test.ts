// Leader election in an HA control plane: one replica of each leads (a Lease, a LeaderElection Event),
// only the leader acts, and when it crashes the other takes over within leaseDuration + retry jitter.
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { checkLeaderActs } from '../../src/check/cluster-invariants/leader.ts';
import { ACQUIRE_JITTER_FACTOR, LEASE_DURATION_MS, RETRY_PERIOD_MS } from '../../src/client/leader-election.ts';
import { KCM_LEASE, SCHEDULER_LEASE, lease, leaderAddress, podManifest, runUntil, runUntilNewLeader, startHaCluster } from './harness.ts';

/** The longest a follower can take to notice: the lease expires (judged from when it last saw it change), plus one jittered retry. */
const TAKEOVER_BOUND_MS = LEASE_DURATION_MS + RETRY_PERIOD_MS * (1 + ACQUIRE_JITTER_FACTOR) + 2_000;

describe('HA control plane: leader election', () => {
  it('elects one scheduler and one controller-manager, records it, and only leaders act', () => {
    const { cluster, acts } = startHaCluster(1);
    expect(cluster.schedulers).toEqual(['scheduler-0', 'scheduler-1']);
    expect(cluster.controllerManagers).toEqual(['kcm-0', 'kcm-1']);
    expect(cluster.loadBalancer).toBe('apiserver-lb');
    cluster.apply(podManifest('first'));
    expect(runUntil(cluster, () => Boolean(cluster.get<Pod & { metadata: object }>('pods', 'first', 'default')?.spec?.nodeName), 20_000)).toBe(true);

    const scheduler = lease(cluster, SCHEDULER_LEASE)!;
    expect(scheduler.spec).toMatchObject({ leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(scheduler.spec!.holderIdentity).toMatch(/^scheduler-[01]_[0-9a-f-]{36}$/);
    expect(lease(cluster, KCM_LEASE)!.spec!.holderIdentity).toMatch(/^kcm-[01]_[0-9a-f-]{36}$/);
    const events = cluster.events('kube-system').filter((e: Event) => e.reason === 'LeaderElection');
    expect(events.map((e) => [e.involvedObject.kind, e.involvedObject.name, e.source?.component, e.message])).toEqual(expect.arrayContaining([
      ['Lease', 'kube-scheduler', 'kube-scheduler', `${scheduler.spec!.holderIdentity} became leader`],
      ['Lease', 'kube-controller-manager', 'kube-controller-manager', `${lease(cluster, KCM_LEASE)!.spec!.holderIdentity} became leader`],
    ]));
    // The binding was an act of the scheduler leader; the controller-manager's writes, of its leader.
    const byLease = (l: string) => new Set(acts.filter((a) => a.lease === `kube-system/${l}`).map((a) => a.holder));
    expect([...byLease(SCHEDULER_LEASE)]).toEqual([scheduler.spec!.holderIdentity]);
    expect(acts.filter((a) => a.lease === 'kube-system/kube-scheduler')).toHaveLength(1);
    expect(checkLeaderActs(acts)).toEqual([]);
  });

  it('fails the scheduler over when its leader crashes: pending pods get bound by the other', () => {
    const { cluster, acts } = startHaCluster(2);
    cluster.runFor(3_000);
    const first = leaderAddress(cluster, SCHEDULER_LEASE)!;
    cluster.crash(first);
    cluster.apply(podManifest('waiting'));
    const took = runUntilNewLeader(cluster, SCHEDULER_LEASE, first, 30_000);
    expect(took).toBeDefined();
    expect(took!).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    expect(runUntil(cluster, () => Boolean(cluster.get<Pod & { metadata: object }>('pods', 'waiting', 'default')?.spec?.nodeName), 10_000)).toBe(true);
    expect(lease(cluster, SCHEDULER_LEASE)!.spec!.leaseTransitions).toBe(1);
    expect(acts.filter((a) => a.lease === 'kube-system/kube-scheduler').map((a) => a.term)).toEqual([1]);
    expect(checkLeaderActs(acts)).toEqual([]);
  });

  it('fails the controller-manager over when its leader crashes: a deleted pod is replaced', () => {
    const { cluster, acts } = startHaCluster(3);
    cluster.apply(`apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: app, image: nginx:1.25 }] }
`);
    const pods = () => cluster.list<Pod & { metadata: object }>('pods', { namespace: 'default', labelSelector: 'app=web' }).filter((p) => !p.metadata.deletionTimestamp);
    expect(runUntil(cluster, () => pods().length === 2, 20_000)).toBe(true);
    const first = leaderAddress(cluster, KCM_LEASE)!;
    cluster.crash(first);
    const victim = pods()[0].metadata.name!;
    cluster.delete('pods', victim, { namespace: 'default', gracePeriodSeconds: 0 });
    const took = runUntilNewLeader(cluster, KCM_LEASE, first, 30_000);
    expect(took).toBeDefined();
    expect(took!).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    expect(runUntil(cluster, () => pods().length === 2 && !pods().some((p) => p.metadata.name === victim), 20_000)).toBe(true);
    expect(new Set(acts.filter((a) => a.lease === 'kube-system/kube-controller-manager').map((a) => a.term))).toEqual(new Set([0, 1]));
    expect(checkLeaderActs(acts)).toEqual([]);
  });
});
