// `kubesim check --profile cluster`: a whole cluster (3 etcd members, 1–3 apiservers, the
// controller-manager, the scheduler, 2–4 nodes) runs a generated workload under generated faults; then
// faults and the workload stop, and eventually-stable reconciliation must hold within ESR_BOUND_MS. Safety
// invariants are checked once a virtual second throughout. See docs/campaign.md.
import { SafetyMonitor, isLeaderActObservation } from '../../check/cluster-invariants/index.ts';
import type { ClusterView, Violation as ClusterViolation } from '../../check/convergence/index.ts';
import { buildResolvedCluster, resolveClusterSpec, type ComponentSettings, type ResolvedClusterSpec } from '../../cluster/index.ts';
import { ComponentFailure } from '../../host/simulation.ts';
import { TraceRecorder } from '../../trace/recorder.ts';
import { TRACE_ARTEFACT, type CampaignProfile, type Plant, type RunOptions, type RunReport, type Violation } from '../types.ts';
import { clusterScenarioArb } from './arbitrary.ts';
import { armFaults, armWorkloadStalls, lostNodes, quietAt, type FaultContext } from './faults.ts';
import { workloadObjects } from './manifests.ts';
import { parseClusterScenario } from './parse.ts';
import { CLUSTER_PLANTS, findClusterPlant, plantedIn } from './plants.ts';
import { NODE_CAPACITY, type ClusterScenario } from './scenario.ts';
import { EtcdSnapshotter } from './snapshot.ts';
import { awaitStable, ESR_BOUND_MS, SAFETY_PERIOD_MS, STABLE_WINDOW_MS } from './settle.ts';
import { summarizeClusterScenario } from './summary.ts';
import { ReplicaSetOvercreationMonitor } from './replicaset-check.ts';
import { TolerationEvictionMonitor } from './toleration-check.ts';
import { driveWorkload } from './workload-driver.ts';

function clusterSpec(scenario: ClusterScenario, plant: string | undefined): ResolvedClusterSpec {
  const planted = findClusterPlant(plant);
  const staleApiserver = (component: 'controllerManager' | 'scheduler') =>
    scenario.shape.stale.includes(component) && scenario.shape.apiservers > 1 ? { apiserver: 'apiserver-1' } : {};
  const plantFor = (settings: 'controllerManager' | 'scheduler') => (planted && plantedIn(planted, settings) ? { plant: planted.name } : {});
  const replicas = (scenario.shape.replicas ?? 1) > 1 ? { replicas: scenario.shape.replicas } : {};
  const resolved = resolveClusterSpec({
    etcd: { members: 3 },
    apiservers: scenario.shape.apiservers,
    nodes: { count: scenario.shape.nodes, capacity: { ...NODE_CAPACITY } },
    components: {
      controllerManager: { ...staleApiserver('controllerManager'), ...plantFor('controllerManager'), ...replicas } as ComponentSettings['controllerManager'],
      scheduler: { ...staleApiserver('scheduler'), ...plantFor('scheduler'), ...replicas },
    },
  });
  // kube-proxy settings are code-only (not part of a spec file): set on the resolved spec.
  if (planted && plantedIn(planted, 'kubeProxy')) resolved.components.kubeProxy = { plant: planted.name };
  return resolved;
}

/** A broken invariant stays broken for a while: report its first sighting per object. */
function firstOfEach(violations: readonly ClusterViolation[]): ClusterViolation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.property}|${v.object}`;
    return !seen.has(key) && (seen.add(key), true);
  });
}

const fromCluster = (checker: string) => (v: ClusterViolation): Violation => ({ checker, invariant: v.property, message: v.message, at: v.at });

export function runClusterScenario(scenario: ClusterScenario, options: RunOptions = {}): RunReport {
  const cluster = buildResolvedCluster(clusterSpec(scenario, options.plant), { seed: scenario.seed, ...(options.inspect ? { inspect: options.inspect } : {}) });
  const { sim } = cluster;
  const tracer = options.trace ? new TraceRecorder(sim, { payloads: true }) : undefined;
  const violations: Violation[] = [];
  const stats: Record<string, number> = { faults: scenario.faults.length, changes: scenario.workload.changes.length };
  const safety = new SafetyMonitor();
  const tolerations = new TolerationEvictionMonitor();
  const replicaSets = new ReplicaSetOvercreationMonitor();
  const leaderActs = sim.events.subscribe((event) => {
    if (event.kind === 'observe' && isLeaderActObservation(event.observation)) safety.leaderAct(event.observation);
  });
  // A binding is judged at once: a kubelet rejects a pod its node cannot hold (OutOfcpu) milliseconds later,
  // so an overcommitted node can be gone by the next periodic snapshot.
  let bindingCheck = false;
  const bindings = sim.events.subscribe((event) => {
    if (event.kind !== 'observe' || event.observation.type !== 'obs.scheduler.bound' || bindingCheck) return;
    bindingCheck = true;
    sim.clock.setTimeout(() => {
      bindingCheck = false;
      look();
    }, 0);
  });
  const lost = lostNodes(scenario);
  const live = cluster.nodes.filter((n) => !lost.includes(n));
  const snapshotter = new EtcdSnapshotter(sim, cluster.etcdMembers, cluster.nodes);
  let snapshots = 0;
  const look = (liveNodes?: readonly string[]): ClusterView | undefined => {
    const view = snapshotter.view(liveNodes);
    if (!view) return undefined;
    snapshots++;
    safety.observe(view);
    tolerations.observe(view);
    replicaSets.observe(view);
    return view;
  };

  try {
    cluster.start({ recordEvents: false });
    const faultContext = (base: number, hosts: string[]): FaultContext => ({
      sim, base, quietFrom: quietAt(scenario), apiservers: cluster.apiservers, etcdMembers: cluster.etcdMembers, hosts,
      controllerManagers: cluster.controllerManagers,
      schedulers: cluster.schedulers,
      count: (stat) => void (stats[stat] = (stats[stat] ?? 0) + 1),
      leaseHolder: (component) => snapshotter.leaseHolder(component === 'scheduler' ? 'kube-scheduler' : 'kube-controller-manager'),
      ...(tracer ? { onApplied: tracer.onFault } : {}),
    });
    // Stalls that start with the workload are armed before it is applied; every other fault after.
    armWorkloadStalls(scenario.faults, faultContext(cluster.now, []));
    cluster.apply(workloadObjects(scenario.workload));
    const base = cluster.now;
    const quiet = base + quietAt(scenario);
    const hosts = [...new Set(sim.addresses().map((a) => a.split('/')[0]))];
    armFaults(scenario.faults, faultContext(base, hosts));
    let latest: ClusterView | undefined;
    const workload = driveWorkload(cluster, scenario.workload.changes, base, () => latest);

    // The first broken safety invariant is the interesting one: the run stops there.
    const unsafe = () => safety.violations.length + tolerations.violations.length + replicaSets.violations.length > 0;
    for (let t = base + SAFETY_PERIOD_MS; t <= quiet && !unsafe(); t += SAFETY_PERIOD_MS) {
      sim.runUntil(t);
      latest = look() ?? latest;
    }
    Object.assign(stats, { requestsSent: workload.sent, requestsRefused: workload.refused, requestsFailed: workload.failed });
    Object.assign(stats, { quietAtMs: Math.round(quiet - base), lostNodes: lost.length });

    // Faults and changes have stopped: within the bound the cluster must converge and then stay converged
    // for STABLE_WINDOW_MS (the same pods throughout). A fault's after-effects may still play out once it
    // has ended (a watch that died silently, a node marked Unknown on stale leases): leaving the converged
    // state and coming back is a relapse, counted in the stats; never settling is the violation.
    const settled = unsafe() ? undefined : awaitStable(quiet, look, live, sim);
    if (settled) Object.assign(stats, { relapses: settled.relapses, ...(settled.convergedAt !== undefined ? { convergedAfterMs: Math.round(settled.convergedAt - quiet) } : {}) });
    if (settled && settled.convergedAt === undefined) {
      violations.push({
        checker: 'convergence', invariant: 'ESR', at: settled.lastTime ?? sim.now,
        message: `The cluster did not converge and stay converged for ${STABLE_WINDOW_MS / 1000} s within ${ESR_BOUND_MS / 1000} s after faults and workload changes stopped (at ${Math.round(quiet)}ms).`,
      }, ...settled.problems.map(fromCluster('convergence')));
    }
  } catch (error) {
    if (!(error instanceof ComponentFailure)) throw error;
    violations.push({ checker: 'model', invariant: 'no component failure', message: error.message, at: sim.now });
  } finally {
    leaderActs.unsubscribe();
    bindings.unsubscribe();
  }
  violations.unshift(...firstOfEach(safety.violations).map(fromCluster('safety')), ...tolerations.violations, ...replicaSets.violations);
  tracer?.stop();
  cluster.stop();
  return {
    ...(tracer ? { artefacts: { [TRACE_ARTEFACT]: tracer.text() } } : {}),
    violations,
    stats: { ...stats, virtualMs: Math.round(sim.now), snapshots, messages: sim.bus.stats.sent },
  };
}

export { ESR_BOUND_MS, STABLE_WINDOW_MS };

export const clusterProfile: CampaignProfile<ClusterScenario> = {
  name: 'cluster',
  description: 'a whole cluster under crashes mid-reconcile, lost watch events, lagging apiservers, node crashes and partitions, with a changing workload; ESR and safety checked',
  plants: CLUSTER_PLANTS.map(({ settings: _, ...plant }) => plant) as readonly Plant[],
  scenarioArb: clusterScenarioArb,
  run: runClusterScenario,
  summarize: summarizeClusterScenario,
  parseScenario: parseClusterScenario,
};
