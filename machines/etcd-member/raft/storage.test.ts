import { describe, expect, test } from 'vitest';
import { TestCluster, craftDisk } from '../test-support/cluster.ts';
import { firstToCampaign } from '../test-support/scenarios.ts';
import { SNAPSHOT_KEY, WAL_BLOCK, WAL_PREFIX, recover, walBlockStart, walBlocks, walEntry, walKey, type WalBlock } from './storage.ts';
import type { Entry, Snapshot } from './types.ts';

const e = (index: number, term = 1): Entry => ({ index, term, data: { kind: 'noop' }, size: 10 });

describe('WAL blocks', () => {
  test('an index belongs to the block of WAL_BLOCK indexes starting at a multiple of WAL_BLOCK plus 1', () => {
    expect(walBlockStart(1)).toBe(1);
    expect(walBlockStart(WAL_BLOCK)).toBe(1);
    expect(walBlockStart(WAL_BLOCK + 1)).toBe(WAL_BLOCK + 1);
    expect(walKey(WAL_BLOCK + 5)).toBe(`${WAL_PREFIX}${String(WAL_BLOCK + 1).padStart(12, '0')}`);
    const blocks = walBlocks([WAL_BLOCK - 1, WAL_BLOCK, WAL_BLOCK + 1].map((i) => e(i)));
    expect(blocks.map(([key, block]) => [key, block.map((x) => x.index)])).toEqual([
      [walKey(1), [WAL_BLOCK - 1, WAL_BLOCK]],
      [walKey(WAL_BLOCK + 1), [WAL_BLOCK + 1]],
    ]);
  });

  test('a block may start after its first index (the part before was compacted); lookups check the index', () => {
    const block: WalBlock = [e(5), e(6), e(7)];
    expect(walEntry(block, 6)?.index).toBe(6);
    expect(walEntry(block, 4)).toBeUndefined();
    expect(walEntry(block, 8)).toBeUndefined();
    expect(walEntry(undefined, 1)).toBeUndefined();
    const disk = new Map<string, unknown>([[walKey(5), block]]);
    expect(recover(disk).entries.map((x) => x.index)).toEqual([]); // nothing at index 1: no log
    disk.set(SNAPSHOT_KEY, { index: 4, term: 1, conf: { voters: [], learners: [] }, data: null } satisfies Snapshot);
    expect(recover(disk).entries.map((x) => x.index)).toEqual([5, 6, 7]);
  });
});

/**
 * Between steps nothing is left un-synced, and the synced WAL read back after the durable snapshot is
 * exactly the member's log up to its persisted index: what a restart would recover. No block lies wholly
 * inside the snapshot (compaction deleted it).
 */
function expectWalIsTheLog(c: TestCluster): void {
  for (const m of c.members) {
    const ctx = c.context(m);
    if (!ctx) continue;
    const disk = c.host(m).disk;
    expect(disk.unsyncedCount).toBe(0);
    const synced = disk.syncedView();
    const { snapshot, entries } = recover(synced);
    const raft = ctx.raft;
    expect(snapshot?.index).toBe(raft.snapshot?.index);
    const from = (snapshot?.index ?? 0) + 1;
    const expected: Entry[] = [];
    for (let i = from; i <= raft.persistedIndex; i++) expected.push(raft.log.entry(i)!);
    expect(entries.map((x) => `${x.index}/${x.term}`)).toEqual(expected.map((x) => `${x.index}/${x.term}`));
    for (const key of synced.keys()) {
      if (!key.startsWith(WAL_PREFIX)) continue;
      const start = Number(key.slice(WAL_PREFIX.length));
      expect(start + WAL_BLOCK - 1).toBeGreaterThan(snapshot?.index ?? 0);
    }
  }
}

describe('the WAL on disk is always the log', () => {
  test('a follower truncating a long conflicting suffix across blocks rewrites and deletes the right blocks', () => {
    const shared = Array.from({ length: 100 }, () => 1);
    const logs: Record<string, number[]> = {
      leader: [...shared, ...Array.from({ length: 100 }, () => 3)],
      stale: [...shared, ...Array.from({ length: 230 }, () => 2)],
      short: [...shared],
    };
    const members = Object.keys(logs);
    const c = new TestCluster({ seed: 'wal-truncate', members, start: false, memberConfig: firstToCampaign('leader') });
    for (const m of members) craftDisk(c.host(m), members, logs[m], { term: 3, commit: 50 });
    for (const m of members) c.host(m).start();
    expect(c.awaitLeader(3_000)).toBe('leader');
    c.runFor(500);
    const leaderLog = c.context('leader')!.raft.log.view();
    expect(c.context('stale')!.raft.log.view().map((x) => x.term)).toEqual(leaderLog.map((x) => x.term));
    expectWalIsTheLog(c);
    // What was recovered is what a restart after a power loss finds.
    for (const m of members) c.sim.crash(m, { loseUnsynced: true });
    for (const m of members) c.sim.restart(m);
    expect(c.context('stale')!.raft.log.lastIndex).toBe(leaderLog.length);
    c.awaitLeader(5_000);
    c.runFor(500);
    expectWalIsTheLog(c);
    expect(c.finish()).toEqual([]);
  });

  test('snapshots, log compaction, an installed snapshot and power losses keep WAL and log in step', () => {
    const c = new TestCluster({ seed: 'wal-compact', config: { snapshotEvery: 97, snapshotCatchUpEntries: 3 } });
    const leader = c.awaitLeader();
    const lagging = c.followers()[0];
    let n = 0;
    const load = (count: number, at = c.leader() ?? leader) => {
      for (let i = 0; i < count; i++) c.put(at, `k${n % 13}`, `v${n++}`);
    };
    for (let round = 0; round < 6; round++) {
      load(40);
      // Check after every single step: the invariant holds whatever the step did.
      const until = c.sim.now + 30;
      c.stepUntil(() => c.sim.now >= until, 1_000);
      expectWalIsTheLog(c);
    }
    c.sim.crash(lagging, { loseUnsynced: true });
    load(400);
    c.runFor(1_000);
    c.sim.restart(lagging); // too far behind: the leader sends its snapshot
    expect(c.runUntilTrue(() => c.status(lagging)!.applied === c.status(c.leader()!)!.applied, 5_000)).toBe(true);
    expectWalIsTheLog(c);
    for (const m of c.members) c.sim.crash(m, { loseUnsynced: true });
    for (const m of c.members) c.sim.restart(m);
    c.awaitLeader(5_000);
    load(150);
    c.runFor(1_000);
    expectWalIsTheLog(c);
    const hashes = new Set(c.members.map((m) => c.context(m)!.server.kv.hash()));
    expect(hashes.size).toBe(1);
    expect(c.finish()).toEqual([]);
  });
});
