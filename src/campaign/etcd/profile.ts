import fc from 'fast-check';
import { etcdMemberMachine, EtcdRaftChecker, PLANTS, type EtcdMemberConfig, type Plant as MemberPlant } from '../../../machines/etcd-member/index.ts';
import { etcdClientMachine } from '../../../machines/etcd-client/etcd-client.machine.ts';
import { checkLinearizable } from '../../check/linearizability/checker.ts';
import { checkWatch, type WatcherTrace } from '../../check/watch/index.ts';
import { EtcdHistoryRecorder } from '../../etcd/history.ts';
import { applySchedule } from '../../faults/apply.ts';
import { faultScheduleArb, hasFigure8 } from '../../faults/arbitrary.ts';
import { validateSchedule, type FaultSchedule } from '../../faults/schedule.ts';
import { Simulation } from '../../host/simulation.ts';
import type { VirtualClock } from '../../sim/clock.ts';
import { TraceRecorder } from '../../trace/recorder.ts';
import { TRACE_ARTEFACT, type CampaignProfile, type Plant, type RunOptions, type RunReport, type Violation } from '../types.ts';
import { MemberReplacer, OPERATOR } from './member-replace.ts';
import { LEADER_COMMIT, LeaderCommitWatch } from './leader-commits.ts';
import { CommittedHistoryOracle } from './oracle.ts';
import { memberRoles, resolveMemberRole } from './roles.ts';
import { ETCD_PLANTS } from './plants.ts';
import { workloadArb, type EtcdWorkload } from './workload.ts';

/** One etcd campaign run: a cluster size, a seed, a fault schedule and client traffic — all plain data. */
export interface EtcdScenario {
  seed: number;
  members: number;
  /** Faults and traffic happen in [0, durationMs); then `quietMs` with neither, for convergence. */
  durationMs: number;
  quietMs: number;
  /** Member settings that change which code paths run (etcd defaults when absent). */
  config?: EtcdScenarioConfig;
  schedule: FaultSchedule;
  workload: EtcdWorkload;
}

/**
 * The knobs a campaign turns on every member: flow control (entries per append, appends in flight) and
 * the snapshot interval. Small values are legitimate etcd settings that open the windows where ordering
 * bugs live: a follower catching up one entry per round trip (Figure 8), lagging members and new ones
 * catching up by snapshot.
 */
export interface EtcdScenarioConfig {
  maxEntriesPerAppend: number;
  maxInflight: number;
  snapshotEvery: number;
  snapshotCatchUpEntries: number;
  /**
   * etcd-raft's PreVote and CheckQuorum (both off by default in the raft library, both on in etcd). Raft
   * is safe either way; without CheckQuorum an isolated leader keeps leading, next to the new one, for as
   * long as it is cut off. Absent: etcd's settings (on).
   */
  preVote?: boolean;
  checkQuorum?: boolean;
}

const CLIENTS = 3;
const DURATION_MS = 12_000;
const QUIET_MS = 6_000;
/** Faults start before this; nothing new starts after DURATION_MS (see applySchedule's quietFrom). */
const HORIZON_MS = DURATION_MS - 3_000;
/** Observations a triggered fault may be aimed at: a vote granted, a leader elected, a campaign started. */
export const ETCD_TRIGGERS = ['obs.raft.voteGranted', 'obs.raft.leader', 'obs.raft.campaign'] as const;

export const memberNames = (count: number) => Array.from({ length: count }, (_, i) => `etcd-${i + 1}`);
export const clientNames = () => Array.from({ length: CLIENTS }, (_, i) => `client-${i}`);
/** Names replacement members take, in order (`etcd-4`, `etcd-5` for a 3-member cluster). */
export const replacementNames = (count: number) => [`etcd-${count + 1}`, `etcd-${count + 2}`];

export function etcdScenarioArb(): fc.Arbitrary<EtcdScenario> {
  return fc.constantFrom(3, 5).chain((members) => {
    const names = memberNames(members);
    return fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      members: fc.constant(members),
      durationMs: fc.constant(DURATION_MS),
      quietMs: fc.constant(QUIET_MS),
      config: fc.record({
        maxEntriesPerAppend: fc.constantFrom(4096, 1, 2, 8),
        maxInflight: fc.constantFrom(512, 1, 4),
        snapshotEvery: fc.constantFrom(10_000, 40, 15),
        preVote: fc.constantFrom(true, true, false),
        checkQuorum: fc.constantFrom(true, true, false),
      }).map((c) => ({ ...c, snapshotCatchUpEntries: Math.min(5_000, Math.floor(c.snapshotEvery / 3)) })),
      // Dense faults: Figure 7/8-style bugs need a leader to lose its followers mid-replication several
      // times in one run, so crashes and partitions dominate and come often. Roles (`@leader`,
      // `@follower-k`) are resolved when a fault fires, so partitions isolate the leader (alone or with a
      // minority) whoever it is; triggered faults fire a few milliseconds after a vote, an election or a
      // campaign; a churn takes the leader down and hits the voters and winners of the elections that
      // follow the instant they vote or win; delays hold the leader's (or a follower's) peer traffic back
      // for seconds, as etcd's functional tester does. See docs/etcd.md, "Running a campaign".
      schedule: faultScheduleArb({
        crashable: [...names, '@leader', '@leader'],
        partitionable: [...memberRoles(members), ...clientNames()],
        horizonMs: HORIZON_MS,
        // Runs without faults or traffic find nothing: at least 3 episodes and 40 operations.
        minEpisodes: 3,
        maxEpisodes: 10,
        minDowntimeMs: 100,
        maxDowntimeMs: 3_000,
        maxPartitionMs: 3_000,
        triggers: ETCD_TRIGGERS,
        churn: { leader: 'obs.raft.leader', vote: 'obs.raft.voteGranted' },
        figure8: { leader: 'obs.raft.leader', commit: LEADER_COMMIT },
        isolate: { target: '@leader', peers: memberRoles(members).slice(1) },
        delay: { targets: ['@leader', '@leader', '@follower-1'], peers: memberRoles(members), maxDelayMs: 5_000 },
        replaceable: names,
        replacements: replacementNames(members),
        weights: { crash: 4, partition: 4, degrade: 2, churn: 6, delay: 3, replace: 1, figure8: 2 },
        size: 'max',
      }),
      workload: workloadArb({ clients: CLIENTS, durationMs: DURATION_MS, minOps: 40, maxOps: 160, maxWatches: 3, maxBursts: 3 }),
    }).map(withFigure8FlowControl);
  });
}

/**
 * A scenario with a Figure 8 episode sends one entry per append, as in the paper's figure: the re-elected
 * leader's old-term entry then reaches a follower one round trip before its own term's no-op does, and
 * that round trip is the window in which it may count the old entry committed. With larger appends both
 * arrive together and the window does not exist.
 */
function withFigure8FlowControl(scenario: EtcdScenario): EtcdScenario {
  if (!scenario.config || !hasFigure8(scenario.schedule)) return scenario;
  return { ...scenario, config: { ...scenario.config, maxEntriesPerAppend: 1 } };
}

/**
 * Runs one scenario: members and clients on one bus, the fault schedule applied, client traffic issued at
 * its times; the Raft safety checker after every step; then linearizability of the KV history, the watch
 * guarantees against the committed history, and agreement of every member's applied state.
 */
const CAMPAIGN_KEEPALIVE = { keepaliveTimeMs: 1_000, keepaliveTimeoutMs: 2_000 };

export function runEtcdScenario(scenario: EtcdScenario, options: RunOptions = {}): RunReport {
  const sim = new Simulation({ seed: scenario.seed, ...(options.inspect ? { inspect: options.inspect } : {}) });
  // Payloads too: a counterexample's reader wants the values, and `trace render --object` searches them.
  const tracer = options.trace ? new TraceRecorder(sim, { payloads: true }) : undefined;
  const names = memberNames(scenario.members);
  const plant = PLANTS.includes(options.plant as MemberPlant) ? (options.plant as MemberPlant) : undefined;
  const memberConfig: EtcdMemberConfig = { members: names, ...(scenario.config ?? {}), ...(plant ? { plant } : {}) };
  for (const name of names) sim.add(name, etcdMemberMachine, memberConfig);
  // Keepalive scaled to the 18 s scenario (upstream: 30 s / 10 s): a watch on a crashed or cut-off member
  // resumes within 3 s of quiet, so the campaign exercises resumption as the old per-watch probe did.
  const clients = clientNames().map((name) => sim.add(name, etcdClientMachine, { members: names, ...CAMPAIGN_KEEPALIVE }));
  const operator = sim.add(OPERATOR, etcdClientMachine, { members: [...names, ...replacementNames(scenario.members)] });
  const recorder = new EtcdHistoryRecorder(sim);
  const oracle = new CommittedHistoryOracle();
  // The members the checkers follow: the initial ones, then each replacement once it is hosted.
  const checked = [...names];
  const raft = new EtcdRaftChecker(sim, () => checked);
  const hosts = names.map((name) => sim.host(name));
  const replacer = new MemberReplacer(sim, operator, memberConfig, (address) => {
    checked.push(address);
    hosts.push(sim.host(address));
  });
  const current = () => hosts.filter((h) => !replacer.isRetired(h.address));
  // Replacements start empty: count how many caught up by installing a snapshot.
  const snapshotInstalls = new Map<string, number>();
  const installs = sim.events.subscribe((event) => {
    if (event.kind === 'observe' && event.observation.type === 'obs.raft.snapshotInstalled') {
      snapshotInstalls.set(event.address, (snapshotInstalls.get(event.address) ?? 0) + 1);
    }
  });
  const leaderCommits = new LeaderCommitWatch();
  applySchedule(sim, scenario.schedule, {
    resolve: (role) => resolveMemberRole(role, current()),
    observations: leaderCommits.observations,
    handlers: { replace: (fault) => replacer.replace(fault) },
    quietFrom: scenario.durationMs,
    ...(tracer ? { onApplied: tracer.onFault } : {}),
  });
  scenario.workload.ops.forEach((op, index) => {
    sim.clock.setTimeout(() => {
      // A compact names how far behind the newest revision to compact to (see workload.ts).
      const request = op.request.op === 'compact'
        ? { op: 'compact' as const, revision: Math.max(1, oracle.revision + op.request.revision) }
        : op.request;
      clients[op.client].send({ type: 'etcd.client.invoke', opId: `op-${index}`, request });
    }, op.at);
  });
  scenario.workload.watches.forEach((watch, index) => {
    sim.clock.setTimeout(() => clients[watch.client].send({ type: 'etcd.client.watch', watchId: `watch-${index}`, request: watch.request }), watch.at);
  });

  const clock = sim.clock as VirtualClock;
  const end = scenario.durationMs + scenario.quietMs;
  let steps = 0;
  for (let next = clock.nextDeadline(); next !== undefined && next <= end; next = clock.nextDeadline()) {
    sim.step();
    steps++;
    leaderCommits.observe(current());
    if (raft.check().length > 0) break; // the first safety violation is the interesting one
    oracle.observe(hosts);
  }
  sim.runUntil(end);
  replacer.stop();
  installs.unsubscribe();
  const replacements = new Set(replacer.records().map((r) => r.replacement));

  const violations: Violation[] = raft.finish().map((v) => ({
    checker: 'raft', invariant: v.property, message: v.message, at: v.at, detail: v.details,
  }));
  const history = recorder.history();
  const linearizable = checkLinearizable(history, { maxSteps: 2_000_000 });
  if (linearizable.ok === false) {
    violations.push({ checker: 'linearizability', invariant: 'Linearizability', message: linearizable.message, detail: linearizable });
  }
  if (!oracle.gap) {
    const { traces, times } = watcherTraces(recorder);
    for (const v of checkWatch({ history: oracle.history, watchers: traces })) {
      // The time the watcher received the offending response, when the checker names one.
      const at = v.detail.response !== undefined ? times.get(v.watcher)?.[v.detail.session]?.[v.detail.response] : undefined;
      violations.push({ checker: 'watch', invariant: v.guarantee, message: `${v.watcher}: ${v.message}`, ...(at !== undefined ? { at } : {}), detail: v.detail });
    }
  }
  tracer?.stop();
  return {
    ...(tracer ? { artefacts: { [TRACE_ARTEFACT]: tracer.text() } } : {}),
    violations,
    stats: {
      virtualMs: end,
      steps,
      ops: history.length,
      unknownOps: history.filter((op) => op.return === undefined).length,
      faults: scenario.schedule.length,
      replaced: replacer.records().filter((r) => r.joinedAt !== undefined).length,
      snapshotsInstalled: [...snapshotInstalls.values()].reduce((a, b) => a + b, 0),
      replacementSnapshots: [...snapshotInstalls].filter(([address]) => replacements.has(address)).reduce((a, [, n]) => a + n, 0),
      revision: oracle.revision,
      linearizabilityUnknown: linearizable.ok === 'unknown' ? 1 : 0,
    },
  };
}

/**
 * Groups what the clients saw into the watch checker's sessions (a resume is a new session), with the time
 * each response arrived (`times[watcher][session][response]`) to date a violation.
 */
function watcherTraces(recorder: EtcdHistoryRecorder): { traces: WatcherTrace[]; times: Map<string, number[][]> } {
  const byWatch = new Map<string, Map<number, { request: WatchCreateRequestLike; responses: unknown[]; times: number[] }>>();
  for (const s of recorder.watchSessions()) {
    if (!byWatch.has(s.watchId)) byWatch.set(s.watchId, new Map());
    byWatch.get(s.watchId)!.set(s.stream, { request: s.request, responses: [], times: [] });
  }
  for (const r of recorder.watches()) {
    const session = byWatch.get(r.watchId)?.get(r.stream);
    session?.responses.push(r.response);
    session?.times.push(r.at);
  }
  const ordered = [...byWatch].map(([watcher, sessions]) => [watcher, [...sessions.entries()].sort(([a], [b]) => a - b).map(([, s]) => s)] as const);
  return {
    traces: ordered.map(([watcher, sessions]) => ({
      watcher,
      sessions: sessions.map((s) => ({ request: s.request, responses: s.responses as WatcherTrace['sessions'][number]['responses'] })),
    })),
    times: new Map(ordered.map(([watcher, sessions]) => [watcher, sessions.map((s) => s.times)])),
  };
}

type WatchCreateRequestLike = WatcherTrace['sessions'][number]['request'];

export const etcdProfile: CampaignProfile<EtcdScenario> = {
  name: 'etcd',
  description: 'etcd members under crashes, power loss, partitions and network faults, with KV, lease and watch traffic',
  plants: ETCD_PLANTS as readonly Plant[],
  scenarioArb: etcdScenarioArb,
  run: runEtcdScenario,
  summarize(scenario) {
    const faults = describeFaults(scenario.schedule, 1);
    const ops = scenario.workload.ops.map((op) => `  ${op.at}ms client-${op.client} ${JSON.stringify(op.request)}`);
    return [
      `seed ${scenario.seed}, ${scenario.members} members, ${scenario.durationMs} ms + ${scenario.quietMs} ms quiet`,
      ...(scenario.config ? [`member config: ${JSON.stringify(scenario.config)}`] : []),
      `faults (${scenario.schedule.length}):`, ...faults,
      `operations (${scenario.workload.ops.length}), watches (${scenario.workload.watches.length}):`, ...ops.slice(0, 40),
      ...(ops.length > 40 ? [`  … ${ops.length - 40} more`] : []),
    ].join('\n');
  },
  parseScenario(value) {
    const s = value as Partial<EtcdScenario>;
    if (typeof s !== 'object' || s === null) throw new Error('scenario must be an object');
    for (const field of ['seed', 'members', 'durationMs', 'quietMs'] as const) {
      if (typeof s[field] !== 'number' || !Number.isFinite(s[field])) throw new Error(`scenario.${field} must be a number`);
    }
    if (s.members! < 1 || s.members! > 9) throw new Error('scenario.members must be between 1 and 9');
    validateSchedule(s.schedule);
    if (s.config !== undefined) {
      const c = s.config as unknown as Record<string, unknown>;
      for (const field of ['maxEntriesPerAppend', 'maxInflight', 'snapshotEvery', 'snapshotCatchUpEntries']) {
        if (typeof c[field] !== 'number' || !(Number(c[field]) >= 0)) throw new Error(`scenario.config.${field} must be a non-negative number`);
      }
      for (const field of ['preVote', 'checkQuorum']) {
        if (c[field] !== undefined && typeof c[field] !== 'boolean') throw new Error(`scenario.config.${field} must be true or false`);
      }
    }
    if (!s.workload || !Array.isArray(s.workload.ops) || !Array.isArray(s.workload.watches)) {
      throw new Error('scenario.workload must have ops and watches lists');
    }
    return s as EtcdScenario;
  },
};

/** One line per fault; a trigger's faults indented under it, their times relative to its observation. */
function describeFaults(schedule: FaultSchedule, depth: number): string[] {
  const indent = '  '.repeat(depth);
  const time = (at: number) => (depth > 1 ? `+${at}ms` : `${at}ms`);
  return schedule.flatMap((f) => {
    if (f.kind !== 'trigger') return [`${indent}${time(f.at)} ${f.kind} ${JSON.stringify({ ...f, at: undefined, kind: undefined })}`];
    const window = f.windowMs !== undefined ? ` within ${f.windowMs}ms` : '';
    return [`${indent}${time(f.at)} trigger ${f.id}: on the next ${f.on}${window}, then (relative to it):`, ...describeFaults(f.faults, depth + 1)];
  });
}
