import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { faultScheduleArb } from '../../src/faults/arbitrary.ts';
import { applySchedule } from '../../src/faults/apply.ts';
import { encodeSchedule, scheduleEnd, type FaultSchedule } from '../../src/faults/schedule.ts';
import { TestCluster } from './test-support/cluster.ts';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 20);
const HORIZON_MS = 8_000;

/**
 * Random fault schedules (crashes with and without un-synced loss, partitions incl. one-way, drop /
 * duplicate / reorder bursts) over a cluster taking a steady stream of writes and reads: the Raft safety
 * checker runs after every step and must find nothing, and members at equal applied index must agree.
 */
function runSchedule(size: number, seed: number, schedule: FaultSchedule): string[] {
  const c = new TestCluster({ seed, size, config: { snapshotEvery: 60, snapshotCatchUpEntries: 20 } });
  applySchedule(c.sim, schedule);
  let n = 0;
  const end = Math.max(HORIZON_MS, scheduleEnd(schedule)) + 3_000;
  while (c.sim.now < end) {
    const target = c.members[n % size];
    if (n % 4 === 3) c.get(target, `k${n % 7}`);
    else c.put(target, `k${n % 7}`, `v${n}`);
    n++;
    c.runFor(50);
  }
  // Heal everything and let the cluster settle, so members reach equal applied indexes.
  c.sim.heal();
  for (const m of c.members) if (c.host(m).status !== 'running') c.sim.restart(m);
  c.runFor(4_000);
  return c.finish().map((v) => `${v.property}: ${v.message}`);
}

describe('random fault schedules', () => {
  for (const size of [3, 5]) {
    test(`${size} members: no safety violation under crashes, partitions and message faults`, () => {
      const members = Array.from({ length: size }, (_, i) => `etcd-${i + 1}`);
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1_000_000 }),
          faultScheduleArb({ crashable: members, partitionable: members, horizonMs: HORIZON_MS, maxEpisodes: 6, maxDowntimeMs: 3_000, maxPartitionMs: 3_000 }),
          (seed, schedule) => {
            const violations = runSchedule(size, seed, schedule);
            expect(violations, `seed ${seed} schedule ${encodeSchedule(schedule)}`).toEqual([]);
          },
        ),
        { numRuns: NUM_RUNS, seed: 42 },
      );
    });
  }
});
