import fc from 'fast-check';
import type { Fault, FaultSchedule } from './schedule.ts';
import { sortSchedule } from './schedule.ts';
import { OBSERVED } from './apply.ts';

/** What a generated schedule may touch, and when. */
export interface FaultSpace {
  /**
   * Addresses that may crash and restart. An entry may also name a role (`@leader`) that the run resolves
   * when the fault fires (see `applySchedule`'s `resolve`).
   */
  crashable: readonly string[];
  /** Addresses or hosts that may be cut off from each other. */
  partitionable: readonly string[];
  /** Faults start in [0, horizonMs); every crash is followed by a restart and every partition by a heal. */
  horizonMs: number;
  maxEpisodes?: number;
  /** Fewest episodes (default 0); shrinking stops there. */
  minEpisodes?: number;
  maxDowntimeMs?: number;
  maxPartitionMs?: number;
  /** Which episode kinds to generate (default: all). */
  kinds?: readonly EpisodeKind[];
  /** Relative frequency of each kind (default 1 each). */
  weights?: Partial<Record<EpisodeKind, number>>;
  /** Shortest crash downtime (default 1 ms). */
  minDowntimeMs?: number;
  /** fast-check size of the episode list: 'max' spreads lengths up to maxEpisodes (default 'small'). */
  size?: fc.SizeForArbitrary;
  /**
   * Observations that may fire a crash or a partition instead of a clock time (e.g. `obs.raft.voteGranted`,
   * `obs.raft.leader`): the episode's `at` arms it, the first such observation after that fires it
   * `delayMs` later, and a crash may then target `@observed`, the component that made the observation.
   * Without triggers no episode is triggered (and generation is as before).
   */
  triggers?: readonly string[];
  /** Longest delay between a trigger's observation and its fault (default 50 ms; two thirds of the draws are ≤ 5 ms). */
  maxTriggerDelayMs?: number;
  /**
   * Leadership churn (kind `churn`): a failover and the elections after it, hit at their most fragile
   * instants. The leader is crashed or isolated; then, for each of the next 1–3 elections, the first member
   * to grant a vote (`churn.vote`) may lose power the instant it has voted, and the winner (`churn.leader`)
   * may be crashed or isolated the instant it wins (or a few ms later). An isolation cuts the component,
   * with a minority of `isolate.peers` and any of the other entries, from the rest, so isolated leaders
   * keep taking writes they cannot replicate (logs diverge as in the Raft paper's Figures 7 and 8).
   * Isolations need `isolate`; crashes only otherwise.
   */
  churn?: { leader: string; vote?: string };
  /**
   * Partitions may also isolate `target` (e.g. `@leader`) together with a minority of `peers` from the
   * other peers (Jepsen's partition of the primaries); the other partitionable entries (clients) land on
   * either side or neither. Half the partitions are drawn this way when set.
   */
  isolate?: { target: string; peers: readonly string[] };
  /**
   * A degradation may instead delay every message on its links by [0.9, 1.1] × d, d in [500, maxDelayMs]
   * (etcd's functional tester delays peer traffic 5 s ± 10 %): the messages of a deposed leader then
   * arrive in the next term. Off when unset.
   */
  maxDelayMs?: number;
  /**
   * Peer delays (kind `delay`): every message between one of `targets` (e.g. `@leader`) and the other
   * `peers`, both ways, is delayed by [0.9, 1.1] × d, d in [500, maxDelayMs], for up to `maxPartitionMs`:
   * etcd's functional tester's DELAY_PEER_PORT_TX_RX_LEADER / _ONE_FOLLOWER (5 s ± 10 % there). Traffic
   * with anyone else (clients) is untouched, so a delayed leader keeps serving clients while the others
   * elect a new one, and its delayed messages arrive in the next term.
   */
  delay?: { targets: readonly string[]; peers: readonly string[]; maxDelayMs: number };
  /**
   * The Raft paper's Figure 8 (kind `figure8`), needs `isolate`. The leader is crashed (to force an
   * election); the next leader L1 is isolated, with a minority, the instant it is elected, so the entries
   * of its term stay on a minority; the leader after it, L2, is isolated (with a minority) the instant it
   * is elected, holding entries of its own term at the same indexes; L1's side rejoins the others and
   * elects L1 (or a companion holding its entries) again, which replicates the old-term entries; the
   * instant that leader first advances its commit index (`commit`, an observation the run derives) it is
   * cut off from every member, and L2's side rejoins. A member that committed an entry of a previous
   * term by counting its replicas has it overwritten now: L2's last term is newer than theirs.
   */
  figure8?: { leader: string; commit: string };
  /** Members that may be replaced (kind `replace`), and the names their replacements take, in order. */
  replaceable?: readonly string[];
  replacements?: readonly string[];
}

export type EpisodeKind = 'crash' | 'partition' | 'degrade' | 'churn' | 'delay' | 'replace' | 'figure8';

/** A triggered episode fires on the first observation `on` after its `at`, `delayMs` later. */
interface Trigger {
  on: string;
  delayMs: number;
}

/** A crash, or with `isolate` an isolation (each partitionable entry's side: 0 with it, 1 against, 2 neither). */
interface Hit {
  delayMs: number;
  /** How long the component stays down or cut off. */
  downtimeMs: number;
  loseUnsynced: boolean;
  isolate?: number[];
}

/** One election of a churn: what befalls its first voter and its winner. */
interface ChurnRound {
  voter?: { loseUnsynced: boolean; downtimeMs: number };
  winner?: Hit;
}

/**
 * An episode is a fault together with its end (crash → restart, partition → heal, burst → restore), so a
 * shrunk schedule never leaves a component down or a link cut by accident.
 */
type Episode =
  | { kind: 'crash'; at: number; target: string; downtimeMs: number; loseUnsynced: boolean; trigger?: Trigger }
  | { kind: 'partition'; at: number; sides: number[]; durationMs: number; oneWay: boolean; trigger?: Trigger }
  | {
      kind: 'degrade'; at: number; from: string; to: string; durationMs: number;
      drop: number; duplicate: number; extraLatencyMs: number; reorder: boolean;
      /** A long delay of every message instead of jitter (0: jitter only). */
      delayMs?: number;
    }
  | { kind: 'churn'; at: number; leader: Hit; rounds: ChurnRound[] }
  | { kind: 'delay'; at: number; target: string; delayMs: number; durationMs: number }
  | { kind: 'replace'; at: number; target: string }
  | Figure8Episode;

/**
 * Figure 8 as data (see `FaultSpace.figure8`): `first` and `second` are the isolation sides of L1 and L2
 * (as a churn's hits, around `@observed`); the times are how long the old leader stays down, how long
 * after L2's isolation L1's side rejoins, how long after the final cut L2's side rejoins, and how long
 * the last leader stays cut off.
 */
interface Figure8Episode {
  kind: 'figure8';
  at: number;
  downtimeMs: number;
  first: number[];
  second: number[];
  rejoinMs: number;
  returnMs: number;
  holdMs: number;
}

/** How long a Figure 8 isolation lasts at most when the next step of the episode never comes. */
const FIGURE8_STALL_MS = 6_000;

export function faultScheduleArb(space: FaultSpace): fc.Arbitrary<FaultSchedule> {
  const kinds = space.kinds ?? ['crash', 'partition', 'degrade', 'churn', 'delay', 'replace', 'figure8'];
  const at = fc.integer({ min: 0, max: Math.max(0, space.horizonMs - 1) });
  const episodes: fc.WeightedArbitrary<Episode>[] = [];
  const weight = (kind: EpisodeKind) => space.weights?.[kind] ?? 1;
  const downtimeMs = fc.integer({ min: space.minDowntimeMs ?? 1, max: space.maxDowntimeMs ?? 5_000 });
  // A churn keeps the components it hits away longer (up to 5 s), so the ones left behind hold elections
  // of their own before they return.
  const longDowntimeMs = fc.integer({ min: space.minDowntimeMs ?? 1, max: Math.max(space.maxDowntimeMs ?? 5_000, 5_000) });
  // …and a voter that lost power reboots within 1.5 s, while the election it voted in still matters.
  const shortDowntimeMs = fc.integer({ min: space.minDowntimeMs ?? 1, max: Math.max(space.minDowntimeMs ?? 1, 1_500) });
  const maxDelay = space.maxTriggerDelayMs ?? 50;
  // Windows worth hitting are a few milliseconds wide (a vote not yet followed by a sync, one round
  // trip of replication): a third of the delays are 0 (the next instant), a third within 5 ms.
  const delayMs = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Math.min(5, maxDelay) }), fc.integer({ min: 0, max: maxDelay }));
  const triggers = space.triggers ?? [];
  /** With triggers configured, an episode is triggered about half the time (`undefined`: timed). */
  const withTrigger = <T extends object>(record: fc.Arbitrary<T>) => {
    if (triggers.length === 0) return record;
    const trigger = fc.option(fc.record({ on: fc.constantFrom(...triggers), delayMs }), { nil: undefined, freq: 2 });
    return fc.tuple(record, trigger).map(([r, t]) => (t ? { ...r, trigger: t } : r));
  };
  if (kinds.includes('crash') && space.crashable.length > 0) {
    // With triggers, `@observed` (the component that made the observation) is as likely as all others.
    const target = triggers.length > 0
      ? fc.oneof(fc.constant(OBSERVED), fc.constantFrom(...space.crashable))
      : fc.constantFrom(...space.crashable);
    episodes.push({
      weight: weight('crash'),
      arbitrary: withTrigger(
        fc.record({
          kind: fc.constant('crash' as const),
          at,
          target,
          downtimeMs,
          loseUnsynced: fc.boolean(),
        }),
      ).map(timedUnlessTriggered),
    });
  }
  if (kinds.includes('partition') && space.partitionable.length > 1) {
    // Each address lands on side A (0), side B (1) or neither (2): partial partitions, where some nodes
    // still reach both sides, are what expose most consensus bugs (Jepsen's "bridge" and "majorities ring").
    const n = space.partitionable.length;
    const anySides = fc
      .array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n })
      .filter((assigned) => assigned.includes(0) && assigned.includes(1));
    const sides = space.isolate ? fc.oneof(anySides, isolationSides(space.partitionable, space.isolate)) : anySides;
    episodes.push({
      weight: weight('partition'),
      arbitrary: withTrigger(
        fc.record({
          kind: fc.constant('partition' as const),
          at,
          sides,
          durationMs: fc.integer({ min: 1, max: space.maxPartitionMs ?? 5_000 }),
          oneWay: fc.boolean(),
        }),
      ),
    });
  }
  if (kinds.includes('degrade')) {
    const endpoint = fc.constantFrom('*', ...space.partitionable);
    const degrade = fc.record({
      kind: fc.constant('degrade' as const),
      at,
      from: endpoint,
      to: endpoint,
      durationMs: fc.integer({ min: 1, max: space.maxPartitionMs ?? 5_000 }),
      drop: fc.double({ min: 0, max: 0.5, noNaN: true }),
      duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
      extraLatencyMs: fc.integer({ min: 0, max: 200 }),
      reorder: fc.boolean(),
    });
    const maxDelayMs = space.maxDelayMs;
    episodes.push({
      weight: weight('degrade'),
      arbitrary: maxDelayMs === undefined
        ? degrade
        : fc.tuple(degrade, fc.option(fc.integer({ min: 500, max: Math.max(500, maxDelayMs) }), { nil: undefined, freq: 2 }))
          .map(([episode, delay]) => (delay ? { ...episode, delayMs: delay } : episode)),
    });
  }
  if (kinds.includes('churn') && space.churn) {
    // Isolation sides are drawn around `@observed`, which the run resolves to the component itself.
    const isolate = space.isolate
      ? fc.option(isolationSides([OBSERVED, ...space.partitionable], { target: OBSERVED, peers: [space.isolate.target, ...space.isolate.peers] }), { nil: undefined, freq: 2 })
      : fc.constant(undefined);
    // The instant after the observation half the time: nothing else has happened yet.
    const hitDelay = fc.oneof(fc.constant(0), delayMs);
    const hit = fc
      .record({ delayMs: hitDelay, downtimeMs: longDowntimeMs, loseUnsynced: fc.boolean(), isolate })
      .map(({ isolate: sides, ...rest }) => (sides ? { ...rest, isolate: sides } : rest));
    const voter = space.churn.vote
      ? fc.option(fc.record({ loseUnsynced: fc.boolean(), downtimeMs: shortDowntimeMs }), { nil: undefined, freq: 2 })
      : fc.constant(undefined);
    const round = fc
      .record({ voter, winner: fc.option(hit, { nil: undefined, freq: 2 }) })
      .map(({ voter: v, winner: w }) => ({ ...(v ? { voter: v } : {}), ...(w ? { winner: w } : {}) }));
    episodes.push({
      weight: weight('churn'),
      arbitrary: fc.record({
        kind: fc.constant('churn' as const),
        at,
        leader: hit,
        rounds: fc.array(round, { minLength: 1, maxLength: 3 }),
      }),
    });
  }
  if (kinds.includes('delay') && space.delay && space.delay.targets.length > 0) {
    episodes.push({
      weight: weight('delay'),
      arbitrary: fc.record({
        kind: fc.constant('delay' as const),
        at,
        target: fc.constantFrom(...space.delay.targets),
        delayMs: fc.integer({ min: 500, max: Math.max(500, space.delay.maxDelayMs) }),
        durationMs: fc.integer({ min: 1, max: space.maxPartitionMs ?? 5_000 }),
      }),
    });
  }
  if (kinds.includes('figure8') && space.figure8 && space.isolate) {
    const around = [OBSERVED, ...space.partitionable];
    const sides = isolationSides(around, { target: OBSERVED, peers: [space.isolate.target, ...space.isolate.peers] });
    // Both isolated sides together must hold at least half of the group, or the members left over elect
    // a leader of their own and commit over L1's entries legitimately (L1, L2 and one more in a group of 5).
    const group = 1 + space.isolate.peers.length;
    const companions = (assigned: number[]) => assigned.filter((side, i) => side === 0 && space.isolate!.peers.includes(around[i])).length;
    episodes.push({
      weight: weight('figure8'),
      arbitrary: fc
        .record({
          kind: fc.constant('figure8' as const),
          // Four elections follow: start in the first half of the horizon so the chain ends within it.
          at: fc.integer({ min: 0, max: Math.max(0, Math.floor(space.horizonMs / 2)) }),
          downtimeMs: fc.integer({ min: space.minDowntimeMs ?? 1, max: 1_500 }),
          first: sides,
          second: sides,
          rejoinMs: fc.integer({ min: 0, max: 1_500 }),
          returnMs: fc.integer({ min: 0, max: 1_000 }),
          holdMs: fc.integer({ min: 3_000, max: 6_000 }),
        })
        .filter((e) => 2 + companions(e.first) + companions(e.second) >= Math.ceil(group / 2)),
    });
  }
  if (kinds.includes('replace') && (space.replaceable?.length ?? 0) > 0 && (space.replacements?.length ?? 0) > 0) {
    episodes.push({
      weight: weight('replace'),
      arbitrary: fc.record({ kind: fc.constant('replace' as const), at, target: fc.constantFrom(...space.replaceable!) }),
    });
  }
  if (episodes.length === 0) return fc.constant([]);
  return fc
    .array(fc.oneof(...episodes), { minLength: space.minEpisodes ?? 0, maxLength: space.maxEpisodes ?? 6, size: space.size ?? 'small' })
    .map((list) => {
      let replaced = 0;
      return sortSchedule(
        list.flatMap((episode, index) => {
          // Each replace takes the next free replacement name; when none is left it is dropped.
          if (episode.kind !== 'replace') return expand(episode, index, space);
          const replacement = space.replacements![replaced++];
          return replacement === undefined ? [] : [{ at: episode.at, kind: 'replace' as const, target: episode.target, replacement }];
        }),
      );
    });
}

/**
 * Sides (0, 1, or 2 for neither) isolating `target` with fewer than half of `peers` on side 0, the other
 * peers on side 1; entries that are neither land anywhere.
 */
function isolationSides(partitionable: readonly string[], isolate: { target: string; peers: readonly string[] }): fc.Arbitrary<number[]> {
  const group = [isolate.target, ...isolate.peers].filter((e) => partitionable.includes(e));
  const minority = Math.ceil(group.length / 2) - 2; // companions: with the target, still fewer than half
  const others = partitionable.filter((e) => !group.includes(e));
  return fc
    .record({
      companions: fc.subarray([...isolate.peers], { maxLength: minority }),
      others: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: others.length, maxLength: others.length }),
    })
    .map(({ companions, others: placed }) =>
      partitionable.map((e) => {
        if (e === isolate.target || companions.includes(e)) return 0;
        if (isolate.peers.includes(e)) return 1;
        return placed[others.indexOf(e)];
      }),
    );
}

/** A hit's faults on `target`, times relative to its observation (or start). */
function hitFaults(hit: Hit, target: string, id: string, space: FaultSpace): Fault[] {
  if (!hit.isolate) {
    return [
      { at: hit.delayMs, kind: 'crash', target, loseUnsynced: hit.loseUnsynced },
      { at: hit.delayMs + hit.downtimeMs, kind: 'restart', target },
    ];
  }
  const entries = [OBSERVED, ...space.partitionable];
  const side = (k: number) => entries.filter((_, i) => hit.isolate![i] === k).map((e) => (e === OBSERVED ? target : e));
  return [
    { at: hit.delayMs, kind: 'partition', id, from: side(0), to: side(1), oneWay: false },
    { at: hit.delayMs + hit.downtimeMs, kind: 'heal', id },
  ];
}

/** A crash of `@observed` only makes sense when a trigger fires it: a timed one targets `@leader`. */
function timedUnlessTriggered<E extends { target: string; trigger?: Trigger }>(episode: E): E {
  return episode.target === OBSERVED && !episode.trigger ? { ...episode, target: '@leader' } : episode;
}

/**
 * A triggered episode's faults, wrapped in a trigger armed at its `at`. The trigger stays armed until the
 * horizon, so a fault never fires during the run's quiet end.
 */
function triggered(trigger: Trigger | undefined, at: number, id: string, faults: Fault[], space: FaultSpace): Fault[] {
  if (!trigger) return faults.map((f) => ({ ...f, at: at + f.at }));
  const windowMs = Math.max(1, space.horizonMs - at);
  return [{ at, kind: 'trigger', id, on: trigger.on, windowMs, faults: faults.map((f) => ({ ...f, at: trigger.delayMs + f.at })) }];
}

function expand(episode: Exclude<Episode, { kind: 'replace' }>, index: number, space: FaultSpace): Fault[] {
  switch (episode.kind) {
    case 'crash': {
      // A role is tagged with its episode so that its restart resolves to the component this crash hit.
      const target = episode.target.startsWith('@') && episode.target !== OBSERVED ? `${episode.target}#${index}` : episode.target;
      return triggered(episode.trigger, episode.at, `t${index}`, [
        { at: 0, kind: 'crash', target, loseUnsynced: episode.loseUnsynced },
        { at: episode.downtimeMs, kind: 'restart', target },
      ], space);
    }
    case 'partition': {
      const id = `p${index}`;
      const from = space.partitionable.filter((_, i) => episode.sides[i] === 0);
      const to = space.partitionable.filter((_, i) => episode.sides[i] === 1);
      return triggered(episode.trigger, episode.at, `t${index}`, [
        { at: 0, kind: 'partition', id, from, to, oneWay: episode.oneWay },
        { at: episode.durationMs, kind: 'heal', id },
      ], space);
    }
    case 'churn': {
      // The leader is hit at `at`; each round is a pair of triggers armed together, when the previous
      // round's winner was elected (the first round: with the leader's hit): the next vote granted and the
      // next leader elected. Triggers stay armed until the horizon.
      const churn = space.churn!;
      const arm = (k: number, start: number): Fault[] => {
        if (k >= episode.rounds.length) return [];
        const { voter, winner } = episode.rounds[k];
        const windowMs = Math.max(1, space.horizonMs - start);
        const id = `c${index}.${k + 1}`;
        const voterTrigger: Fault[] = voter && churn.vote
          ? [{
              at: 0, kind: 'trigger', id: `${id}v`, on: churn.vote, windowMs,
              faults: [
                { at: 0, kind: 'crash', target: OBSERVED, loseUnsynced: voter.loseUnsynced },
                { at: voter.downtimeMs, kind: 'restart', target: OBSERVED },
              ],
            }]
          : [];
        const faults = [...(winner ? hitFaults(winner, OBSERVED, id, space) : []), ...arm(k + 1, start)];
        return faults.length === 0 ? voterTrigger : [...voterTrigger, { at: 0, kind: 'trigger', id, on: churn.leader, windowMs, faults }];
      };
      return [
        ...hitFaults(episode.leader, `@leader#${index}`, `c${index}.0`, space).map((f) => ({ ...f, at: episode.at + f.at })),
        ...arm(0, episode.at).map((f) => ({ ...f, at: episode.at })),
      ];
    }
    case 'figure8':
      return figure8Faults(episode, index, space);
    case 'delay': {
      const link = {
        latency: { kind: 'uniform' as const, minMs: Math.round(episode.delayMs * 0.9), maxMs: Math.round(episode.delayMs * 1.1) },
      };
      const peers = space.delay!.peers.filter((peer) => peer !== episode.target);
      return peers.flatMap((peer, k): Fault[] => [
        { at: episode.at, kind: 'degrade', id: `d${index}.${k}>`, from: episode.target, to: peer, link, durationMs: episode.durationMs },
        { at: episode.at, kind: 'degrade', id: `d${index}.${k}<`, from: peer, to: episode.target, link, durationMs: episode.durationMs },
      ]);
    }
    case 'degrade':
      return [
        {
          at: episode.at,
          kind: 'degrade',
          id: `d${index}`,
          from: episode.from,
          to: episode.to,
          durationMs: episode.durationMs,
          link: {
            drop: episode.drop,
            duplicate: episode.duplicate,
            reorder: episode.reorder,
            latency: episode.delayMs
              ? { kind: 'uniform', minMs: Math.round(episode.delayMs * 0.9), maxMs: Math.round(episode.delayMs * 1.1) }
              : { kind: 'uniform', minMs: 1, maxMs: 3 + episode.extraLatencyMs },
          },
        },
      ];
  }
}

/** Whether a schedule holds a Figure 8 episode (its triggers are named `f8-…`). */
export function hasFigure8(schedule: FaultSchedule): boolean {
  return schedule.some((f) => f.kind === 'trigger' && (f.id.startsWith('f8-') || hasFigure8(f.faults)));
}

/**
 * The Figure 8 episode as a chain of triggers (ids `f8-<episode>.<step>`): each isolation is healed by
 * the next step, or after FIGURE8_STALL_MS when that step never comes.
 */
function figure8Faults(episode: Figure8Episode, index: number, space: FaultSpace): Fault[] {
  const { leader, commit } = space.figure8!;
  const id = (step: number) => `f8-${index}.${step}`;
  const isolation = (sides: number[], step: number): Fault[] => [
    ...hitFaults({ delayMs: 0, downtimeMs: FIGURE8_STALL_MS, loseUnsynced: false, isolate: sides }, OBSERVED, id(step), space),
  ];
  const windowMs = Math.max(1, space.horizonMs - episode.at);
  // The last leader: cut from every member (clients still reach it), the instant it first commits.
  const everyone = [space.isolate!.target, ...space.isolate!.peers];
  const cut: Fault[] = [
    { at: 0, kind: 'partition', id: id(3), from: [OBSERVED], to: everyone, oneWay: false },
    { at: episode.returnMs, kind: 'heal', id: id(2) },
    { at: episode.holdMs, kind: 'heal', id: id(3) },
  ];
  const second: Fault[] = [
    ...isolation(episode.second, 2),
    { at: episode.rejoinMs, kind: 'heal', id: id(1) },
    { at: 0, kind: 'trigger', id: `${id(3)}t`, on: commit, windowMs: FIGURE8_STALL_MS, faults: cut },
  ];
  const first: Fault[] = [
    ...isolation(episode.first, 1),
    { at: 0, kind: 'trigger', id: `${id(2)}t`, on: leader, windowMs: FIGURE8_STALL_MS, faults: second },
  ];
  const provoke = `@leader#${index}`;
  return [
    { at: episode.at, kind: 'crash', target: provoke, loseUnsynced: false },
    { at: episode.at + episode.downtimeMs, kind: 'restart', target: provoke },
    { at: episode.at, kind: 'trigger', id: `${id(1)}t`, on: leader, windowMs, faults: first },
  ];
}
