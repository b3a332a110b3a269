import type { HostedInput } from '../../src/host/contract.ts';
import { resolveConfig } from './config.ts';
import { EMPTY_CONF } from './raft/conf-change.ts';
import { RaftLog } from './raft/log.ts';
import { recover } from './raft/storage.ts';
import type { ConfState } from './raft/types.ts';
import { MvccStateMachine } from './server/kv-state-machine.ts';
import { createServerState } from './server/server-state.ts';
import type { EtcdMemberConfig, MemberContext, RaftState } from './types.ts';

/**
 * Builds a member from its disk. A fresh initial member starts at term 1 with the bootstrap configuration
 * as its committed first entry (written to disk by the machine's entry action); a restarted member reads
 * back its snapshot, WAL and hard state; a joining member starts empty and learns everything from the leader.
 */
export function createMemberContext(input: HostedInput<EtcdMemberConfig>): MemberContext {
  const config = resolveConfig(input.config);
  const now = input.now();
  const kv = new MvccStateMachine({ maxTxnOps: config.maxTxnOps, minLeaseTtl: config.minLeaseTtlSeconds });
  const { hardState, snapshot, entries } = recover(input.disk);
  const log = new RaftLog();
  let conf: ConfState = EMPTY_CONF;
  if (snapshot) {
    log.load(snapshot.index, snapshot.term, entries);
    kv.restore(snapshot.data);
    conf = snapshot.conf;
  } else {
    log.load(0, 0, entries);
  }
  const fresh = hardState === undefined && entries.length === 0 && !snapshot;
  if (fresh && !config.join) {
    // etcd's bootstrap: every initial member writes the same first entry, so logs agree from index 1.
    log.push({ term: 1, index: 1, data: { kind: 'conf', change: { op: 'bootstrap', voters: config.members, learners: config.learners }, origin: '', requestId: 'bootstrap' }, size: 64 });
  }
  const term = hardState?.term ?? (fresh && !config.join ? 1 : 0);
  const raft: RaftState = {
    role: 'follower',
    term,
    vote: hardState?.vote ?? null,
    leader: null,
    log,
    commit: Math.min(hardState?.commit ?? (fresh && !config.join ? 1 : 0), log.lastIndex),
    applied: snapshot?.index ?? 0,
    // The bootstrap entry is written by the entry action; everything else read back is durable.
    persistedIndex: fresh ? 0 : log.lastIndex,
    persistedTerm: hardState?.term ?? 0,
    persistedVote: hardState?.vote ?? null,
    persistedCommit: hardState?.commit ?? 0,
    conf,
    snapshot,
    pendingConfIndex: 0,
    votes: new Map(),
    transferCampaign: false,
    progress: new Map(),
    leadTransferee: null,
    leadTransferStartedAt: 0,
    lastQuorumCheckAt: now,
    // After a restart, assume a leader may have been heard just before the crash (keeps leases sound).
    lastLeaderContactAt: input.incarnation > 0 ? now : Number.NEGATIVE_INFINITY,
    leaderlessSince: now,
    readRound: 0,
    readHeartbeatDue: false,
    pendingReads: [],
    readsAwaitingTermCommit: [],
    readyWanted: false,
    readyScheduled: false,
    removed: false,
  };
  return {
    self: input.address,
    incarnation: input.incarnation,
    config,
    now: input.now,
    rng: input.rng,
    electionTimeoutMs: config.electionTimeoutMs,
    electionElapsedSince: now,
    electionTimerFiresAt: now + config.electionTimeoutMs,
    raft,
    server: createServerState(kv, now),
    outbox: [],
    steps: 0,
  };
}
