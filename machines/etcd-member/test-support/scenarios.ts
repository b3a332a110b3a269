import type { EtcdMemberConfig, Plant } from '../types.ts';
import { TestCluster, craftDisk } from './cluster.ts';

/** Terms of a member's log, index 1 first. */
export function logTerms(c: TestCluster, member: string): number[] {
  const log = c.context(member)!.raft.log;
  const out: number[] = [];
  for (let i = log.firstIndex; i <= log.lastIndex; i++) out.push(log.term(i)!);
  return out;
}

/** One member campaigns first: a short election timeout for it, long ones for the rest. */
export function firstToCampaign(first: string, extra: Partial<EtcdMemberConfig> = {}) {
  return (address: string): Partial<EtcdMemberConfig> =>
    address === first ? { electionTimeoutMs: 300, heartbeatIntervalMs: 50, ...extra } : { electionTimeoutMs: 3000, ...extra };
}

/**
 * Raft paper, Figure 7: the term-8 leader's log and six followers' logs that differ from it (missing
 * entries, extra uncommitted entries, both). Index 1 is our bootstrap entry (term 1), as in the figure.
 */
export function figure7(plant?: Plant): TestCluster {
  const logs: Record<string, number[]> = {
    leader: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6],
    a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
    b: [1, 1, 1, 4],
    c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    e: [1, 1, 1, 4, 4, 4, 4],
    f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  const members = Object.keys(logs);
  const c = new TestCluster({ seed: 'figure7', members, start: false, memberConfig: firstToCampaign('leader', { plant }) });
  for (const m of members) craftDisk(c.host(m), members, logs[m], { term: Math.max(...logs[m], m === 'leader' ? 7 : 0), commit: 3 });
  for (const m of members) c.host(m).start();
  return c;
}

/**
 * Raft paper, Figure 8, built from crafted logs (index 1 is the bootstrap entry, so the figure's index i
 * is our i + 1): S1 leads in term 4 and gets its term-2 entry at index 3 onto a majority (S1, S2, S3),
 * then crashes before its own term-4 entry is on a majority. S5, whose log ends with a term-3 entry at
 * index 3, is then elected by S3 and S4 and overwrites index 3.
 */
export function figure8(plant?: Plant): { c: TestCluster; s1CommitBeforeCrash: number } {
  const members = ['s1', 's2', 's3', 's4', 's5'];
  const c = new TestCluster({
    seed: 'figure8',
    members,
    start: false,
    // One entry per append, so index 3 reaches a follower before index 4 does.
    memberConfig: (m) => ({ ...firstToCampaign('s1')(m), maxEntriesPerAppend: 1, plant }),
  });
  craftDisk(c.host('s1'), members, [1, 1, 2], { term: 3, commit: 2 });
  craftDisk(c.host('s2'), members, [1, 1, 2], { term: 2, commit: 2 });
  craftDisk(c.host('s3'), members, [1, 1], { term: 2, commit: 2 });
  craftDisk(c.host('s4'), members, [1, 1], { term: 2, commit: 2 });
  craftDisk(c.host('s5'), members, [1, 1, 3], { term: 3, commit: 2 });
  for (const m of members) c.host(m).start();
  if (!c.stepUntil(() => c.status('s1')!.role === 'leader', 3_000)) throw new Error('s1 did not win term 4');
  // S1 may only reach S2 and S3 from now on.
  c.sim.partition({ id: 's1-far', from: ['s1'], to: ['s4', 's5'], oneWay: false });
  // As soon as S3 holds index 3 (term 2) but not yet index 4, cut S1 → S3: S3's ack still reaches S1.
  if (!c.stepUntil(() => c.status('s3')!.lastIndex === 3, 2_000)) throw new Error('s3 never got index 3');
  c.sim.partition({ id: 's1-s3', from: ['s1'], to: ['s3'], oneWay: true });
  c.runFor(50);
  const s1CommitBeforeCrash = c.status('s1')!.commit;
  c.sim.crash('s1');
  c.sim.crash('s2'); // S2 holds S1's term-4 entry; without it S5 can win, as in the figure
  c.sim.heal();
  c.runFor(6_000);
  return { c, s1CommitBeforeCrash };
}
