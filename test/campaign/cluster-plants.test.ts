import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../src/campaign/runner.ts';
import { clusterProfile } from '../../src/campaign/cluster/profile.ts';

/**
 * The whole-cluster campaign, not a hand-built scenario, catches planted bugs: base seed 1, no shrinking,
 * a budget of runs a little above the measured runs-to-catch (docs/verification.md, "The cluster corpus").
 * Each run is a pure function of its seed, so a plant that slips past its budget means the campaign (or a
 * checker) got weaker. Plants caught by ESR cost the whole 450 s bound of virtual time (a few CPU seconds).
 */
const CASES = [
  // plant, runs allowed (measured), the invariant that must report it
  // run 2: a Deployment of large pods (1300m of 2000m) is created in slow-start batches on unevenly loaded
  // nodes; each cycle of a batch sees the same snapshot and picks the same node (docs/verification.md)
  ['ignore-assume-cache', 3, 'node-allocatable'],
  ['endpoints-include-unready', 3, 'service-endpoints'], // run 2: the never-Ready pod is published as ready
  ['kube-proxy-never-removes-endpoint', 5, 'kube-proxy-rules'], // run 4: a rolling update leaves old pod IPs in every node's rules
  // run 1: the isolated kcm-1 (two replicas) keeps acting under term 0 once healed, after kcm-0 acted in term 1
  ['leader-acts-after-losing-lease', 2, 'leader-per-term'],
  // rs-no-expectations takes 10 runs (one stalled pod watch in ten seeds): too slow for CI here;
  // test/campaign/cluster-watch-stall.test.ts replays the scenario that caught it.
] as const;

describe('the cluster campaign catches planted bugs within a bounded number of runs', () => {
  for (const [plant, budget, invariant] of CASES) {
    it(`${plant}: within ${budget} runs, by ${invariant}`, () => {
      const result = runCampaign(clusterProfile, { seeds: budget, plant, shrinkBudget: 0 });
      expect(result.failure, `${plant} not caught in ${budget} runs`).toBeDefined();
      expect(result.failure!.report.violations.map((v) => v.invariant)).toContain(invariant);
    });
  }
});
