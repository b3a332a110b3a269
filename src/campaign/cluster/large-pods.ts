// A Deployment of large pods: each requests more than half a node's CPU, so two on one node overcommit it
// (a batch job's workers, a database's replicas). The scheduler keeps them apart only through its
// bookkeeping: the ReplicaSet controller creates them in slow-start batches (1, 2, 4, …), a batch reaches
// the scheduler before the informer shows its first pod bound, and only the assume cache tells the next
// cycle that the node is taken — on unevenly loaded nodes every cycle of the batch picks the same best
// node. The workload is sized so the large pods always fit one per node whatever the scheduler did with
// the rest, or the cluster could not converge (a pod that fits nowhere stays Pending, no bug).
import { NODE_CPU_MILLI, NODE_PODS, SMALL_POD_CPU_MILLI, type ClusterWorkload, type DeploymentSpec } from './scenario.ts';

/** What the generator draws for the large Deployment (appended after the others, so no change targets it). */
export interface LargePodsDraw {
  cpuMilli: number;
  replicas: number;
  /**
   * Start at zero replicas and `kubectl scale` to `replicas` at this time (workers scaled up from zero, on
   * nodes the rest of the workload already loads unevenly), or start with all.
   */
  scaleUpAt?: number;
}

/** Replicas a Deployment peaks at: its initial count or the largest it is scaled to. */
export function peakReplicas(workload: ClusterWorkload, index: number): number {
  const scaled = workload.changes.filter((c) => c.kind === 'scale' && c.deployment === index).map((c) => (c as { replicas: number }).replicas);
  return Math.max(workload.deployments[index].replicas, ...scaled);
}

/**
 * CPU and pod count of everything but the large pods at its peak (`steady`), the same during a rollout's
 * surge (`surging`), and the largest request among them.
 */
function otherLoad(workload: ClusterWorkload): { steady: number; surging: number; largest: number; pods: number } {
  let steady = 0, surge = 0, largest = 0, pods = 0;
  workload.deployments.forEach((d, i) => {
    const peak = peakReplicas(workload, i);
    // maxSurge defaults to 25 %, rounded up (apps/v1).
    const extra = d.maxSurge ?? Math.ceil(peak / 4);
    steady += peak * d.cpuMilli;
    surge += extra * d.cpuMilli;
    pods += peak + extra;
    if (peak > 0) largest = Math.max(largest, d.cpuMilli);
  });
  const small = workload.jobs.reduce((s, j) => s + j.parallelism, 0) + (workload.unreadyPod ? 1 : 0);
  if (small > 0) largest = Math.max(largest, SMALL_POD_CPU_MILLI);
  steady += small * SMALL_POD_CPU_MILLI;
  return { steady, surging: steady + surge, largest, pods: pods + small };
}

/**
 * True when `replicas` pods of `cpuMilli` and the rest of the workload always find room on `survivors`
 * nodes, in any placement the scheduler may have made:
 * - a pending pod of the rest, c ≤ largest, even mid-rollout: it fits nowhere only if every node has less
 *   than c free, i.e. more than survivors × (perNode − c) is used, which `replicas × cpuMilli + surging − c`
 *   never reaches;
 * - a pending large pod, once rollouts are over (surge pods are deleted; it waits for that): the nodes it
 *   cannot use hold a large pod (at most replicas − 1) or more than `perNode − cpuMilli` of the rest (at
 *   most ⌊steady / (perNode − cpuMilli + 1)⌋ nodes);
 * - with a DaemonSet, whose pod may come to a node last, every node must hold a large pod and all the rest.
 */
export function largePodsFit(workload: ClusterWorkload, cpuMilli: number, replicas: number, survivors: number): boolean {
  const perNode = NODE_CPU_MILLI - (workload.daemonSet ? SMALL_POD_CPU_MILLI : 0);
  const perNodePods = NODE_PODS - (workload.daemonSet ? 1 : 0);
  const other = otherLoad(workload);
  const room = perNode - cpuMilli;
  const blocked = Math.floor(other.steady / (room + 1));
  return replicas <= survivors
    && replicas * cpuMilli + other.surging <= survivors * (perNode - other.largest) + other.largest
    && replicas - 1 + blocked < survivors
    && (!workload.daemonSet || other.steady <= room)
    && other.pods + replicas < survivors * perNodePods;
}

/** The other Deployments capped at `cap` replicas (initial and scaled), and at 100m when `cap` is 0. */
function capOthers(workload: ClusterWorkload, cap: number): ClusterWorkload {
  const deployments = workload.deployments.map((d) => ({ ...d, replicas: Math.min(d.replicas, Math.max(cap, 1)), ...(cap === 0 ? { cpuMilli: SMALL_POD_CPU_MILLI } : {}) }));
  const changes = workload.changes.map((c) => (c.kind === 'scale' ? { ...c, replicas: Math.min(c.replicas, Math.max(cap, 1)) } : c));
  return { ...workload, deployments, changes };
}

/**
 * Appends the large Deployment to a fitted workload. Keeps as much of the rest as it can: fewer large
 * replicas first (never under 2: one alone cannot collide), then the others capped harder. Undefined when
 * even that does not fit.
 */
export function withLargePods(workload: ClusterWorkload, draw: LargePodsDraw, survivors: number): ClusterWorkload | undefined {
  const index = workload.deployments.length;
  const startCap = Math.max(0, ...workload.deployments.map((_, i) => peakReplicas(workload, i)));
  for (let cap = startCap; cap >= 0; cap--) {
    const rest = cap === startCap ? workload : capOthers(workload, cap);
    for (let replicas = Math.min(draw.replicas, survivors); replicas >= 2; replicas--) {
      if (!largePodsFit(rest, draw.cpuMilli, replicas, survivors)) continue;
      // A surge pod could find no node; replace them one at a time (never used: no change targets it).
      const large: DeploymentSpec = {
        replicas: draw.scaleUpAt === undefined ? replicas : 0, cpuMilli: draw.cpuMilli, memoryMi: 256, maxSurge: 0, maxUnavailable: 1, service: false,
      };
      const scale = draw.scaleUpAt === undefined ? [] : [{ at: draw.scaleUpAt, kind: 'scale' as const, deployment: index, replicas }];
      return { ...rest, deployments: [...rest.deployments, large], changes: [...rest.changes, ...scale].sort((a, b) => a.at - b.at) };
    }
  }
  return undefined;
}
