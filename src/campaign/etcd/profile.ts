import fc from 'fast-check';
import { etcdMemberMachine, EtcdRaftChecker, memberStatus, PLANTS, type Plant as MemberPlant } from '../../../machines/etcd-member/index.ts';
import type { ComponentHost } from '../../host/component-host.ts';
import { etcdClientMachine } from '../../../machines/etcd-client/etcd-client.machine.ts';
import { checkLinearizable } from '../../check/linearizability/checker.ts';
import { checkWatch, type WatcherTrace } from '../../check/watch/index.ts';
import { EtcdHistoryRecorder } from '../../etcd/history.ts';
import { applySchedule } from '../../faults/apply.ts';
import { faultScheduleArb } from '../../faults/arbitrary.ts';
import { validateSchedule, type FaultSchedule } from '../../faults/schedule.ts';
import { Simulation } from '../../host/simulation.ts';
import type { VirtualClock } from '../../sim/clock.ts';
import { TraceRecorder } from '../../trace/recorder.ts';
import { TRACE_ARTEFACT, type CampaignProfile, type Plant, type RunOptions, type RunReport, type Violation } from '../types.ts';
import { CommittedHistoryOracle } from './oracle.ts';
import { ETCD_PLANTS } from './plants.ts';
import { workloadArb, type EtcdWorkload } from './workload.ts';

/** One etcd campaign run: a cluster size, a seed, a fault schedule and client traffic — all plain data. */
export interface EtcdScenario {
  seed: number;
  members: number;
  /** Faults and traffic happen in [0, durationMs); then `quietMs` with neither, for convergence. */
  durationMs: number;
  quietMs: number;
  schedule: FaultSchedule;
  workload: EtcdWorkload;
}

const CLIENTS = 3;
const DURATION_MS = 12_000;
const QUIET_MS = 6_000;

export const memberNames = (count: number) => Array.from({ length: count }, (_, i) => `etcd-${i + 1}`);
export const clientNames = () => Array.from({ length: CLIENTS }, (_, i) => `client-${i}`);

export function etcdScenarioArb(): fc.Arbitrary<EtcdScenario> {
  return fc.constantFrom(3, 5).chain((members) => {
    const names = memberNames(members);
    return fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      members: fc.constant(members),
      durationMs: fc.constant(DURATION_MS),
      quietMs: fc.constant(QUIET_MS),
      // Dense faults: Figure 7/8-style bugs need a leader to lose its followers mid-replication several
      // times in one run, so crashes and partitions dominate and come often.
      schedule: faultScheduleArb({
        crashable: [...names, '@leader', '@leader'],
        partitionable: [...names, ...clientNames()],
        horizonMs: DURATION_MS - 3_000,
        maxEpisodes: 10,
        minDowntimeMs: 100,
        maxDowntimeMs: 3_000,
        maxPartitionMs: 3_000,
        weights: { crash: 3, partition: 3, degrade: 1 },
        size: 'max',
      }),
      workload: workloadArb({ clients: CLIENTS, durationMs: DURATION_MS, maxOps: 200, maxWatches: 3 }),
    });
  });
}

/**
 * Runs one scenario: members and clients on one bus, the fault schedule applied, client traffic issued at
 * its times; the Raft safety checker after every step; then linearizability of the KV history, the watch
 * guarantees against the committed history, and agreement of every member's applied state.
 */
export function runEtcdScenario(scenario: EtcdScenario, options: RunOptions = {}): RunReport {
  const sim = new Simulation({ seed: scenario.seed, ...(options.inspect ? { inspect: options.inspect } : {}) });
  // Payloads too: a counterexample's reader wants the values, and `trace render --object` searches them.
  const tracer = options.trace ? new TraceRecorder(sim, { payloads: true }) : undefined;
  const names = memberNames(scenario.members);
  const plant = PLANTS.includes(options.plant as MemberPlant) ? (options.plant as MemberPlant) : undefined;
  for (const name of names) sim.add(name, etcdMemberMachine, { members: names, ...(plant ? { plant } : {}) });
  const clients = clientNames().map((name) => sim.add(name, etcdClientMachine, { members: names }));
  const recorder = new EtcdHistoryRecorder(sim);
  const oracle = new CommittedHistoryOracle();
  const raft = new EtcdRaftChecker(sim, () => names);
  const hosts = names.map((name) => sim.host(name));
  applySchedule(sim, scenario.schedule, undefined, (role) => (role === '@leader' ? currentLeader(hosts) ?? names[0] : role));
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
    if (raft.check().length > 0) break; // the first safety violation is the interesting one
    oracle.observe(hosts);
  }
  sim.runUntil(end);

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
      revision: oracle.revision,
      linearizabilityUnknown: linearizable.ok === 'unknown' ? 1 : 0,
    },
  };
}

/** The member that leads the highest term right now, if any. */
function currentLeader(hosts: readonly ComponentHost[]): string | undefined {
  let best: { address: string; term: number } | undefined;
  for (const host of hosts) {
    const snapshot = host.snapshot();
    if (!snapshot) continue;
    const status = memberStatus(snapshot);
    if (status?.role === 'leader' && (!best || status.term > best.term)) best = { address: host.address, term: status.term };
  }
  return best?.address;
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
    const faults = scenario.schedule.map((f) => `  ${f.at}ms ${f.kind} ${JSON.stringify({ ...f, at: undefined, kind: undefined })}`);
    const ops = scenario.workload.ops.map((op) => `  ${op.at}ms client-${op.client} ${JSON.stringify(op.request)}`);
    return [
      `seed ${scenario.seed}, ${scenario.members} members, ${scenario.durationMs} ms + ${scenario.quietMs} ms quiet`,
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
    if (!s.workload || !Array.isArray(s.workload.ops) || !Array.isArray(s.workload.watches)) {
      throw new Error('scenario.workload must have ops and watches lists');
    }
    return s as EtcdScenario;
  },
};
