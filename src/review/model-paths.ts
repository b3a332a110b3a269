import { createActor, type AnyStateMachine } from 'xstate';
import { VirtualClock } from '../sim/clock.ts';
import { allStateNodes, allTransitions, describeTransition, statePath, type AnyStateNode } from './chart-walk.ts';
import type { RegisteredMachine } from './machine-registry.ts';
import { exploreChart } from './chart-exploration.ts';
import { replayPlan, type ReplayOptions } from './path-replay.ts';
import { exploreByReplay } from './replay-exploration.ts';
import { reviewInputsOf, type NamedInput, type ReviewModule } from './review-module.ts';

export interface CoverageCount {
  reached: number;
  total: number;
  unreached: string[];
}

export interface MachineCoverage {
  component: string;
  exportName: string;
  machineId: string;
  /** The sample inputs the machine ran with (`default`, then the names of `reviewInputs`). */
  inputs: string[];
  states: CoverageCount;
  transitions: CoverageCount;
  /** Unreached states and transitions that `reviewUnreachable` explains, with the explanation. */
  explained: Array<{ item: string; why: string }>;
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
 * Model-based coverage of one machine in isolation, for each of its sample inputs: explores its chart
 * (with @xstate/graph, or by replay for machines with a mutable context; states told apart by
 * `reviewSerializeState`, by default the state value), turns every explored transition into a path (the
 * shortest path to its source, then its event), replays each path on a real actor with a VirtualClock,
 * and counts the state nodes and transitions the actor actually reached and took, over all inputs.
 */
export function computeCoverage(target: RegisteredMachine | AnyStateMachine, reviewOverride: ReviewModule = {}): MachineCoverage {
  const entry = 'machine' in target && 'component' in target ? target : undefined;
  const machine = entry ? entry.machine : (target as AnyStateMachine);
  const component = entry?.component ?? machine.id;
  const review: ReviewModule = { ...entry?.review, ...reviewOverride };
  const inputs = reviewInputsOf(review, component);
  const coverage: MachineCoverage = {
    component,
    exportName: entry?.exportName ?? machine.id,
    machineId: machine.id,
    inputs: inputs.map((input) => input.name),
    states: emptyCount(allStateNodes(machine).map(statePath)),
    transitions: emptyCount(allTransitions(machine).map(describeTransition)),
    explained: [],
    pathsReplayed: 0,
    failures: invariantKeyProblems(machine, review),
    unrealizable: [],
    needsSamples: [],
  };
  const reachedNodes = new Set<AnyStateNode>();
  const taken = new Set<unknown>();
  const startProblems: string[] = [];
  // Messages name the input only when there are several, so single-input reports read as before.
  const tag = (input: NamedInput) => (inputs.length > 1 ? (message: string) => `[${input.name}] ${message}` : (message: string) => message);
  for (const input of inputs) {
    const label = tag(input);
    const options: ReplayOptions = {
      makeInput: input.make,
      serialize: review.reviewSerializeState ?? ((snapshot) => JSON.stringify(snapshot.value)),
      invariants: review.reviewInvariants ?? {},
      hasSample: (eventType) => review.reviewEvents?.[eventType] !== undefined,
    };
    const problem = startProblem(machine, options);
    if (problem) {
      const why = review.reviewInput || review.reviewInputs
        ? `cannot start with its ${input.name === 'default' ? 'reviewInput' : `reviewInputs.${input.name}`}: ${problem}`
        : `cannot start with the default input (add reviewInput to a ${entry?.name ?? machine.id}.review.ts): ${problem}`;
      startProblems.push(label(why));
      continue;
    }
    const exploration = review.reviewExploration === 'replay'
      ? exploreByReplay(machine, review, options)
      : { ...exploreChart(machine, review, options), unrealizable: [] };
    coverage.failures.push(...exploration.failures.map(label));
    coverage.needsSamples.push(...exploration.needsSamples.map(label));
    coverage.unrealizable.push(...exploration.unrealizable.map(label));
    for (const plan of exploration.plans) {
      const outcome = replayPlan(machine, plan, options);
      outcome.reachedNodes.forEach((node) => reachedNodes.add(node));
      outcome.takenTransitions.forEach((transition) => taken.add(transition));
      coverage.failures.push(...outcome.failures.map(label));
      coverage.unrealizable.push(...outcome.unrealizable.map(label));
      coverage.needsSamples.push(...outcome.needsSamples.map(label));
    }
    coverage.pathsReplayed += exploration.plans.length;
  }
  // A machine none of whose inputs starts has nothing to count; one input that cannot start is a failure.
  if (startProblems.length === inputs.length) {
    coverage.startError = startProblems.join('; ');
    return coverage;
  }
  coverage.failures.push(...startProblems);
  coverage.states = count(allStateNodes(machine), (node) => reachedNodes.has(node), statePath);
  coverage.transitions = count(allTransitions(machine), (transition) => taken.has(transition), describeTransition);
  explainGaps(coverage, machine, review.reviewUnreachable ?? {});
  coverage.failures = [...new Set(coverage.failures)];
  coverage.unrealizable = [...new Set(coverage.unrealizable)];
  coverage.needsSamples = [...new Set(coverage.needsSamples)];
  return coverage;
}

/** The unreached states and transitions no `reviewUnreachable` entry explains. */
export function unexplainedGaps(coverage: MachineCoverage): string[] {
  const explained = new Set(coverage.explained.map((gap) => gap.item));
  return [...coverage.states.unreached, ...coverage.transitions.unreached].filter((item) => !explained.has(item));
}

/** Pairs gaps with their explanations; an explanation of nothing, or of something reached, is a failure. */
function explainGaps(coverage: MachineCoverage, machine: AnyStateMachine, reasons: Record<string, string>): void {
  const unreached = new Set([...coverage.states.unreached, ...coverage.transitions.unreached]);
  const all = new Set([...allStateNodes(machine).map(statePath), ...allTransitions(machine).map(describeTransition)]);
  for (const [item, why] of Object.entries(reasons)) {
    if (unreached.has(item)) coverage.explained.push({ item, why });
    else if (all.has(item)) coverage.failures.push(`reviewUnreachable explains "${item}", but it was reached`);
    else coverage.failures.push(`reviewUnreachable key "${item}" names no state or transition of ${coverage.machineId}`);
  }
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
