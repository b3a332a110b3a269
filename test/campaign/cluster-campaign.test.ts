// The whole-cluster campaign (`kubesim check --profile cluster`) on a few seeds: generated workloads ×
// generated faults, then ESR within the bound and the safety invariants throughout — no violations without
// a plant. Plus the scenario plumbing a replay depends on: a seed always generates the same scenario, the
// workload fits the nodes that survive, and a scenario survives the trip through a replay token.
import { describe, expect, it } from 'vitest';
import { decodeScenario, encodeScenario, runCampaign, scenarioForSeed } from '../../src/campaign/runner.ts';
import { findProfile } from '../../src/campaign/profiles.ts';
import { clusterProfile } from '../../src/campaign/cluster/profile.ts';
import { SMALL_POD_CPU_MILLI, survivingNodes } from '../../src/campaign/cluster/arbitrary.ts';
import { NODE_CPU_MILLI } from '../../src/campaign/cluster/scenario.ts';

/** Seeds 1–3 (measured: 1.5–4 CPU seconds each; none loses a node for good, which costs 300 s of waiting). */
const SEEDS = 3;

describe('the cluster campaign', () => {
  it('is registered as --profile cluster', () => {
    expect(findProfile('cluster')).toBe(clusterProfile);
    expect(clusterProfile.plants.map((p) => p.name)).toEqual(expect.arrayContaining([
      'rs-no-expectations', 'endpoints-include-unready', 'evict-without-toleration-wait', 'ignore-assume-cache', 'kube-proxy-never-removes-endpoint',
      'leader-acts-after-losing-lease',
    ]));
  });

  it(`finds no violation on seeds 1–${SEEDS}`, () => {
    const stats: Record<string, number>[] = [];
    const result = runCampaign(clusterProfile, { seeds: SEEDS, shrinkBudget: 0, onRun: (_, report) => stats.push(report.stats) });
    expect(result.failure?.report.violations).toBeUndefined();
    // Every run got past its faults and settled (the convergence loop ran and held).
    for (const s of stats) expect(s.convergedAfterMs).toBeGreaterThanOrEqual(0);
  });

  it('generates the same scenario from a seed, sized to fit, and replays it from a token', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const scenario = scenarioForSeed(clusterProfile, seed);
      expect(scenarioForSeed(clusterProfile, seed)).toEqual(scenario);
      expect(decodeScenario(clusterProfile, encodeScenario(scenario))).toEqual(scenario);
      const { workload } = scenario;
      const peak = workload.deployments.reduce((sum, d, i) => sum + d.cpuMilli * Math.max(d.replicas, ...workload.changes.flatMap((c) => (c.kind === 'scale' && c.deployment === i ? [c.replicas] : []))), 0);
      const extra = (workload.jobs.reduce((s, j) => s + j.parallelism, 0) + (workload.unreadyPod ? 1 : 0)) * SMALL_POD_CPU_MILLI;
      expect(peak + extra).toBeLessThanOrEqual(survivingNodes(scenario) * NODE_CPU_MILLI);
      expect(scenario.faults.filter((f) => f.kind === 'crash' && f.lost).length).toBeLessThanOrEqual(1);
    }
    expect(() => clusterProfile.parseScenario({ seed: 1, shape: { apiservers: 1, nodes: 2, stale: ['scheduler'] }, workload: { deployments: [], jobs: [], changes: [] }, faults: [] }))
      .toThrow(/stale needs at least 2 apiservers/);
  });
});
