import type { HostedEmitted } from '../../src/host/contract.ts';
import type { RngState } from '../../src/sim/random.ts';
import type { KvRequestBatchMessage, KvRequestMessage, WatchRequestMessage } from '../../src/etcd/protocol.ts';
import type { RaftLog } from './raft/log.ts';
import type { RaftMessage } from './raft/messages.ts';
import type { Progress } from './raft/progress.ts';
import type { ConfState, MemberId, RaftRole, Snapshot } from './raft/types.ts';
import type { ServerState } from './server/server-state.ts';

/**
 * Planted bugs, each switched on by `config.plant` in one clearly marked guard or action, so the safety
 * checkers can be shown to catch them. Never set outside tests.
 */
export type Plant =
  | 'vote-without-log-check'
  | 'vote-not-persisted'
  | 'commit-previous-term-by-counting'
  | 'no-truncate-conflict'
  | 'apply-before-commit'
  | 'readindex-without-quorum'
  | 'lease-expires-on-follower'
  | 'no-checkquorum-stepdown'
  | 'accept-stale-term-append'
  | 'watch-skips-revision'
  | 'append-not-persisted'
  | 'follower-serves-linearizable-read';

export const PLANTS: readonly Plant[] = [
  'vote-without-log-check',
  'vote-not-persisted',
  'commit-previous-term-by-counting',
  'no-truncate-conflict',
  'apply-before-commit',
  'readindex-without-quorum',
  'lease-expires-on-follower',
  'no-checkquorum-stepdown',
  'accept-stale-term-append',
  'watch-skips-revision',
  'append-not-persisted',
  'follower-serves-linearizable-read',
];

export interface EtcdMemberConfig {
  /** The initial voting members (addresses). Every initial member gets the same list. */
  members: string[];
  /** Initial learners (replicate, never vote or campaign). */
  learners?: string[];
  /**
   * A member added to a running cluster (`member add`): it starts with an empty log and no
   * configuration, and learns both from the leader. `members`/`learners` are then ignored.
   */
  join?: boolean;
  /** etcd --heartbeat-interval (ms). Default 100. */
  heartbeatIntervalMs?: number;
  /** etcd --election-timeout (ms); each timeout is drawn in [T, 2T). Default 1000. */
  electionTimeoutMs?: number;
  /** Raft PreVote (etcd --pre-vote). Default true. */
  preVote?: boolean;
  /** Leader steps down without a quorum heard within an election timeout; followers honour leases. Default true. */
  checkQuorum?: boolean;
  /** Linearizable reads: 'safe' confirms leadership with a heartbeat round, 'lease' trusts the leader lease (needs checkQuorum). */
  readOnly?: 'safe' | 'lease';
  /** Flow control: entries and bytes per append message, appends in flight per follower. */
  maxEntriesPerAppend?: number;
  maxBytesPerAppend?: number;
  maxInflight?: number;
  /**
   * Length of one leader "ready" cycle (persist + send): proposals arriving within it go out in one
   * batch. Models the fsync latency that makes etcd batch. Default 1 ms.
   */
  readyIntervalMs?: number;
  /** Take a snapshot (and compact the log) every N applied entries (etcd --snapshot-count). Default 10000. */
  snapshotEvery?: number;
  /** Entries kept behind a snapshot so slow followers catch up without one (etcd: 5000). */
  snapshotCatchUpEntries?: number;
  /** Watch progress notifications for idle watchers (etcd: 10 min). */
  watchProgressIntervalMs?: number;
  maxTxnOps?: number;
  minLeaseTtlSeconds?: number;
  plant?: Plant;
}

export type ResolvedConfig = Required<Omit<EtcdMemberConfig, 'plant' | 'learners' | 'join'>> & {
  learners: string[];
  join: boolean;
  plant: Plant | undefined;
};

/** A linearizable read waiting for its read index, on behalf of a local client or a follower. */
export type ReadWaiter =
  | { kind: 'client'; client: string; requestId: string; request: KvRequestMessage['request'] }
  | { kind: 'member'; member: MemberId; readId: number };

export interface PendingRead {
  /** Heartbeat round whose quorum acknowledgement confirms leadership for this read. */
  round: number;
  /** Commit index when the read arrived: the read is served once applied ≥ index. */
  index: number;
  waiter: ReadWaiter;
}

/** Raft's state: a mutable object for speed; entries inside are immutable and shared with disk. */
export interface RaftState {
  role: RaftRole;
  term: number;
  vote: MemberId | null;
  leader: MemberId | null;
  readonly log: RaftLog;
  commit: number;
  applied: number;
  /** Last log index written and synced to this member's disk. */
  persistedIndex: number;
  /** Term/vote/commit as last written to disk (to skip redundant writes). */
  persistedTerm: number;
  persistedVote: MemberId | null;
  persistedCommit: number;
  /** The applied configuration. */
  conf: ConfState;
  /** The latest local snapshot (also on disk). */
  snapshot: Snapshot | undefined;
  /** A leader proposes no conf change while one at or below this index is unapplied. */
  pendingConfIndex: number;
  /** Votes of the running campaign (pre-vote or vote). */
  votes: Map<MemberId, boolean>;
  /** The running campaign was started by MsgTimeoutNow (it may disregard leases). */
  transferCampaign: boolean;
  /** Leader only: one entry per peer. */
  progress: Map<MemberId, Progress>;
  leadTransferee: MemberId | null;
  leadTransferStartedAt: number;
  /** Leader: when CheckQuorum last reset its activity marks (a check is due an election timeout later). */
  lastQuorumCheckAt: number;
  /** When a leader was last heard from (or when this member started): followers honour the lease until T later. */
  lastLeaderContactAt: number;
  /** When this member last knew no leader (for NoLeader answers). */
  leaderlessSince: number | undefined;
  /** ReadIndex: current heartbeat round, and whether a round's heartbeats still have to go out. */
  readRound: number;
  readHeartbeatDue: boolean;
  pendingReads: PendingRead[];
  /** Reads that arrived before this leader committed an entry of its term. */
  readsAwaitingTermCommit: ReadWaiter[];
  /** Leader: something awaits the next ready cycle (persist + send); the chart schedules one. */
  readyWanted: boolean;
  /**
   * Leader: a ready cycle is already requested (the chart is in, or about to enter, `readyScheduled`), so
   * further wishes need no `member.readyRequested` event. Cleared whenever the chart goes back to `idle`
   * (a ready cycle ran, the heartbeat tick re-entered `beating`) and on entering or leaving leadership.
   */
  readyScheduled: boolean;
  /** This member applied its own removal. */
  removed: boolean;
}

export interface MemberContext {
  readonly self: MemberId;
  readonly incarnation: number;
  readonly config: ResolvedConfig;
  /** The run's clock; read it only inside actions. */
  readonly now: () => number;
  rng: RngState;
  /**
   * The current randomized election timeout, drawn in [T, 2T) only where etcd-raft's `reset(term)` draws
   * one: on becoming follower or candidate (not pre-candidate, not on a leader's message). `reset` draws for
   * a new leader too, but a leader never reads it, so the model skips that draw.
   */
  electionTimeoutMs: number;
  /**
   * When the election timer last started counting (etcd-raft's `electionElapsed = 0`): on `reset`, when the
   * timer fires, on every message from the current leader, and on granting a real vote. A follower
   * campaigns once `electionTimeoutMs` passed since then.
   */
  electionElapsedSince: number;
  /** When the follower's election timer (`follower.ticking`) fires next. */
  electionTimerFiresAt: number;
  readonly raft: RaftState;
  readonly server: ServerState;
  /** Effects produced by the running action, emitted in order when it ends. */
  readonly outbox: HostedEmitted[];
  /**
   * Steps finished (`finishStep` calls): the checker's "may have changed" mark. The actor snapshot cannot
   * be one: a targetless transition that only mutates context (a follower hearing from its leader) keeps
   * XState's snapshot object.
   */
  steps: number;
}

type WithFrom<M> = M & { from: string };

/** Events raised inside the machine (never on the wire). */
export type InternalEvent = { type: 'member.readyRequested' };

export type MemberEvent =
  | WithFrom<RaftMessage>
  | WithFrom<KvRequestMessage>
  | WithFrom<KvRequestBatchMessage>
  | WithFrom<WatchRequestMessage>
  | InternalEvent;
