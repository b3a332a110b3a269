import type { MemberId } from './types.ts';

/** Votes needed in a configuration of `voters` members. */
export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

export type VoteOutcome = 'won' | 'lost' | 'pending';

/** Tallies an election: won once a quorum granted, lost once a quorum can no longer be reached. */
export function voteOutcome(voters: readonly MemberId[], votes: ReadonlyMap<MemberId, boolean>): VoteOutcome {
  const needed = quorumSize(voters.length);
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  if (granted >= needed) return 'won';
  if (rejected > voters.length - needed) return 'lost';
  return 'pending';
}

/**
 * The largest value that a quorum of voters has reached (the quorum-th largest). Used for the commit index
 * (over match indexes), for ReadIndex confirmation (over acknowledged read rounds) and for the leader lease
 * (over acknowledged heartbeat send times). Voters with no value count as `missing`.
 */
export function quorumValue(voters: readonly MemberId[], valueOf: (id: MemberId) => number | undefined, missing = 0): number {
  const n = voters.length;
  if (n === 0) return missing;
  // n ≤ 7 in practice: a small insertion sort beats allocating and calling Array.sort.
  const values: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = valueOf(voters[i]) ?? missing;
    let j = i - 1;
    while (j >= 0 && values[j] < v) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = v;
  }
  return values[quorumSize(n) - 1];
}
