// The large-pod Deployment the cluster campaign adds to one scenario in three (src/campaign/cluster/large-pods.ts):
// the sizing rule must keep every pod placeable whatever a correct scheduler did, or a scenario without a plant
// could never converge. Checked against an adversarial scheduler: pods arrive in any order and each goes to any
// node it fits on (filters respected, scores ignored); every one must find a node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../fc.ts';
import { clusterScenarioArb, survivingNodes } from '../../src/campaign/cluster/arbitrary.ts';
import { largePodsFit, peakReplicas, withLargePods } from '../../src/campaign/cluster/large-pods.ts';
import { NODE_CPU_MILLI, NODE_PODS, SMALL_POD_CPU_MILLI, type ClusterWorkload } from '../../src/campaign/cluster/scenario.ts';

type Fit = (workload: ClusterWorkload, cpuMilli: number, replicas: number, survivors: number) => boolean;

/** Requests of every pod at the workload's peak (no rollout in progress), DaemonSet pods aside. */
function podRequests(workload: ClusterWorkload, large: { cpuMilli: number; replicas: number }): number[] {
  return [
    ...workload.deployments.flatMap((d, i) => Array.from({ length: peakReplicas(workload, i) }, () => d.cpuMilli)),
    ...Array.from({ length: workload.jobs.reduce((s, j) => s + j.parallelism, 0) + (workload.unreadyPod ? 1 : 0) }, () => SMALL_POD_CPU_MILLI),
    ...Array.from({ length: large.replicas }, () => large.cpuMilli),
  ];
}

/**
 * Places `pods` (and, with a DaemonSet, one 100m pod pinned to each node) in the given order, each on the
 * `choice`-th node it fits on. Returns the first pod that fits nowhere.
 */
function adversarialPlacement(pods: number[], nodes: number, daemonSet: boolean, order: number[], choices: number[]): number | undefined {
  const used = Array.from({ length: nodes }, () => ({ cpu: 0, pods: 0 }));
  const all = [...pods.map((cpu) => ({ cpu, node: undefined as number | undefined })), ...(daemonSet ? used.map((_, n) => ({ cpu: SMALL_POD_CPU_MILLI, node: n })) : [])];
  const sequence = [...all.keys()].sort((a, b) => (order[a] ?? a) - (order[b] ?? b) || a - b);
  for (const [k, i] of sequence.entries()) {
    const pod = all[i];
    const fits = used.map((u, n) => n).filter((n) => (pod.node === undefined || pod.node === n) && used[n].cpu + pod.cpu <= NODE_CPU_MILLI && used[n].pods < NODE_PODS);
    if (fits.length === 0) return pod.cpu;
    const n = fits[(choices[k] ?? 0) % fits.length];
    used[n].cpu += pod.cpu;
    used[n].pods++;
  }
  return undefined;
}

const caseArb = fc.record({
  scenario: clusterScenarioArb(),
  draw: fc.record({ cpuMilli: fc.constantFrom(1_100, 1_200, 1_300), replicas: fc.integer({ min: 2, max: 4 }) }),
  order: fc.array(fc.nat(1_000), { minLength: 40, maxLength: 40 }),
  choices: fc.array(fc.nat(3), { minLength: 40, maxLength: 40 }),
});

/** A counterexample to `fit`: a workload it accepts in which some pod fits no node. */
function counterexample(fit: Fit, runs: number) {
  return fc.check(fc.property(caseArb, ({ scenario, draw, order, choices }) => {
    const survivors = survivingNodes(scenario);
    const workload = scenario.workload;
    if (!fit(workload, draw.cpuMilli, draw.replicas, survivors)) return true;
    return adversarialPlacement(podRequests(workload, draw), survivors, workload.daemonSet, order, choices) === undefined;
  }), { numRuns: runs, seed: 7 });
}

describe('large pods in the cluster campaign', () => {
  it('are sized so that every pod finds a node, whatever order and node a correct scheduler chose', () => {
    expect(counterexample(largePodsFit, numRuns(300)).failed).toBe(false);
    // The same for the workloads the generator makes of them (the rest capped until it fits).
    let fitted = 0;
    fc.assert(fc.property(caseArb, ({ scenario, draw, order, choices }) => {
      const survivors = survivingNodes(scenario);
      const workload = withLargePods(scenario.workload, draw, survivors);
      if (!workload) return;
      fitted++;
      const large = workload.deployments.at(-1)!;
      const rest = { ...workload, deployments: workload.deployments.slice(0, -1) };
      const pods = podRequests(rest, { cpuMilli: large.cpuMilli, replicas: peakReplicas(workload, workload.deployments.length - 1) });
      expect(adversarialPlacement(pods, survivors, workload.daemonSet, order, choices)).toBeUndefined();
    }), { numRuns: numRuns(300), seed: 7 });
    expect(fitted).toBeGreaterThan(numRuns(300) / 2);
  });

  it('a sizing rule that only adds up the CPU is caught (planted: blocked nodes and the DaemonSet ignored)', () => {
    const naive: Fit = (workload, cpuMilli, replicas, survivors) => {
      const rest = podRequests(workload, { cpuMilli, replicas: 0 }).reduce((s, c) => s + c, 0);
      return replicas <= survivors && replicas * cpuMilli + rest <= survivors * (NODE_CPU_MILLI - (workload.daemonSet ? SMALL_POD_CPU_MILLI : 0));
    };
    expect(counterexample(naive, 2_000).failed).toBe(true);
  });

  it('are added to about one scenario in three, fitted, and leave the other scenarios as they were', () => {
    let withLarge = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const scenario = fc.sample(clusterScenarioArb(), { seed, numRuns: 1 })[0];
      const { workload } = scenario;
      const index = workload.deployments.findIndex((d) => d.cpuMilli > NODE_CPU_MILLI / 2);
      if (index < 0) continue;
      withLarge++;
      expect(index).toBe(workload.deployments.length - 1);
      const large = workload.deployments[index];
      // No change but its own scale-up touches it: no rollout needs a spare node.
      expect(workload.changes.filter((c) => c.deployment === index).every((c) => c.kind === 'scale')).toBe(true);
      const others = { ...workload, deployments: workload.deployments.slice(0, index), changes: workload.changes.filter((c) => c.deployment !== index) };
      expect(largePodsFit(others, large.cpuMilli, peakReplicas(workload, index), survivingNodes(scenario))).toBe(true);
      expect(peakReplicas(workload, index)).toBeGreaterThanOrEqual(2);
    }
    expect(withLarge).toBeGreaterThan(10);
    expect(withLarge).toBeLessThan(30);
  });

  it('cap the rest of the workload when both do not fit, and are left out when nothing fits', () => {
    const heavy: ClusterWorkload = {
      deployments: [{ replicas: 4, cpuMilli: 800, memoryMi: 64, service: false }], jobs: [], daemonSet: true, changes: [],
    };
    const fitted = withLargePods(heavy, { cpuMilli: 1_300, replicas: 3 }, 3)!;
    expect(fitted.deployments).toHaveLength(2);
    expect(largePodsFit({ ...fitted, deployments: fitted.deployments.slice(0, 1) }, 1_300, fitted.deployments[1].replicas, 3)).toBe(true);
    expect(fitted.deployments[0].replicas * fitted.deployments[0].cpuMilli).toBeLessThan(3_200);
    // Two nodes and a DaemonSet whose pods and the never-Ready pod already leave less than 1300m beside a large pod.
    expect(withLargePods({ ...heavy, jobs: [{ completions: 9, parallelism: 9, runMs: 1_000 }] }, { cpuMilli: 1_300, replicas: 2 }, 2)).toBeUndefined();
    // Scaled up from zero: starts with none, one scale change to its size.
    const later = withLargePods({ ...heavy, deployments: [] }, { cpuMilli: 1_100, replicas: 2, scaleUpAt: 5_000 }, 2)!;
    expect(later.deployments[0].replicas).toBe(0);
    expect(later.changes).toEqual([{ at: 5_000, kind: 'scale', deployment: 0, replicas: 2 }]);
  });
});
