// An HA cluster for the failover tests: 3 etcd members, 3 apiservers behind the load balancer, 3 nodes,
// 2 kube-scheduler and 2 kube-controller-manager replicas; every leader act is collected for the checker.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { LeaderActObservation } from '../../src/check/cluster-invariants/leader.ts';
import { buildCluster, type Cluster, type ClusterSpec } from '../../src/cluster/index.ts';

export interface HaCluster {
  readonly cluster: Cluster;
  /** Every obs.leader.act, in order. */
  readonly acts: LeaderActObservation[];
}

export function startHaCluster(seed: number, components: ClusterSpec['components'] = {}): HaCluster {
  const cluster = buildCluster({
    etcd: { members: 3 }, apiservers: 3, nodes: { count: 3 },
    components: { ...components, scheduler: { replicas: 2, ...components.scheduler }, controllerManager: { replicas: 2, ...components.controllerManager } },
  }, { seed });
  const acts: LeaderActObservation[] = [];
  cluster.sim.events.subscribe((e) => {
    if (e.kind === 'observe' && e.observation.type === 'obs.leader.act') acts.push(e.observation as unknown as LeaderActObservation);
  });
  cluster.start();
  return { cluster, acts };
}

export const SCHEDULER_LEASE = 'kube-scheduler';
export const KCM_LEASE = 'kube-controller-manager';

export function lease(cluster: Cluster, name: string): Lease | undefined {
  return cluster.get<Lease & { metadata: object }>('leases', name, 'kube-system');
}

/** The address of the replica holding the lease ("<hostname>_<uuid>" → hostname). */
export function leaderAddress(cluster: Cluster, name: string): string | undefined {
  const holder = lease(cluster, name)?.spec?.holderIdentity;
  return holder ? holder.slice(0, holder.lastIndexOf('_')) : undefined;
}

/** Runs in 1 s steps until the lease names a holder other than `previous`; the time it took, or undefined. */
export function runUntilNewLeader(cluster: Cluster, name: string, previous: string | undefined, timeoutMs: number): number | undefined {
  const start = cluster.now;
  while (cluster.now - start < timeoutMs) {
    cluster.runFor(1_000);
    const now = leaderAddress(cluster, name);
    if (now !== undefined && now !== previous) return cluster.now - start;
  }
  return undefined;
}

/** Runs in 1 s steps until `done` holds (reads through the API: keep it cheap). */
export function runUntil(cluster: Cluster, done: () => boolean, timeoutMs: number): boolean {
  const start = cluster.now;
  while (cluster.now - start < timeoutMs) {
    cluster.runFor(1_000);
    if (done()) return true;
  }
  return false;
}

export function podManifest(name: string): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  containers: [{ name: app, image: nginx:1.25 }]
`;
}
