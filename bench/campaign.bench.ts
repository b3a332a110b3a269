import fc from 'fast-check';
import { scenarioForShapeArb } from '../src/campaign/cluster/arbitrary.ts';
import { clusterProfile, runClusterScenario } from '../src/campaign/cluster/profile.ts';
import { scenarioForSeed } from '../src/campaign/runner.ts';
import type { ClusterScenario } from '../src/campaign/cluster/scenario.ts';
import { formatFigures, isMain, type Figures } from './harness.ts';

/**
 * The whole-cluster fault campaign's speed. (1) One big run: 3 etcd members, 3 apiservers, 10 nodes, a
 * generated workload and 6–8 generated fault episodes (crashes mid-reconcile, lost watch events, a lagging
 * apiserver, node crashes and partitions), checked as the campaign checks it (a snapshot every virtual
 * second, ESR once faults stop): simulated seconds per wall second and per CPU second. (2) The campaign
 * itself (`kubesim check --profile cluster`): generated scenarios run and checked per minute.
 * KUBESIM_BENCH_CAMPAIGN_SEEDS sets how many seeds measure (2) (default 4).
 */
const BIG_SEEDS = [1, 2];
const CAMPAIGN_SEEDS = Number(process.env.KUBESIM_BENCH_CAMPAIGN_SEEDS ?? 4);

function cpuSeconds(work: () => void): { wall: number; cpu: number } {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  work();
  const used = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - wallStart) / 1000, cpu: (used.user + used.system) / 1e6 };
}

export function bigScenario(seed: number): ClusterScenario {
  return fc.sample(scenarioForShapeArb({ apiservers: 3, nodes: 10, stale: ['controllerManager'] }, { min: 6, max: 8 }), { seed, numRuns: 1 })[0];
}

export async function run(): Promise<Figures> {
  let virtualMs = 0;
  let wall = 0;
  let cpu = 0;
  let violations = 0;
  for (const seed of BIG_SEEDS) {
    const scenario = bigScenario(seed);
    let report: ReturnType<typeof runClusterScenario> | undefined;
    const spent = cpuSeconds(() => { report = runClusterScenario(scenario); });
    virtualMs += report!.stats.virtualMs;
    violations += report!.violations.length;
    wall += spent.wall;
    cpu += spent.cpu;
  }
  let runs = 0;
  const campaign = cpuSeconds(() => {
    for (let seed = 1; seed <= CAMPAIGN_SEEDS; seed++) {
      clusterProfile.run(scenarioForSeed(clusterProfile, seed), {});
      runs++;
    }
  });
  return {
    '3 etcd / 3 apiservers / 10 nodes under faults: simulated / wall time': Number((virtualMs / 1000 / wall).toFixed(1)),
    '3 etcd / 3 apiservers / 10 nodes under faults: simulated / CPU time': Number((virtualMs / 1000 / cpu).toFixed(1)),
    '3 etcd / 3 apiservers / 10 nodes under faults: virtual seconds (runs)': `${(virtualMs / 1000).toFixed(0)} (${BIG_SEEDS.length})`,
    '3 etcd / 3 apiservers / 10 nodes under faults: violations': violations,
    'cluster campaign: fault schedules checked per wall minute': Number((runs / campaign.wall * 60).toFixed(1)),
    'cluster campaign: fault schedules checked per CPU minute': Number((runs / campaign.cpu * 60).toFixed(1)),
  };
}

// `node bin/run-ts.mjs bench/campaign.bench.ts`
if (isMain(import.meta.url)) process.stdout.write(formatFigures('campaign', await run()));
