import fc from 'fast-check';
import { withLargePods, type LargePodsDraw } from './large-pods.ts';
import {
  IMAGE_TAGS, NODE_CPU_MILLI, NODE_PODS, SMALL_POD_CPU_MILLI,
  type ClusterFault, type ClusterScenario, type ClusterShape, type ClusterWorkload, type DeploymentSpec, type LeaderComponent, type StaleComponent,
} from './scenario.ts';

/** Workload changes happen in [0, CHANGES_HORIZON_MS); faults start in [0, FAULTS_HORIZON_MS). */
export const CHANGES_HORIZON_MS = 60_000;
export const FAULTS_HORIZON_MS = 60_000;
/** Watch stalls are armed in [0, STALL_HORIZON_MS): with their 30 s trigger window, while the workload changes. */
export const STALL_HORIZON_MS = 30_000;
/** Leader isolations start in [0, LEADER_ISOLATION_HORIZON_MS). */
export const LEADER_ISOLATION_HORIZON_MS = 20_000;
export { SMALL_POD_CPU_MILLI };
/** The workload is sized to this fraction of what the nodes that survive can hold (rollouts surge above it). */
const HEADROOM = 0.6;

const at = (horizon: number) => fc.integer({ min: 0, max: horizon - 1 });

function shapeArb(): fc.Arbitrary<ClusterShape> {
  return fc.record({ apiservers: fc.integer({ min: 1, max: 3 }), nodes: fc.integer({ min: 2, max: 4 }) }).chain(({ apiservers, nodes }) =>
    (apiservers === 1
      ? fc.constant<StaleComponent[]>([])
      : fc.subarray<StaleComponent>(['controllerManager', 'scheduler'])
    ).map((stale) => ({ apiservers, nodes, stale })));
}

const deploymentArb: fc.Arbitrary<DeploymentSpec> = fc
  .record({
    replicas: fc.integer({ min: 1, max: 4 }),
    // Coarse requests (up to 800m of a 2-CPU node): a burst of a few pods can overfill a node.
    cpuMilli: fc.constantFrom(100, 200, 300, 500, 800),
    memoryMi: fc.constantFrom(64, 128, 256),
    strategy: fc.option(fc.record({ maxSurge: fc.integer({ min: 0, max: 2 }), maxUnavailable: fc.integer({ min: 0, max: 2 }) }), { nil: undefined }),
    tolerationSeconds: fc.option(fc.integer({ min: 10, max: 120 }), { nil: undefined, freq: 3 }),
    service: fc.boolean(),
  })
  .map(({ strategy, tolerationSeconds, ...d }) => ({
    ...d,
    // maxSurge and maxUnavailable cannot both be 0 (validation rejects it).
    ...(strategy ? { maxSurge: strategy.maxSurge, maxUnavailable: strategy.maxSurge + strategy.maxUnavailable === 0 ? 1 : strategy.maxUnavailable } : {}),
    ...(tolerationSeconds !== undefined ? { tolerationSeconds } : {}),
  }));

export function workloadArb(): fc.Arbitrary<ClusterWorkload> {
  return fc.integer({ min: 1, max: 3 }).chain((count) => {
    const deployment = fc.integer({ min: 0, max: count - 1 });
    const change = fc.oneof(
      { weight: 3, arbitrary: fc.record({ at: at(CHANGES_HORIZON_MS), kind: fc.constant('scale' as const), deployment, replicas: fc.integer({ min: 0, max: 5 }) }) },
      { weight: 3, arbitrary: fc.record({ at: at(CHANGES_HORIZON_MS), kind: fc.constant('image' as const), deployment, tag: fc.constantFrom(...IMAGE_TAGS) }) },
      { weight: 2, arbitrary: fc.record({ at: at(CHANGES_HORIZON_MS), kind: fc.constant('delete-pod' as const), deployment, pod: fc.nat(9) }) },
    );
    return fc.record({
      deployments: fc.array(deploymentArb, { minLength: count, maxLength: count }),
      jobs: fc.array(fc.record({ completions: fc.integer({ min: 1, max: 3 }), parallelism: fc.integer({ min: 1, max: 2 }), runMs: fc.integer({ min: 1_000, max: 20_000 }) }), { maxLength: 1 }),
      daemonSet: fc.boolean(),
      unreadyPod: fc.boolean(),
      changes: fc.array(change, { maxLength: 6 }).map((list) => [...list].sort((a, b) => a.at - b.at)),
    });
  });
}

export function faultArb(shape: ClusterShape): fc.Arbitrary<ClusterFault> {
  const nodes = Array.from({ length: shape.nodes }, (_, i) => `node-${i + 1}`);
  const apiservers = Array.from({ length: shape.apiservers }, (_, i) => `apiserver-${i}`);
  const etcd = ['etcd-1', 'etcd-2', 'etcd-3'];
  const controlPlane = ['kcm-0', 'scheduler-0'];
  const start = at(FAULTS_HORIZON_MS);
  const shortMs = fc.integer({ min: 1_000, max: 20_000 });
  // Past the 50 s node-monitor grace period a node is tainted; under it, it is only late.
  const nodeOutageMs = fc.oneof(shortMs, fc.integer({ min: 55_000, max: 120_000 }));
  const triggerDelayMs = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 50 }));
  const episodes: fc.WeightedArbitrary<ClusterFault>[] = [
    {
      weight: 3,
      arbitrary: fc.record({
        at: start, kind: fc.constant('crash' as const), target: fc.constantFrom(...controlPlane, ...apiservers, ...etcd, ...nodes.map((n) => `${n}/kubelet`), ...nodes.map((n) => `${n}/kube-proxy`)),
        downtimeMs: shortMs, loseUnsynced: fc.boolean(),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        at: start, kind: fc.constant('crash' as const), target: fc.constantFrom(...nodes), downtimeMs: nodeOutageMs, loseUnsynced: fc.boolean(),
        // A node that never comes back: its pods must be evicted and replaced (only with 3+ nodes).
        lost: shape.nodes >= 3 ? fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))).chain((b) => (b ? fc.boolean() : fc.constant(false))) : fc.constant(false),
      }).map(({ lost, ...f }) => (lost ? { ...f, lost } : f)),
    },
    {
      weight: 4,
      arbitrary: fc.record({ at: start, kind: fc.constant('crash-after-write' as const), target: fc.constantFrom(...controlPlane), delayMs: triggerDelayMs, downtimeMs: shortMs }),
    },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.record({ at: start, kind: fc.constant('partition' as const), host: fc.constantFrom(...nodes), durationMs: nodeOutageMs }),
        fc.record({ at: start, kind: fc.constant('partition' as const), host: fc.constantFrom(...controlPlane, ...apiservers, ...etcd), durationMs: shortMs }),
      ),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        at: start, kind: fc.constant('watch-loss' as const),
        target: fc.constantFrom(...controlPlane, ...nodes.map((n) => `${n}/kube-proxy`), ...nodes.map((n) => `${n}/kubelet`)),
        drop: fc.double({ min: 0.3, max: 1, noNaN: true }), durationMs: fc.integer({ min: 1_000, max: 30_000 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        at: start, kind: fc.constant('burst' as const), drop: fc.double({ min: 0, max: 0.3, noNaN: true }), duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
        durationMs: fc.integer({ min: 1_000, max: 10_000 }),
      }),
    },
  ];
  if (shape.apiservers > 1) {
    episodes.push({
      // Stale state matters most where a component reads from the lagging apiserver.
      weight: shape.stale.length > 0 ? 4 : 1,
      arbitrary: fc.record({
        at: start, kind: fc.constant('lag' as const), apiserver: fc.integer({ min: 1, max: shape.apiservers - 1 }),
        delayMs: fc.integer({ min: 500, max: 5_000 }), durationMs: fc.integer({ min: 5_000, max: 60_000 }),
      }),
    });
  }
  return fc.oneof(...episodes);
}

/**
 * What the base scenario does not draw, drawn after it (so a seed that draws none of it replays the very
 * scenario it generated before these existed): one cluster in three runs two scheduler and controller-manager
 * replicas (leader election) and then, one time in two, a live leader loses its lease; one scenario in two
 * stalls the ReplicaSet controller's pod watch (stale state), and, drawn last, one in two the scheduler's.
 */
function extrasArb(): fc.Arbitrary<{ replicas: number; faults: ClusterFault[] }> {
  const stall = fc.record({ at: at(STALL_HORIZON_MS), kind: fc.constant('watch-stall' as const), resource: fc.constant('pods' as const), durationMs: fc.integer({ min: 2_000, max: 15_000 }) });
  // Past the 10 s renew deadline the leader must stop; past ~17–20 s (15 s lease + a jittered 2 s retry)
  // the other replica has taken over, and both are back once healed. Early in the workload's minute, so
  // that changes after the heal give both replicas work.
  const isolation = fc.record({
    at: at(LEADER_ISOLATION_HORIZON_MS), kind: fc.constant('isolate-leader' as const), lease: fc.constantFrom<LeaderComponent>('scheduler', 'controllerManager'),
    durationMs: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 5_000, max: 15_000 }) }, { weight: 3, arbitrary: fc.integer({ min: 18_000, max: 40_000 }) }),
  });
  const replicas = fc.oneof({ weight: 2, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) });
  // The same stall aimed at the scheduler: the pods created meanwhile reach it in one burst (its assume
  // cache is what keeps them off one node). Drawn after the others, so their draws stay as they were.
  // Half of them from the workload's first pod: the apply that creates every pod at once is the biggest burst.
  const schedulerStall = fc.record({ fromStart: fc.boolean(), stall }).map(({ fromStart, stall: s }) => ({ ...s, ...(fromStart ? { at: 0 } : {}), component: 'scheduler' as const }));
  return replicas.chain((r) => fc.record({
    stall: fc.option(stall, { nil: undefined, freq: 2 }),
    isolation: r > 1 ? fc.option(isolation, { nil: undefined, freq: 2 }) : fc.constant(undefined),
    schedulerStall: fc.option(schedulerStall, { nil: undefined, freq: 2 }),
  }).map(({ stall: st, isolation: iso, schedulerStall: sst }) => ({ replicas: r, faults: [...(iso ? [iso] : []), ...(st ? [st] : []), ...(sst ? [sst] : [])] })));
}

/** At most one node is lost for good: later `lost` flags are cleared. */
function atMostOneLost(faults: ClusterFault[]): ClusterFault[] {
  let seen = false;
  return faults.map((f) => {
    if (f.kind !== 'crash' || !f.lost) return f;
    if (!seen) return (seen = true, f);
    const { lost: _, ...rest } = f;
    return rest;
  });
}

/** Nodes still there once faults stop. */
export function survivingNodes(scenario: Pick<ClusterScenario, 'shape' | 'faults'>): number {
  return scenario.shape.nodes - (scenario.faults.some((f) => f.kind === 'crash' && f.lost) ? 1 : 0);
}

/**
 * Caps replica counts (initial and scaled) so the workload fits the nodes that survive with headroom:
 * a workload that cannot fit stays Pending and would never converge, which is no bug.
 */
export function fitWorkload(workload: ClusterWorkload, survivors: number): ClusterWorkload {
  const perNodeCpu = NODE_CPU_MILLI - (workload.daemonSet ? SMALL_POD_CPU_MILLI : 0);
  const perNodePods = NODE_PODS - (workload.daemonSet ? 1 : 0);
  // First-fit wastes less than one pod's request per node.
  const largest = Math.max(...workload.deployments.map((d) => d.cpuMilli));
  const cpuBudget = Math.floor(survivors * Math.min(HEADROOM * perNodeCpu, perNodeCpu - largest)) - (workload.jobs.reduce((s, j) => s + j.parallelism, 0) + (workload.unreadyPod ? 1 : 0)) * SMALL_POD_CPU_MILLI;
  const extraPods = workload.jobs.reduce((s, j) => s + j.parallelism, 0) + (workload.unreadyPod ? 1 : 0);
  const podBudget = Math.floor(HEADROOM * survivors * perNodePods) - extraPods;
  const peak = (i: number, cap: number) => Math.min(cap, Math.max(workload.deployments[i].replicas, ...workload.changes.filter((c) => c.kind === 'scale' && c.deployment === i).map((c) => (c as { replicas: number }).replicas)));
  const fits = (cap: number) => {
    const peaks = workload.deployments.map((_, i) => peak(i, cap));
    return peaks.reduce((s, p, i) => s + p * workload.deployments[i].cpuMilli, 0) <= cpuBudget && peaks.reduce((s, p) => s + p, 0) <= podBudget;
  };
  let cap = 5;
  while (cap > 1 && !fits(cap)) cap--;
  const deployments = workload.deployments.map((d) => ({ ...d, replicas: Math.min(d.replicas, cap), ...(fits(cap) ? {} : { cpuMilli: 100 }) }));
  const changes = workload.changes.map((c) => (c.kind === 'scale' ? { ...c, replicas: Math.min(c.replicas, cap) } : c));
  return { ...workload, deployments, changes };
}

/** Scenarios on a given cluster shape (the bench uses a bigger one than the campaign draws). */
export function scenarioForShapeArb(shape: ClusterShape, faults: { min: number; max: number } = { min: 1, max: 5 }): fc.Arbitrary<ClusterScenario> {
  return (
    fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      shape: fc.constant(shape),
      workload: workloadArb(),
      faults: fc.array(faultArb(shape), { minLength: faults.min, maxLength: faults.max }).map((list) => atMostOneLost([...list].sort((a, b) => a.at - b.at))),
    }).map((s) => ({ ...s, workload: fitWorkload(s.workload, survivingNodes(s)) })));
}

/**
 * One scenario in three adds a Deployment of large pods (more than half a node each: two on one node
 * overcommit it), started at full size or scaled up from zero in the workload's first minute.
 */
const largePodsArb: fc.Arbitrary<LargePodsDraw | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.record({ cpuMilli: fc.constantFrom(1_100, 1_200, 1_300), replicas: fc.integer({ min: 2, max: 4 }), scaleUpAt: fc.option(at(CHANGES_HORIZON_MS), { nil: undefined }) })
      .map(({ scaleUpAt, ...draw }) => (scaleUpAt === undefined ? draw : { ...draw, scaleUpAt })),
  },
);

/**
 * The campaign's scenarios: the base ones, plus leader election and the stale-state faults aimed at it, plus
 * (drawn last, so the draws before it stay as they were) the large pods.
 */
export function clusterScenarioArb(): fc.Arbitrary<ClusterScenario> {
  return shapeArb().chain((base) => scenarioForShapeArb(base)).chain((s) => extrasArb().map(({ replicas, faults }) => ({
    ...s,
    shape: replicas > 1 ? { ...s.shape, replicas } : s.shape,
    faults: faults.length === 0 ? s.faults : [...s.faults, ...faults].sort((a, b) => a.at - b.at),
  }))).chain((s) => largePodsArb.map((draw) => {
    const workload = draw && withLargePods(s.workload, draw, survivingNodes(s));
    return workload ? { ...s, workload } : s;
  }));
}
