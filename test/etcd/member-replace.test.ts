import { describe, expect, it } from 'vitest';
import { runEtcdScenario, type EtcdScenario } from '../../src/campaign/etcd/profile.ts';
import { keyName, type WorkloadOp } from '../../src/campaign/etcd/workload.ts';

/**
 * Replacing members under load, as etcd's runbook does it (stop the failed member for good, `member
 * remove`, `member add`, start the new member with an empty data directory): Raft safety after every step,
 * linearizability of the clients' history and the watch guarantees hold throughout, and each new member,
 * joining after the log it needs was compacted, catches up by installing a snapshot.
 */

/** Steady traffic from three clients: puts, reads and compare-and-puts over nine keys, every 60 ms. */
function steadyLoad(durationMs: number): WorkloadOp[] {
  const ops: WorkloadOp[] = [];
  for (let i = 0, at = 50; at < durationMs; i++, at += 60) {
    const client = i % 3;
    const key = keyName(i % 9);
    const value = `c${client}-v${i}`;
    if (i % 4 === 3) ops.push({ at, client, request: { op: 'range', key } });
    else if (i % 7 === 5) {
      ops.push({ at, client, request: { op: 'txn', compare: [{ key, target: 'VERSION', result: 'EQUAL', operand: 0 }], success: [{ op: 'put', key, value }], failure: [] } });
    } else ops.push({ at, client, request: { op: 'put', key, value } });
  }
  return ops;
}

function replaceScenario(): EtcdScenario {
  return {
    seed: 2026,
    members: 3,
    durationMs: 12_000,
    quietMs: 6_000,
    // A snapshot every 20 entries, keeping 5: by the time a new member joins, the log it needs is gone.
    config: { maxEntriesPerAppend: 4096, maxInflight: 512, snapshotEvery: 20, snapshotCatchUpEntries: 5 },
    schedule: [
      { at: 3_000, kind: 'replace', target: 'etcd-2', replacement: 'etcd-4' },
      // The leader itself: it is stopped first, so the group elects another before the membership changes.
      { at: 7_000, kind: 'replace', target: '@leader', replacement: 'etcd-5' },
    ],
    workload: {
      ops: steadyLoad(12_000),
      watches: [{ at: 100, client: 1, request: { key: '/registry/', prefix: true, prevKv: true, progressNotify: true, startRevision: 1 } }],
    },
  };
}

describe('member replace under load', () => {
  it('keeps Raft safety, linearizability and the watch guarantees; new members catch up by snapshot', () => {
    const report = runEtcdScenario(replaceScenario());
    expect(report.violations).toEqual([]);
    expect(report.stats.replaced).toBe(2);
    expect(report.stats.replacementSnapshots).toBeGreaterThanOrEqual(2);
    expect(report.stats.linearizabilityUnknown).toBe(0);
    // The group kept serving: most of the ~200 operations completed, and writes kept committing.
    expect(report.stats.ops).toBeGreaterThan(150);
    expect(report.stats.unknownOps).toBeLessThan(report.stats.ops / 4);
    expect(report.stats.revision).toBeGreaterThan(80);
  });

  it('is caught when the group is broken: the same replacements with a planted bug fail', () => {
    // A watch that skips revisions is seen by the watch checker even across the replacements.
    const report = runEtcdScenario(replaceScenario(), { plant: 'watch-skips-revision' });
    expect(report.violations.some((v) => v.checker === 'watch')).toBe(true);
  });
});
