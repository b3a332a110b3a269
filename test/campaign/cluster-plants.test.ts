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
  ['ignore-assume-cache', 2, 'node-allocatable'], // run 1: a scheduler restarted with pending pods puts them all on one node
  ['endpoints-include-unready', 3, 'service-endpoints'], // run 2: the never-Ready pod is published as ready
  ['kube-proxy-never-removes-endpoint', 5, 'kube-proxy-rules'], // run 4: a rolling update leaves old pod IPs in every node's rules
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
