import { createActor, type AnyStateMachine } from 'xstate';
import { VirtualClock } from '../sim/clock.ts';
import { allStateNodes, allTransitions, describeTransition, statePath, type AnyStateNode } from './chart-walk.ts';
import type { RegisteredMachine } from './machine-registry.ts';
import { exploreChart } from './chart-exploration.ts';
import { replayPlan, type ReplayOptions } from './path-replay.ts';
import { resolveReviewInput, type ReviewModule } from './review-module.ts';

export interface CoverageCount {
  reached: number;
  total: number;
  unreached: string[];
}

export interface MachineCoverage {
  component: string;
  exportName: string;
  machineId: string;
  states: CoverageCount;
  transitions: CoverageCount;
  pathsReplayed: number;
  /** The machine disagreed with its chart, broke an invariant, or threw. */
  failures: string[];
  /** Paths the chart allows but its timers never do (another timer always fires first). */
  unrealizable: string[];
  /** Events that threw when tried as a bare `{ type }`: they need a payload in `reviewEvents`. */
  needsSamples: string[];
  /** Why the machine could not even start with its review input (everything else is then empty). */
  startError?: string;
}

/**
 * Model-based coverage of one machine in isolation: explores its chart with @xstate/graph (states told
 * apart by `reviewSerializeState`, by default the state value), turns every explored transition into a
 * path (the shortest path to its source, then its event), replays each path on a real actor with a
 * VirtualClock, and counts the state nodes and transitions the actor actually reached and took.
 */
export function computeCoverage(target: RegisteredMachine | AnyStateMachine, reviewOverride: ReviewModule = {}): MachineCoverage {
  const entry = 'machine' in target && 'component' in target ? target : undefined;
  const machine = entry ? entry.machine : (target as AnyStateMachine);
  const component = entry?.component ?? machine.id;
  const review: ReviewModule = { ...entry?.review, ...reviewOverride };
  const coverage: MachineCoverage = {
    component,
    exportName: entry?.exportName ?? machine.id,
    machineId: machine.id,
    states: emptyCount(allStateNodes(machine).map(statePath)),
    transitions: emptyCount(allTransitions(machine).map(describeTransition)),
    pathsReplayed: 0,
    failures: invariantKeyProblems(machine, review),
    unrealizable: [],
    needsSamples: [],
  };
  const options: ReplayOptions = {
    makeInput: (now) => resolveReviewInput(review, component, now),
    serialize: review.reviewSerializeState ?? ((snapshot) => JSON.stringify(snapshot.value)),
    invariants: review.reviewInvariants ?? {},
    hasSample: (eventType) => review.reviewEvents?.[eventType] !== undefined,
  };
  const problem = startProblem(machine, options);
  if (problem) {
    coverage.startError = review.reviewInput
      ? `cannot start with its reviewInput: ${problem}`
      : `cannot start with the default input (add reviewInput to a ${entry?.name ?? machine.id}.review.ts): ${problem}`;
    return coverage;
  }

  const exploration = exploreChart(machine, review, options);
  coverage.failures.push(...exploration.failures);
  coverage.needsSamples.push(...exploration.needsSamples);
  const plans = exploration.plans;
  const reachedNodes = new Set<AnyStateNode>();
  const taken = new Set<unknown>();
  for (const plan of plans) {
    const outcome = replayPlan(machine, plan, options);
    outcome.reachedNodes.forEach((node) => reachedNodes.add(node));
    outcome.takenTransitions.forEach((transition) => taken.add(transition));
    coverage.failures.push(...outcome.failures);
    coverage.unrealizable.push(...outcome.unrealizable);
    coverage.needsSamples.push(...outcome.needsSamples);
  }
  coverage.pathsReplayed = plans.length;
  coverage.states = count(allStateNodes(machine), (node) => reachedNodes.has(node), statePath);
  coverage.transitions = count(allTransitions(machine), (transition) => taken.has(transition), describeTransition);
  coverage.failures = [...new Set(coverage.failures)];
  coverage.unrealizable = [...new Set(coverage.unrealizable)];
  coverage.needsSamples = [...new Set(coverage.needsSamples)];
  return coverage;
}

/** Starts the machine once on its review input; a machine that cannot start cannot be explored. */
function startProblem(machine: AnyStateMachine, options: ReplayOptions): string | undefined {
  const clock = new VirtualClock();
  let problem: string | undefined;
  try {
    const actor = createActor(machine, { clock, input: options.makeInput(() => clock.now()) });
    actor.subscribe({ error: () => {} });
    actor.start();
    const snapshot = actor.getSnapshot();
    if (snapshot.status === 'error') problem = (snapshot.error as Error)?.message ?? String(snapshot.error);
    actor.stop();
  } catch (error) {
    problem = (error as Error).message;
  }
  return problem;
}

/** A `reviewInvariants` key that names no state would silently never be checked. */
function invariantKeyProblems(machine: AnyStateMachine, review: ReviewModule): string[] {
  const paths = new Set(allStateNodes(machine).map(statePath));
  return Object.keys(review.reviewInvariants ?? {})
    .filter((key) => key !== '*' && !paths.has(key))
    .map((key) => `reviewInvariants key "${key}" names no state of ${machine.id}`);
}

function emptyCount(all: string[]): CoverageCount {
  return { reached: 0, total: all.length, unreached: all };
}

function count<T>(all: T[], reached: (item: T) => boolean, describe: (item: T) => string): CoverageCount {
  const unreached = all.filter((item) => !reached(item));
  return { reached: all.length - unreached.length, total: all.length, unreached: unreached.map(describe) };
}
