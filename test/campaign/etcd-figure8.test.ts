import { describe, expect, it } from 'vitest';
import { runEtcdScenario, type EtcdScenario } from '../../src/campaign/etcd/profile.ts';
import { LEADER_COMMIT } from '../../src/campaign/etcd/leader-commits.ts';
import type { FaultSchedule } from '../../src/faults/schedule.ts';

/**
 * The Figure 8 episode, as the generator writes it (src/faults/arbitrary.ts, `figure8Faults`), in a
 * 3-member group with one entry per append and no client traffic: the entry at stake is the no-op L1
 * appends when it is first elected. With `commit-previous-term-by-counting` the re-elected L1 counts that
 * entry committed once a follower holds it; the cut that follows and L2's return overwrite it.
 */
const members = ['@leader', '@follower-1', '@follower-2'];
const figure8: FaultSchedule = [
  { at: 1_500, kind: 'crash', target: '@leader#0', loseUnsynced: false },
  { at: 1_700, kind: 'restart', target: '@leader#0' },
  {
    at: 1_500, kind: 'trigger', id: 'f8-0.1t', on: 'obs.raft.leader', windowMs: 7_500,
    faults: [
      // L1, the instant it is elected: its no-op stays on it alone.
      { at: 0, kind: 'partition', id: 'f8-0.1', from: ['@observed'], to: members, oneWay: false },
      { at: 6_000, kind: 'heal', id: 'f8-0.1' },
      {
        at: 0, kind: 'trigger', id: 'f8-0.2t', on: 'obs.raft.leader', windowMs: 6_000,
        faults: [
          // L2, the instant it is elected, with its own no-op at the same index; L1 rejoins.
          { at: 0, kind: 'partition', id: 'f8-0.2', from: ['@observed'], to: members, oneWay: false },
          { at: 6_000, kind: 'heal', id: 'f8-0.2' },
          { at: 200, kind: 'heal', id: 'f8-0.1' },
          {
            at: 0, kind: 'trigger', id: 'f8-0.3t', on: LEADER_COMMIT, windowMs: 6_000,
            faults: [
              // L1 re-elected: cut off the instant it first commits; L2 returns.
              { at: 0, kind: 'partition', id: 'f8-0.3', from: ['@observed'], to: members, oneWay: false },
              { at: 300, kind: 'heal', id: 'f8-0.2' },
              { at: 5_000, kind: 'heal', id: 'f8-0.3' },
            ],
          },
        ],
      },
    ],
  },
];

function scenario(seed: number): EtcdScenario {
  return {
    seed,
    members: 3,
    durationMs: 12_000,
    quietMs: 6_000,
    config: { maxEntriesPerAppend: 1, maxInflight: 512, snapshotEvery: 10_000, snapshotCatchUpEntries: 5_000 },
    schedule: figure8,
    workload: { ops: [], watches: [] },
  };
}

const SAFETY = ['StateMachineSafety', 'CommittedEntryChanged', 'LeaderCompleteness'];

describe('the Figure 8 episode', () => {
  it('catches commit-previous-term-by-counting, and is safe without it', () => {
    let caught = 0;
    for (const seed of [1, 2]) {
      const planted = runEtcdScenario(scenario(seed), { plant: 'commit-previous-term-by-counting' });
      if (planted.violations.some((v) => v.checker === 'raft' && SAFETY.includes(v.invariant))) caught++;
      expect(runEtcdScenario(scenario(seed)).violations).toEqual([]);
    }
    expect(caught).toBe(2);
  });
});
