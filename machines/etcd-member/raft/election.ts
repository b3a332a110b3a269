import type { MemberContext } from '../types.ts';
import type { RaftMessage } from './messages.ts';
import { observe, send, sync, writeHardState } from './persist.ts';
import { voteOutcome, type VoteOutcome } from './quorum.ts';

type VoteRequest = Extract<RaftMessage, { type: 'raft.vote' }> & { from: string };
type VoteResponse = Extract<RaftMessage, { type: 'raft.voteResp' }> & { from: string };

/** A voter that is not removed and has no committed-but-unapplied membership change may campaign. */
export function isPromotable(ctx: MemberContext): boolean {
  const raft = ctx.raft;
  return !raft.removed && raft.conf.voters.includes(ctx.self) && !hasUnappliedConfChange(ctx);
}

/** etcd-raft refuses to campaign while committed conf changes are unapplied (its config may be stale). */
function hasUnappliedConfChange(ctx: MemberContext): boolean {
  const raft = ctx.raft;
  for (let i = raft.applied + 1; i <= raft.commit; i++) {
    if (raft.log.entry(i)?.data.kind === 'conf') return true;
  }
  return false;
}

/**
 * CheckQuorum's other half (etcd's "inLease"): a member that heard from a leader within the minimum
 * election timeout ignores vote requests, so a partitioned member rejoining cannot depose a healthy
 * leader, and a leader lease stays sound. Leadership transfer campaigns are exempt.
 */
export function voteRequestInLease(ctx: MemberContext, msg: VoteRequest): boolean {
  if (!ctx.config.checkQuorum || msg.transfer) return false;
  const raft = ctx.raft;
  if (raft.role === 'leader') return true;
  return ctx.now() - raft.lastLeaderContactAt < ctx.config.electionTimeoutMs;
}

/** Raft §5.4.1 — the candidate's log is at least as up-to-date as ours. */
export function candidateLogIsUpToDate(ctx: MemberContext, msg: VoteRequest): boolean {
  return ctx.raft.log.isUpToDate(msg.lastIndex, msg.lastTerm);
}

/**
 * Whether to grant (called after any term update). A real vote: not yet voted this term (or voted for this
 * candidate) and no leader known. A pre-vote: for a term above ours. Both need an up-to-date log.
 */
export function shouldGrantVote(ctx: MemberContext, msg: VoteRequest): boolean {
  const raft = ctx.raft;
  if (!raft.conf.voters.includes(ctx.self) && raft.conf.voters.length > 0 && !raft.conf.learners.includes(ctx.self)) {
    // Not in the configuration we know (removed, or not yet joined): stay out of elections.
    return false;
  }
  const canVote = msg.preVote
    ? msg.term > raft.term
    : msg.term === raft.term && (raft.vote === msg.from || (raft.vote === null && raft.leader === null));
  if (!canVote) return false;
  // PLANTED BUG `vote-without-log-check`: grant without comparing logs (breaks Leader Completeness).
  if (ctx.config.plant === 'vote-without-log-check') return true;
  return candidateLogIsUpToDate(ctx, msg);
}

/** Answers a vote request. A granted real vote is persisted and synced before the answer goes out. */
export function answerVoteRequest(ctx: MemberContext, msg: VoteRequest): boolean {
  const raft = ctx.raft;
  const granted = shouldGrantVote(ctx, msg);
  if (granted && !msg.preVote) {
    raft.vote = msg.from;
    writeHardState(ctx);
    // PLANTED BUG `vote-not-persisted`: the grant leaves before the vote is durable.
    if (ctx.config.plant !== 'vote-not-persisted') sync(ctx);
    // Fault campaigns aim power losses at the moment just after a vote (see src/faults, triggers).
    observe(ctx, { type: 'obs.raft.voteGranted', term: raft.term, candidate: msg.from });
  }
  // A granted pre-vote answers in the term asked about; anything else in our own term.
  const term = granted && msg.preVote ? msg.term : raft.term;
  send(ctx, msg.from, { type: 'raft.voteResp', term, preVote: msg.preVote, granted });
  return granted;
}

/** Starts a pre-vote round: asks for votes in term+1 without bumping our own term. */
export function startPreVote(ctx: MemberContext): void {
  const raft = ctx.raft;
  raft.leader = null;
  raft.votes = new Map([[ctx.self, true]]);
  requestVotes(ctx, raft.term + 1, true);
}

/** Starts an election: new term, vote for ourselves (durably), ask the other voters. */
export function startElection(ctx: MemberContext): void {
  const raft = ctx.raft;
  raft.term += 1;
  raft.vote = ctx.self;
  raft.leader = null;
  raft.votes = new Map([[ctx.self, true]]);
  writeHardState(ctx);
  sync(ctx);
  requestVotes(ctx, raft.term, false);
}

function requestVotes(ctx: MemberContext, term: number, preVote: boolean): void {
  const raft = ctx.raft;
  const message = {
    type: 'raft.vote' as const,
    term,
    preVote,
    lastIndex: raft.log.lastIndex,
    lastTerm: raft.log.lastTerm,
    transfer: raft.transferCampaign,
  };
  for (const id of raft.conf.voters) if (id !== ctx.self) send(ctx, id, message);
}

/** Whether a vote response belongs to the campaign we are running (pre-vote or vote). */
export function isResponseToOurCampaign(ctx: MemberContext, msg: VoteResponse): boolean {
  const raft = ctx.raft;
  if (raft.role === 'preCandidate') {
    if (!msg.preVote) return false;
    return msg.granted ? msg.term === raft.term + 1 : msg.term === raft.term;
  }
  if (raft.role === 'candidate') return !msg.preVote && msg.term === raft.term;
  return false;
}

export function recordVote(ctx: MemberContext, msg: VoteResponse): void {
  ctx.raft.votes.set(msg.from, msg.granted);
}

export function campaignOutcome(ctx: MemberContext): VoteOutcome {
  return voteOutcome(ctx.raft.conf.voters, ctx.raft.votes);
}
