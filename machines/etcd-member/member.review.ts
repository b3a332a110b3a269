import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { ReviewInput, ReviewModule } from '../../src/review/review-module.ts';
import { toCommand } from './server/translate.ts';
import type { Entry } from './raft/types.ts';
import type { MemberContext } from './types.ts';

/**
 * Review sample for one etcd member (etcd-1 of etcd-1..3), driven in isolation by the messages its peers
 * and clients would send. Messages are built from the snapshot — terms, indexes and read rounds relative to
 * the member's own — so each is the legitimate message of its kind: the next term's candidate, the current
 * leader's append, the follower acknowledging the leader's last entry, a stale leader one term behind.
 *
 * The member's context is mutated in place by its actions, so it is explored by replay (every path runs on
 * a fresh actor). Three inputs: the default configuration; PreVote off (a follower's timeout then starts a
 * real election, a candidate's timeout a new one); and etcd-1 as a learner (its timeout only housekeeps).
 */
const SELF = 'etcd-1';
const PEERS = ['etcd-2', 'etcd-3'];
const CLIENT = 'client-0';
// A short election timeout (two heartbeats) keeps CheckQuorum rounds a few ticks apart.
const TIMING = { heartbeatIntervalMs: 100, electionTimeoutMs: 200 };

const input = (config: Record<string, unknown>): ReviewInput => (now) => ({
  address: SELF, incarnation: 0, rng: [1, 2, 3, 4], disk: new Map(), now, config: { ...TIMING, ...config },
});

export const reviewInput = input({ members: [SELF, ...PEERS] });

export const reviewInputs: ReviewModule['reviewInputs'] = {
  noPreVote: input({ members: [SELF, ...PEERS], preVote: false }),
  learner: input({ members: PEERS, learners: [SELF] }),
};

export const reviewExploration: ReviewModule['reviewExploration'] = 'replay';

const ctx = (snapshot: AnyMachineSnapshot) => snapshot.context as MemberContext;

const PUT = { op: 'put' as const, key: '/registry/pods/default/a', value: 'v1' };

/**
 * What the guards read besides the event: the campaign's tally, whether a request id was seen (duplicate
 * detection), for a leader how far into its CheckQuorum round it is and how many peers it heard from, and
 * for a follower whether its timer fires before its election timeout ran out or after it.
 */
export const reviewSerializeState: ReviewModule['reviewSerializeState'] = (snapshot) => {
  const { raft, server, config, now } = ctx(snapshot);
  const votes = [...raft.votes.values()];
  const campaign = raft.role === 'preCandidate' || raft.role === 'candidate' ? [votes.filter(Boolean).length, votes.filter((v) => !v).length] : null;
  const leader = raft.role === 'leader'
    ? [Math.floor((now() - raft.lastQuorumCheckAt) / config.heartbeatIntervalMs), [...raft.progress.values()].filter((pr) => pr.recentActive).length]
    : null;
  const c = ctx(snapshot);
  // Early: a leader was heard since the timer was armed. Past: a learner keeps counting past its timeout.
  const deadline = c.electionElapsedSince + c.electionTimeoutMs;
  const timer = raft.role === 'follower' ? [c.electionTimerFiresAt < deadline, deadline <= now()] : null;
  return JSON.stringify([snapshot.value, campaign, leader, timer, server.recentRequests.has('req-put')]);
};

const leaderTerm = (c: MemberContext) => (c.raft.role === 'leader' ? c.raft.term + 1 : c.raft.term);
const noop = (term: number, index: number): Entry => ({ term, index, data: { kind: 'noop' }, size: 24 });

function appends(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const c = ctx(snapshot);
  const { raft } = c;
  const term = leaderTerm(c);
  const at = raft.commit;
  const prevTerm = raft.log.term(at) ?? 0;
  const append = (fields: object) => ({ type: 'raft.append', from: 'etcd-2', term, prevIndex: at, prevTerm, entries: [], commit: at, ...fields });
  return [
    append({ term: raft.term - 1 }),
    append({ entries: [noop(term, at + 1)], commit: at + 1 }),
    append({ prevIndex: raft.log.lastIndex + 5, prevTerm: term }),
    // The leader replicates and commits etcd-1's removal: applying it stops the member.
    append({
      entries: [{ term, index: at + 1, data: { kind: 'conf', change: { op: 'remove', id: SELF }, origin: 'etcd-2', requestId: 'remove-1' }, size: 64 }],
      commit: at + 1,
    }),
  ];
}

function heartbeats(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const c = ctx(snapshot);
  const heartbeat = (term: number) => ({ type: 'raft.heartbeat', from: 'etcd-2', term, commit: c.raft.commit, readRound: 0, sentAt: c.now() });
  return [heartbeat(c.raft.term - 1), heartbeat(leaderTerm(c))];
}

function snapshots(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const c = ctx(snapshot);
  // A snapshot at our commit index: installed state we already have, so only acknowledged.
  const snap = { index: c.raft.commit, term: c.raft.log.term(c.raft.commit) ?? 0, conf: c.raft.conf, data: null };
  return [c.raft.term - 1, leaderTerm(c)].map((term) => ({ type: 'raft.snapshot', from: 'etcd-2', term, snapshot: snap }));
}

function voteRequests(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const { raft } = ctx(snapshot);
  const vote = (fields: object) => ({
    type: 'raft.vote', from: 'etcd-2', term: raft.term, preVote: false, lastIndex: raft.log.lastIndex, lastTerm: raft.log.lastTerm, transfer: false, ...fields,
  });
  return [
    vote({ term: raft.term + 1, preVote: true }),
    vote({ term: raft.term + 1 }),
    vote({}),
    vote({ from: 'etcd-3', lastIndex: 0, lastTerm: 0 }),
    vote({ term: raft.term + 1, transfer: true }),
  ];
}

function voteResponses(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const { raft } = ctx(snapshot);
  const response = (from: string, fields: object) => ({ type: 'raft.voteResp', from, ...fields });
  return [
    response('etcd-2', { term: raft.term + 1, preVote: true, granted: true }),
    ...PEERS.map((peer) => response(peer, { term: raft.term, preVote: true, granted: false })),
    response('etcd-2', { term: raft.term, preVote: false, granted: true }),
    ...PEERS.map((peer) => response(peer, { term: raft.term, preVote: false, granted: false })),
    response('etcd-3', { term: raft.term + 3, preVote: false, granted: false }),
  ];
}

function appendResponses(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const { raft } = ctx(snapshot);
  const response = (from: string, fields: object) => ({ type: 'raft.appendResp', from, term: raft.term, index: raft.log.lastIndex, reject: false, hintIndex: 0, hintTerm: 0, ...fields });
  return [
    ...PEERS.map((peer) => response(peer, {})),
    response('etcd-2', { reject: true, index: raft.log.lastIndex, hintIndex: 1, hintTerm: 1 }),
    response('etcd-3', { term: raft.term + 1, reject: true }),
  ];
}

function heartbeatResponses(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const c = ctx(snapshot);
  const response = (from: string, term: number) => ({ type: 'raft.heartbeatResp', from, term, readRound: c.raft.readRound, sentAt: c.now() });
  return [...PEERS.map((peer) => response(peer, c.raft.term)), response('etcd-3', c.raft.term + 1)];
}

function readIndexAnswers(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const c = ctx(snapshot);
  const readIds = [...c.server.forwardedReads.keys(), 999];
  return readIds.map((readId) => ({ type: 'raft.readIndexResp', from: 'etcd-2', readId, index: c.raft.commit, term: c.raft.term }));
}

const request = (requestId: string, body: object) => ({ type: 'etcd.request', from: CLIENT, requestId, request: body });

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'raft.append': appends,
  'raft.heartbeat': heartbeats,
  'raft.snapshot': snapshots,
  'raft.vote': voteRequests,
  'raft.voteResp': voteResponses,
  'raft.appendResp': appendResponses,
  'raft.heartbeatResp': heartbeatResponses,
  'raft.timeoutNow': (snapshot) => [{ type: 'raft.timeoutNow', from: 'etcd-2', term: ctx(snapshot).raft.term }],
  'raft.propose': [{
    type: 'raft.propose', from: 'etcd-2',
    data: [{ kind: 'command', command: toCommand(PUT, () => 1), origin: 'etcd-2', requestId: 'fwd-1' }],
  }],
  'raft.readIndex': [{ type: 'raft.readIndex', from: 'etcd-2', readId: 1 }],
  'raft.readIndexResp': readIndexAnswers,
  'etcd.request': [
    request('req-put', PUT),
    request('req-get', { op: 'range', key: PUT.key }),
    request('req-status', { op: 'status' }),
    request('req-move', { op: 'moveLeader', target: 'etcd-2' }),
  ],
  'etcd.requestBatch': [{
    type: 'etcd.requestBatch', from: CLIENT,
    requests: [{ requestId: 'batch-put', request: { ...PUT, value: 'v2' } }, { requestId: 'batch-get', request: { op: 'range', key: PUT.key, serializable: true } }],
  }],
  'etcd.watch.create': [{ type: 'etcd.watch.create', from: CLIENT, watchId: 'w#0', request: { key: '/registry/', prefix: true, progressNotify: true } }],
  'etcd.watch.cancel': [{ type: 'etcd.watch.cancel', from: CLIENT, watchId: 'w#0' }],
  'etcd.watch.progress': [{ type: 'etcd.watch.progress', from: CLIENT, watchId: 'w#0' }],
  'member.readyRequested': [{ type: 'member.readyRequested' }],
};

// Role states live under `running` (see the machine: start-up work stays on the root).
const ROLE_OF_STATE = {
  'running.follower': 'follower', 'running.preCandidate': 'preCandidate', 'running.candidate': 'candidate',
  'running.leader': 'leader', 'running.removed': 'removed',
} as const;

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  '*': (snapshot) => {
    const { raft, outbox } = ctx(snapshot);
    if (outbox.length > 0) return 'an action left effects in the outbox';
    const state = Object.keys(ROLE_OF_STATE).find((name) => snapshot.matches(name)) as keyof typeof ROLE_OF_STATE;
    if (raft.role !== ROLE_OF_STATE[state]) return `the chart is in ${state} but raft.role is ${raft.role}`;
    if (raft.commit > raft.log.lastIndex) return `commit ${raft.commit} is past the last index ${raft.log.lastIndex}`;
    if (raft.applied > raft.commit) return `applied ${raft.applied} is past commit ${raft.commit}`;
    if (raft.persistedIndex > raft.log.lastIndex) return `persisted ${raft.persistedIndex} is past the last index ${raft.log.lastIndex}`;
    return null;
  },
  'running.leader': (snapshot) => {
    const { raft, self } = ctx(snapshot);
    if (raft.term < raft.log.lastTerm) return `term ${raft.term} is older than its log's last term ${raft.log.lastTerm}`;
    if (raft.leader !== self) return `a leader that believes ${raft.leader} leads`;
    if (raft.vote !== self) return `a leader that voted for ${raft.vote} in its own term`;
    const peers = [...raft.conf.voters, ...raft.conf.learners].filter((id) => id !== self);
    const untracked = peers.filter((id) => !raft.progress.has(id));
    return untracked.length === 0 ? null : `no progress for ${untracked.join(', ')}`;
  },
  'running.follower': (snapshot) => {
    const { raft } = ctx(snapshot);
    // Only a leader serves read-index requests; leaving leadership must hand every waiting one back.
    if (raft.pendingReads.length > 0 || raft.readsAwaitingTermCommit.length > 0) return 'a follower holds read-index requests it would serve itself';
    return raft.progress.size === 0 ? null : 'a follower tracks replication progress';
  },
  'running.preCandidate': (snapshot) => {
    const { raft, self } = ctx(snapshot);
    return raft.votes.get(self) === true && raft.leader === null ? null : 'a pre-candidate without its own vote, or with a leader';
  },
  'running.candidate': (snapshot) => {
    const { raft, self } = ctx(snapshot);
    return raft.vote === self && raft.votes.get(self) === true ? null : `a candidate that voted for ${raft.vote}`;
  },
  'running.removed': (snapshot) => {
    const { raft, server } = ctx(snapshot);
    if (!raft.removed || raft.leader !== null) return 'removed but still part of the cluster';
    return server.waiters.size === 0 ? null : 'a removed member still owes answers';
  },
};
