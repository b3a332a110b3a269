import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../src/campaign/runner.ts';
import { etcdProfile } from '../../src/campaign/etcd/profile.ts';

/**
 * The campaign, not a hand-built scenario, catches planted bugs: base seed 1, no shrinking, a fixed
 * budget of runs a little above the measured runs-to-catch (docs/verification.md). Each run is a pure
 * function of its seed, so a plant that slips past its budget means the campaign got weaker.
 */
const CASES = [
  // plant, runs allowed (measured), the checker that must report it
  ['apply-before-commit', 3, 'raft'], // caught on run 1
  ['append-not-persisted', 3, 'raft'], // run 1
  ['vote-without-log-check', 7, 'raft'], // run 5
  ['readindex-without-quorum', 20, 'linearizability'], // run 11 (18 before followers kept their election timeout): a leader isolated without CheckQuorum serves a stale read
  // run 35 (6 of runs 1–100: 35, 55, 58, 65, 73, 88; before followers kept their drawn election timeout
  // across heartbeats, as etcd-raft does, run 26, 8 of 100; run 20, 10 of 100, before the etcd client's
  // keepalive changed the clients' traffic): a Figure 8 episode (src/faults/arbitrary.ts) — the re-elected
  // leader counts its old-term entry committed, is cut off, and the leader of the term between overwrites it.
  ['commit-previous-term-by-counting', 37, 'raft'],
] as const;

describe('the etcd campaign catches planted bugs within a bounded number of runs', () => {
  for (const [plant, budget, checker] of CASES) {
    it(`${plant}: within ${budget} runs, by ${checker}`, () => {
      const result = runCampaign(etcdProfile, { seeds: budget, plant, shrinkBudget: 0 });
      expect(result.failure, `${plant} not caught in ${budget} runs`).toBeDefined();
      expect(result.failure!.report.violations.some((v) => v.checker === checker)).toBe(true);
    });
  }

  it('finds nothing on the same seeds without a plant', () => {
    const result = runCampaign(etcdProfile, { seeds: 6, shrinkBudget: 0 });
    expect(result.failure?.report.violations).toBeUndefined();
  });
});
