import { and, assign, enqueueActions, not, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { KvRequestMessage, WatchRequestMessage } from '../../src/etcd/protocol.ts';
import { rngInt } from '../../src/sim/random.ts';
import { createMemberContext } from './context.ts';
import {
  answerVoteRequest,
  campaignOutcome,
  isPromotable,
  isResponseToOurCampaign,
  recordVote,
  shouldGrantVote,
  startElection,
  startPreVote,
  voteRequestInLease,
} from './raft/election.ts';
import { handleAppend, handleHeartbeat, handleSnapshot } from './raft/follower.ts';
import { checkQuorumDue, leaderHeartbeatTick, runReadyCycle, sendTimeoutNowIfCaughtUp, takeOffice } from './raft/leader.ts';
import { observe, persistUnstable, send, writeHardState } from './raft/persist.ts';
import { abandonReads, acknowledgeReadRound, requestReadIndex } from './raft/read-index.ts';
import { handleAppendResponse, handleHeartbeatResponse, quorumActive } from './raft/replication.ts';
import { becomePrimaryLessor, expireLeasesOnFollowerClock, proposeExpiredLeaseRevokes, stopBeingPrimaryLessor } from './server/leases.ts';
import { respondError } from './server/respond.ts';
import {
  answerLocalQuery,
  completeForwardedRead,
  handleForwardedProposals,
  handleRequestBatch,
  isLinearizableRead,
  isLocalQuery,
  isProposal,
  proposeRequest,
  resolveRead,
  runHousekeeping,
  startLeaderTransfer,
  startLinearizableRead,
} from './server/requests.ts';
import { cancelWatch, createWatch, requestWatchProgress } from './server/watches.ts';
import { finishStep } from './step.ts';
import type { EtcdMemberConfig, MemberContext, MemberEvent } from './types.ts';

/**
 * An etcd member: Raft (etcd-io/raft's feature set) plus the etcd server around it, as one statechart.
 *
 * Two parallel regions:
 *  - `raft`: the Raft role — follower → preCandidate → candidate → leader (and `removed` once the member
 *    applies its own removal). Messages from a newer term send any role back to follower; messages from
 *    an older term are answered so their sender steps down. The leader is itself parallel: heartbeats,
 *    CheckQuorum, ready cycles (batching: persist then send) and leadership transfer.
 *  - `server`: client requests, watches and the housekeeping tick (lease expiry, stalled requests).
 * The Raft bookkeeping lives in context as mutable objects (see types.ts) driven by the helpers under
 * raft/ and server/; every action ends in `finishStep`, which applies committed entries and emits the
 * collected disk and network effects in order.
 */

type Msg<T extends MemberEvent['type']> = Extract<MemberEvent, { type: T }>;
type WithTerm = Extract<MemberEvent, { term: number }>;

function termOf(event: MemberEvent): number {
  return (event as WithTerm).term;
}

/** When the election timer runs out, unless something restarts it first. */
function electionDeadline(context: MemberContext): number {
  return context.electionElapsedSince + context.electionTimeoutMs;
}

export const etcdMemberMachine = setup({
  types: {
    context: {} as MemberContext,
    events: {} as MemberEvent,
    input: {} as HostedInput<EtcdMemberConfig>,
    emitted: {} as HostedEmitted,
  },
  guards: {
    termIsNewer: ({ context, event }) => termOf(event) > context.raft.term,
    termIsCurrent: ({ context, event }) => termOf(event) === context.raft.term,
    /** A leader message from an older term is refused (and answered, so its sender steps down). */
    leaderTermIsStale: ({ context, event }) =>
      // PLANTED BUG `accept-stale-term-append`: obey a deposed leader.
      termOf(event) < context.raft.term && context.config.plant !== 'accept-stale-term-append',
    voteRequestInLease: ({ context, event }) => voteRequestInLease(context, event as Msg<'raft.vote'>),
    isPreVoteRequest: ({ event }) => (event as Msg<'raft.vote'>).preVote,
    canGrantVote: ({ context, event }) => shouldGrantVote(context, event as Msg<'raft.vote'>),
    /** Rejections from a newer term end a campaign; granted pre-votes carry the next term legitimately. */
    responseCarriesNewerTerm: ({ context, event }) => {
      const msg = event as Msg<'raft.voteResp'>;
      return msg.term > context.raft.term && !(msg.preVote && msg.granted);
    },
    isResponseToOurCampaign: ({ context, event }) => isResponseToOurCampaign(context, event as Msg<'raft.voteResp'>),
    voteQuorumReached: ({ context }) => campaignOutcome(context) === 'won',
    voteQuorumLost: ({ context }) => campaignOutcome(context) === 'lost',
    isPromotable: ({ context }) => isPromotable(context),
    preVoteEnabled: ({ context }) => context.config.preVote,
    // Composite guards are named too, so the chart round-trips through Stately with no inline functions.
    canStartPreVote: and(['isPromotable', 'preVoteEnabled']),
    canCampaignOnTransfer: and(['termIsCurrent', 'isPromotable']),
    /** A real vote a follower grants in its own term: etcd-raft records it without `reset` (no new draw). */
    grantsVoteInCurrentTerm: and([not('voteRequestInLease'), not('isPreVoteRequest'), 'canGrantVote']),
    /**
     * The follower's timer fired, but the election timeout has not passed since the timer last restarted
     * (a leader's message or a granted vote restarted it meanwhile): wait out the rest.
     */
    electionTimeoutNotElapsed: ({ context }) => context.now() < electionDeadline(context),
    /** CheckQuorum, once per election timeout: no quorum of voters was heard from since the last check. */
    quorumLost: ({ context }) =>
      context.config.checkQuorum &&
      // PLANTED BUG `no-checkquorum-stepdown`: a leader cut off from its quorum keeps leading.
      context.config.plant !== 'no-checkquorum-stepdown' &&
      checkQuorumDue(context) &&
      !quorumActive(context),
    wasRemovedFromCluster: ({ context }) => context.raft.removed && context.raft.role !== 'removed',
    memberStopped: ({ context }) => context.raft.removed,
    isDuplicateRequest: ({ context, event }) => context.server.recentRequests.has((event as Msg<'etcd.request'>).requestId),
    isLocalQuery: ({ event }) => isLocalQuery((event as Msg<'etcd.request'>).request),
    isLinearizableRead: ({ event }) => isLinearizableRead((event as Msg<'etcd.request'>).request),
    isMoveLeader: ({ event }) => (event as Msg<'etcd.request'>).request.op === 'moveLeader',
    /** Writes, leases, compaction, membership: everything that goes through the log. */
    isProposal: ({ event }) => isProposal((event as Msg<'etcd.request'>).request),
  },
  actions: {
    // ---- roles ------------------------------------------------------------------------------------
    /** etcd-raft's `reset(term)`: a new randomized timeout, counted from now (`resetRandomizedElectionTimeout`). */
    drawElectionTimeout: assign(({ context }) => {
      const base = context.config.electionTimeoutMs;
      const [electionTimeoutMs, rng] = rngInt(context.rng, base, 2 * base - 1);
      return { electionTimeoutMs, rng, electionElapsedSince: context.now() };
    }),
    /** etcd-raft's `electionElapsed = 0` alone: the timeout drawn last stays (a pre-candidate, a granted vote). */
    restartElectionElapsed: ({ context }) => {
      context.electionElapsedSince = context.now();
    },
    /**
     * The follower's timer: due when the election timeout runs out. Already past it only for a member that
     * may not campaign (a learner, unapplied conf changes): etcd-raft's `tickElection` keeps counting and
     * looks again every tick, so it wakes one tick (etcd's tick is the heartbeat interval) later.
     */
    armElectionTimer: ({ context }) => {
      const now = context.now();
      const deadline = electionDeadline(context);
      context.electionTimerFiresAt = deadline > now ? deadline : now + context.config.heartbeatIntervalMs;
    },
    recoverOrBootstrap: enqueueActions(({ context, enqueue }) => {
      // A fresh initial member's bootstrap entry and hard state become durable before anything else.
      if (context.raft.persistedIndex < context.raft.log.lastIndex) persistUnstable(context);
      observe(context, { type: 'obs.raft.started', term: context.raft.term, lastIndex: context.raft.log.lastIndex });
      finishStep(context, enqueue);
    }),
    enterFollower: enqueueActions(({ context, enqueue }) => {
      context.raft.role = 'follower';
      finishStep(context, enqueue);
    }),
    startPreVote: enqueueActions(({ context, enqueue }) => {
      context.raft.role = 'preCandidate';
      startPreVote(context);
      finishStep(context, enqueue);
    }),
    startElection: enqueueActions(({ context, enqueue }) => {
      context.raft.role = 'candidate';
      startElection(context);
      observe(context, { type: 'obs.raft.campaign', term: context.raft.term, transfer: context.raft.transferCampaign });
      finishStep(context, enqueue);
    }),
    markTransferCampaign: ({ context }) => {
      context.raft.transferCampaign = true;
    },
    clearTransferCampaign: ({ context }) => {
      context.raft.transferCampaign = false;
    },
    recordVote: ({ context, event }) => recordVote(context, event as Msg<'raft.voteResp'>),
    becomeLeader: enqueueActions(({ context, enqueue }) => {
      context.raft.readyScheduled = false;
      takeOffice(context);
      becomePrimaryLessor(context);
      observe(context, { type: 'obs.raft.leader', term: context.raft.term });
      finishStep(context, enqueue);
    }),
    leaveLeadership: enqueueActions(({ context, enqueue }) => {
      const raft = context.raft;
      for (const waiter of abandonReads(context)) {
        if (waiter.kind === 'client') respondError(context, waiter.client, waiter.requestId, 'LeaderChanged');
      }
      stopBeingPrimaryLessor(context);
      raft.readyScheduled = false;
      raft.progress.clear();
      raft.leadTransferee = null;
      raft.role = 'follower';
      if (raft.leader === context.self) raft.leader = null;
      finishStep(context, enqueue);
    }),
    stepDownForLostQuorum: enqueueActions(({ context, enqueue }) => {
      observe(context, { type: 'obs.raft.checkQuorumStepDown', term: context.raft.term });
      context.raft.leader = null;
      finishStep(context, enqueue);
    }),
    enterRemoved: enqueueActions(({ context, enqueue }) => {
      context.raft.role = 'removed';
      context.raft.leader = null;
      for (const [requestId, waiter] of context.server.waiters) respondError(context, waiter.client, requestId, 'Stopped', waiter.batched);
      context.server.waiters.clear();
      observe(context, { type: 'obs.raft.removed', term: context.raft.term });
      finishStep(context, enqueue);
    }),

    // ---- terms and votes --------------------------------------------------------------------------
    adoptNewerTerm: enqueueActions(({ context, event, enqueue }) => {
      const raft = context.raft;
      raft.term = termOf(event);
      raft.vote = null;
      raft.leader = null;
      raft.role = 'follower';
      writeHardState(context);
      finishStep(context, enqueue);
    }),
    answerVoteRequest: enqueueActions(({ context, event, enqueue }) => {
      answerVoteRequest(context, event as Msg<'raft.vote'>);
      finishStep(context, enqueue);
    }),

    // ---- follower side of replication ------------------------------------------------------------
    followLeader: ({ context, event }) => {
      const raft = context.raft;
      const term = termOf(event);
      if (term > raft.term) {
        raft.term = term;
        raft.vote = null;
      }
      raft.role = 'follower';
      raft.leader = event.type === 'member.readyRequested' ? raft.leader : event.from;
      raft.lastLeaderContactAt = context.now();
      // etcd-raft's stepFollower on MsgApp/MsgHeartbeat/MsgSnap: `electionElapsed = 0`, no new draw.
      context.electionElapsedSince = raft.lastLeaderContactAt;
    },
    handleAppendEntries: enqueueActions(({ context, event, enqueue }) => {
      handleAppend(context, event as Msg<'raft.append'>);
      finishStep(context, enqueue);
    }),
    handleHeartbeat: enqueueActions(({ context, event, enqueue }) => {
      handleHeartbeat(context, event as Msg<'raft.heartbeat'>);
      finishStep(context, enqueue);
    }),
    handleInstallSnapshot: enqueueActions(({ context, event, enqueue }) => {
      handleSnapshot(context, event as Msg<'raft.snapshot'>);
      finishStep(context, enqueue);
    }),
    /** Answer an older-term leader with our term, so it learns it was deposed. */
    rejectStaleLeader: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'raft.append' | 'raft.heartbeat' | 'raft.snapshot'>;
      send(context, msg.from, { type: 'raft.appendResp', term: context.raft.term, index: 0, reject: true, hintIndex: 0, hintTerm: 0 });
      finishStep(context, enqueue);
    }),
    forwardProposals: enqueueActions(({ context, event, enqueue }) => {
      handleForwardedProposals(context, (event as Msg<'raft.propose'>).data);
      finishStep(context, enqueue);
    }),

    // ---- leader ---------------------------------------------------------------------------------
    appendForwardedProposals: enqueueActions(({ context, event, enqueue }) => {
      handleForwardedProposals(context, (event as Msg<'raft.propose'>).data);
      finishStep(context, enqueue);
    }),
    runReadyCycle: enqueueActions(({ context, enqueue }) => {
      context.raft.readyScheduled = false; // back to `idle`
      runReadyCycle(context);
      finishStep(context, enqueue);
    }),
    handleAppendResponse: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'raft.appendResp'>;
      if (handleAppendResponse(context, msg)) context.raft.readyWanted = true;
      if (msg.from === context.raft.leadTransferee) sendTimeoutNowIfCaughtUp(context);
      finishStep(context, enqueue);
    }),
    handleHeartbeatResponse: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'raft.heartbeatResp'>;
      handleHeartbeatResponse(context, msg.from, msg.sentAt);
      acknowledgeReadRound(context, msg.from, msg.readRound, (index, waiter) => resolveRead(context, index, waiter));
      finishStep(context, enqueue);
    }),
    /** The leader's heartbeat tick: flush, heartbeats, CheckQuorum bookkeeping, transfer timeout, leases. */
    runLeaderTick: enqueueActions(({ context, enqueue }) => {
      context.raft.readyScheduled = false; // `beating` is re-entered: back to `idle`
      leaderHeartbeatTick(context);
      proposeExpiredLeaseRevokes(context);
      runHousekeeping(context);
      finishStep(context, enqueue);
    }),
    serveForwardedReadIndex: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'raft.readIndex'>;
      requestReadIndex(context, { kind: 'member', member: msg.from, readId: msg.readId }, (index, waiter) => resolveRead(context, index, waiter));
      if (context.raft.readHeartbeatDue) context.raft.readyWanted = true;
      finishStep(context, enqueue);
    }),
    // ---- server -----------------------------------------------------------------------------------
    answerStopped: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'etcd.request'>;
      respondError(context, msg.from, msg.requestId, 'Stopped');
      finishStep(context, enqueue);
    }),
    answerLocalQuery: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'etcd.request'>;
      answerLocalQuery(context, msg.from, msg.requestId, msg.request);
      finishStep(context, enqueue);
    }),
    startLinearizableRead: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'etcd.request'>;
      context.server.recentRequests.add(msg.requestId);
      startLinearizableRead(context, msg.from, msg.requestId, msg.request);
      if (context.raft.readHeartbeatDue) context.raft.readyWanted = true;
      finishStep(context, enqueue);
    }),
    startLeaderTransfer: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'etcd.request'>;
      const request = msg.request as Extract<KvRequestMessage['request'], { op: 'moveLeader' }>;
      startLeaderTransfer(context, msg.from, msg.requestId, request.target);
      finishStep(context, enqueue);
    }),
    handleRequestBatch: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'etcd.requestBatch'>;
      handleRequestBatch(context, msg.from, msg.requests);
      finishStep(context, enqueue);
    }),
    proposeRequest: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'etcd.request'>;
      context.server.recentRequests.add(msg.requestId);
      proposeRequest(context, msg.from, msg.requestId, msg.request);
      finishStep(context, enqueue);
    }),
    completeForwardedRead: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'raft.readIndexResp'>;
      completeForwardedRead(context, msg.readId, msg.index);
      finishStep(context, enqueue);
    }),
    createWatch: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Extract<WatchRequestMessage, { type: 'etcd.watch.create' }> & { from: string };
      createWatch(context, msg.from, msg.watchId, msg.request);
      finishStep(context, enqueue);
    }),
    cancelWatch: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'etcd.watch.cancel'>;
      cancelWatch(context, msg.from, msg.watchId);
      finishStep(context, enqueue);
    }),
    requestWatchProgress: enqueueActions(({ context, event, enqueue }) => {
      const msg = event as Msg<'etcd.watch.progress'>;
      requestWatchProgress(context, msg.from, msg.watchId);
      finishStep(context, enqueue);
    }),
    /** Housekeeping off the leader's tick: requests waiting for a leader, watch progress (and one plant). */
    runHousekeeping: enqueueActions(({ context, enqueue }) => {
      expireLeasesOnFollowerClock(context);
      runHousekeeping(context);
      finishStep(context, enqueue);
    }),
  },
  delays: {
    electionTimeout: ({ context }) => context.electionTimeoutMs,
    /** Until the follower's timer is due (see `armElectionTimer`). */
    electionTimer: ({ context }) => context.electionTimerFiresAt - context.now(),
    heartbeatInterval: ({ context }) => context.config.heartbeatIntervalMs,
    readyInterval: ({ context }) => context.config.readyIntervalMs,
  },
}).createMachine({
  id: 'etcdMember',
  context: ({ input }) => createMemberContext(input),
  // Start-up work runs once, on the root. The role transitions below re-enter `running` (to reset the
  // follower's election timer); re-entering the root would re-run the start-up work on every heartbeat.
  entry: 'recoverOrBootstrap',
  initial: 'running',
  states: {
    running: {
      initial: 'follower',
      always: { guard: 'wasRemovedFromCluster', target: '.removed' },
      on: {
        // ---- Raft terms: a current or newer leader makes any other role (or a follower, from a newer
        // term) its follower, drawing a new timeout; an older one is answered so it steps down. A follower
        // hearing from its current leader stays put (`follower.on`).
        'raft.append': [
          { guard: 'leaderTermIsStale', actions: 'rejectStaleLeader' },
          { target: '.follower', reenter: true, actions: ['followLeader', 'handleAppendEntries'] },
        ],
        'raft.heartbeat': [
          { guard: 'leaderTermIsStale', actions: 'rejectStaleLeader' },
          { target: '.follower', reenter: true, actions: ['followLeader', 'handleHeartbeat', 'runHousekeeping'] },
        ],
        'raft.snapshot': [
          { guard: 'leaderTermIsStale', actions: 'rejectStaleLeader' },
          { target: '.follower', reenter: true, actions: ['followLeader', 'handleInstallSnapshot'] },
        ],
        'raft.vote': [
          { guard: 'voteRequestInLease' },
          { guard: 'isPreVoteRequest', actions: 'answerVoteRequest' },
          { guard: 'termIsNewer', target: '.follower', reenter: true, actions: ['adoptNewerTerm', 'answerVoteRequest'] },
          { guard: 'canGrantVote', target: '.follower', reenter: true, actions: 'answerVoteRequest' },
          { actions: 'answerVoteRequest' },
        ],
        'raft.voteResp': { guard: 'responseCarriesNewerTerm', target: '.follower', reenter: true, actions: 'adoptNewerTerm' },
        'raft.appendResp': { guard: 'termIsNewer', target: '.follower', reenter: true, actions: 'adoptNewerTerm' },
        'raft.heartbeatResp': { guard: 'termIsNewer', target: '.follower', reenter: true, actions: 'adoptNewerTerm' },
        'raft.readIndexResp': { actions: 'completeForwardedRead' },
        // ---- the etcd server: client requests and watch streams, in any role.
        'etcd.request': [
          { guard: 'memberStopped', actions: 'answerStopped' },
          { guard: 'isDuplicateRequest' },
          { guard: 'isProposal', actions: 'proposeRequest' },
          { guard: 'isLocalQuery', actions: 'answerLocalQuery' },
          { guard: 'isLinearizableRead', actions: 'startLinearizableRead' },
          { guard: 'isMoveLeader', actions: 'startLeaderTransfer' },
        ],
        // A pipelined batch of requests: one event, each request routed as above (server/requests.ts).
        'etcd.requestBatch': { actions: 'handleRequestBatch' },
        'etcd.watch.create': { actions: 'createWatch' },
        'etcd.watch.cancel': { actions: 'cancelWatch' },
        'etcd.watch.progress': { actions: 'requestWatchProgress' },
      },
      states: {
        /**
         * etcd-raft's follower: `becomeFollower` draws the timeout (entry); the current leader's messages and
         * a granted vote only restart the count (targetless: no re-entry, no draw). When the timer fires
         * early for that reason, `ticking` re-arms for what is left, as `tickElection` keeps counting.
         */
        follower: {
          entry: ['drawElectionTimeout', 'enterFollower'],
          initial: 'ticking',
          on: {
            'raft.append': { guard: 'termIsCurrent', actions: ['followLeader', 'handleAppendEntries'] },
            'raft.heartbeat': { guard: 'termIsCurrent', actions: ['followLeader', 'handleHeartbeat', 'runHousekeeping'] },
            'raft.snapshot': { guard: 'termIsCurrent', actions: ['followLeader', 'handleInstallSnapshot'] },
            'raft.vote': { guard: 'grantsVoteInCurrentTerm', actions: ['answerVoteRequest', 'restartElectionElapsed'] },
            'raft.timeoutNow': { guard: 'canCampaignOnTransfer', target: 'candidate', actions: 'markTransferCampaign' },
            'raft.propose': { actions: 'forwardProposals' },
          },
          states: {
            ticking: {
              entry: 'armElectionTimer',
              after: {
                electionTimer: [
                  { guard: 'electionTimeoutNotElapsed', target: 'ticking', reenter: true },
                  { guard: 'canStartPreVote', target: '#etcdMember.running.preCandidate' },
                  { guard: 'isPromotable', target: '#etcdMember.running.candidate' },
                  // A learner (or a member with unapplied conf changes) never campaigns: housekeep, keep counting.
                  { target: 'ticking', reenter: true, actions: 'runHousekeeping' },
                ],
              },
            },
          },
        },
        // `becomePreCandidate` does not `reset`: the follower's (or candidate's) timeout stays.
        preCandidate: {
          entry: ['restartElectionElapsed', 'startPreVote', 'runHousekeeping'],
          always: [
            { guard: 'voteQuorumReached', target: 'candidate' },
            { guard: 'voteQuorumLost', target: 'follower' },
          ],
          after: { electionTimeout: { target: 'preCandidate', reenter: true } },
          on: { 'raft.voteResp': { guard: 'isResponseToOurCampaign', actions: 'recordVote' } },
        },
        candidate: {
          entry: ['drawElectionTimeout', 'startElection', 'runHousekeeping'],
          exit: 'clearTransferCampaign',
          always: [
            { guard: 'voteQuorumReached', target: 'leader' },
            { guard: 'voteQuorumLost', target: 'follower' },
          ],
          after: {
            electionTimeout: [
              { guard: 'preVoteEnabled', target: 'preCandidate' },
              { target: 'candidate', reenter: true },
            ],
          },
          on: { 'raft.voteResp': { guard: 'isResponseToOurCampaign', actions: 'recordVote' } },
        },
        leader: {
          entry: 'becomeLeader',
          exit: 'leaveLeadership',
          initial: 'beating',
          on: {
            'raft.appendResp': { guard: 'termIsCurrent', actions: 'handleAppendResponse' },
            'raft.heartbeatResp': { guard: 'termIsCurrent', actions: 'handleHeartbeatResponse' },
            'raft.propose': { actions: 'appendForwardedProposals' },
            'raft.readIndex': { actions: 'serveForwardedReadIndex' },
          },
          states: {
            /**
             * Every heartbeat interval: CheckQuorum (once per election timeout), heartbeats, housekeeping.
             * Inside, proposals wait at most one ready interval to go out together (batching).
             */
            beating: {
              initial: 'idle',
              after: {
                heartbeatInterval: [
                  { guard: 'quorumLost', target: '#etcdMember.running.follower', actions: 'stepDownForLostQuorum' },
                  { target: 'beating', reenter: true, actions: 'runLeaderTick' },
                ],
              },
              states: {
                idle: { on: { 'member.readyRequested': 'readyScheduled' } },
                readyScheduled: { after: { readyInterval: { target: 'idle', actions: 'runReadyCycle' } } },
              },
            },
          },
        },
        removed: {
          entry: 'enterRemoved',
          on: { 'raft.*': {} },
        },
      },
    },
  },
});
