import fc from 'fast-check';
import type { Fault, FaultSchedule } from './schedule.ts';
import { sortSchedule } from './schedule.ts';

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
}

export type EpisodeKind = 'crash' | 'partition' | 'degrade';

/**
 * An episode is a fault together with its end (crash → restart, partition → heal, burst → restore), so a
 * shrunk schedule never leaves a component down or a link cut by accident.
 */
type Episode =
  | { kind: 'crash'; at: number; target: string; downtimeMs: number; loseUnsynced: boolean }
  | { kind: 'partition'; at: number; sides: number[]; durationMs: number; oneWay: boolean }
  | {
      kind: 'degrade'; at: number; from: string; to: string; durationMs: number;
      drop: number; duplicate: number; extraLatencyMs: number; reorder: boolean;
    };

export function faultScheduleArb(space: FaultSpace): fc.Arbitrary<FaultSchedule> {
  const kinds = space.kinds ?? ['crash', 'partition', 'degrade'];
  const at = fc.integer({ min: 0, max: Math.max(0, space.horizonMs - 1) });
  const episodes: fc.WeightedArbitrary<Episode>[] = [];
  const weight = (kind: EpisodeKind) => space.weights?.[kind] ?? 1;
  if (kinds.includes('crash') && space.crashable.length > 0) {
    episodes.push({
      weight: weight('crash'),
      arbitrary: fc.record({
        kind: fc.constant('crash' as const),
        at,
        target: fc.constantFrom(...space.crashable),
        downtimeMs: fc.integer({ min: space.minDowntimeMs ?? 1, max: space.maxDowntimeMs ?? 5_000 }),
        loseUnsynced: fc.boolean(),
      }),
    });
  }
  if (kinds.includes('partition') && space.partitionable.length > 1) {
    // Each address lands on side A (0), side B (1) or neither (2): partial partitions, where some nodes
    // still reach both sides, are what expose most consensus bugs (Jepsen's "bridge" and "majorities ring").
    const n = space.partitionable.length;
    const sides = fc
      .array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n })
      .filter((assigned) => assigned.includes(0) && assigned.includes(1));
    episodes.push({
      weight: weight('partition'),
      arbitrary: fc.record({
        kind: fc.constant('partition' as const),
        at,
        sides,
        durationMs: fc.integer({ min: 1, max: space.maxPartitionMs ?? 5_000 }),
        oneWay: fc.boolean(),
      }),
    });
  }
  if (kinds.includes('degrade')) {
    const endpoint = fc.constantFrom('*', ...space.partitionable);
    episodes.push({
      weight: weight('degrade'),
      arbitrary: fc.record({
        kind: fc.constant('degrade' as const),
        at,
        from: endpoint,
        to: endpoint,
        durationMs: fc.integer({ min: 1, max: space.maxPartitionMs ?? 5_000 }),
        drop: fc.double({ min: 0, max: 0.5, noNaN: true }),
        duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
        extraLatencyMs: fc.integer({ min: 0, max: 200 }),
        reorder: fc.boolean(),
      }),
    });
  }
  if (episodes.length === 0) return fc.constant([]);
  return fc
    .array(fc.oneof(...episodes), { maxLength: space.maxEpisodes ?? 6, size: space.size ?? 'small' })
    .map((list) => sortSchedule(list.flatMap((episode, index) => expand(episode, index, space))));
}

function expand(episode: Episode, index: number, space: FaultSpace): Fault[] {
  switch (episode.kind) {
    case 'crash': {
      // A role is tagged with its episode so that its restart resolves to the component this crash hit.
      const target = episode.target.startsWith('@') ? `${episode.target}#${index}` : episode.target;
      return [
        { at: episode.at, kind: 'crash', target, loseUnsynced: episode.loseUnsynced },
        { at: episode.at + episode.downtimeMs, kind: 'restart', target },
      ];
    }
    case 'partition': {
      const id = `p${index}`;
      const from = space.partitionable.filter((_, i) => episode.sides[i] === 0);
      const to = space.partitionable.filter((_, i) => episode.sides[i] === 1);
      return [
        { at: episode.at, kind: 'partition', id, from, to, oneWay: episode.oneWay },
        { at: episode.at + episode.durationMs, kind: 'heal', id },
      ];
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
            latency: { kind: 'uniform', minMs: 1, maxMs: 3 + episode.extraLatencyMs },
          },
        },
      ];
  }
}
