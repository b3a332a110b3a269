import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import { candidateEvents, type ChartExploration } from './chart-exploration.ts';
import { PathRun, pathLabel, stepError, type ReplayOptions, type ReplayPlan } from './path-replay.ts';
import type { ReviewModule } from './review-module.ts';

/** Bounds the breadth-first search; a serializer that tells too much apart would never end. */
export const REPLAY_EXPLORATION_LIMIT = 2_000;

interface Frontier {
  events: EventObject[];
  expected: string[];
}

type PathResult =
  | { kind: 'state'; snapshot: AnyMachineSnapshot; serialized: string }
  | { kind: 'unrealizable' | 'failure' | 'needsSample'; message: string };

/**
 * Explores a machine breadth-first by running it: every candidate event of a state is tried on a fresh
 * actor replaying the shortest known path to that state, and the serialized result is a new state when
 * not seen before. Unlike `exploreChart`, it never reuses a snapshot, so a context that actions mutate in
 * place (shared by every snapshot the pure `transition` returns) cannot leak from one path into another.
 */
export function exploreByReplay(machine: AnyStateMachine, review: ReviewModule, options: ReplayOptions): ChartExploration & { unrealizable: string[] } {
  const result = { plans: [] as ReplayPlan[], failures: [] as string[], needsSamples: [] as string[], unrealizable: [] as string[] };
  const initial = runPath(machine, [], options);
  if (initial.kind !== 'state') {
    result.failures.push(`(start): ${initial.message}`);
    return result;
  }
  const seen = new Set([initial.serialized]);
  const reported = new Set<string>();
  const queue: Frontier[] = [{ events: [], expected: [initial.serialized] }];
  result.plans.push({ events: [], expected: [initial.serialized] });
  while (queue.length > 0) {
    const state = queue.shift()!;
    const at = runPath(machine, state.events, options);
    if (at.kind !== 'state') continue; // reported when this path was first found
    for (const event of candidateEvents(at.snapshot, review)) {
      const events = [...state.events, event];
      const next = runPath(machine, events, options);
      if (next.kind !== 'state') {
        // Breadth-first, so the first path reporting a problem is its shortest: one report per problem.
        if (reported.has(next.message)) continue;
        reported.add(next.message);
        const where = `${pathLabel(events, events.length)}: ${next.message}`;
        (next.kind === 'failure' ? result.failures : next.kind === 'needsSample' ? result.needsSamples : result.unrealizable).push(where);
        continue;
      }
      result.plans.push({ events, expected: [...state.expected, next.serialized] });
      if (seen.has(next.serialized)) continue;
      if (seen.size >= REPLAY_EXPLORATION_LIMIT) {
        result.failures.push(`exploration stopped after ${REPLAY_EXPLORATION_LIMIT} states: reviewSerializeState tells too much apart`);
        return result;
      }
      seen.add(next.serialized);
      queue.push({ events, expected: [...state.expected, next.serialized] });
    }
  }
  return result;
}

function runPath(machine: AnyStateMachine, events: readonly EventObject[], options: ReplayOptions): PathResult {
  const run = new PathRun(machine, options.makeInput);
  const failed = (event: EventObject | undefined): PathResult | null => {
    const error = stepError(run.snapshot(), event, options);
    return error && { kind: error.bare ? 'needsSample' : 'failure', message: error.message };
  };
  try {
    run.start();
    const atStart = failed(undefined);
    if (atStart) return atStart;
    for (const event of events) {
      const problem = run.step(event, options.serialize);
      if (problem) return { kind: 'unrealizable', message: problem };
      const afterStep = failed(event);
      if (afterStep) return afterStep;
    }
    return { kind: 'state', snapshot: run.snapshot(), serialized: options.serialize(run.snapshot()) };
  } catch (error) {
    return { kind: 'failure', message: `threw: ${(error as Error).message}` };
  } finally {
    run.stop();
  }
}
