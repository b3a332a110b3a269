import { getAdjacencyMap, getShortestPaths, serializeEvent, type TraversalOptions } from '@xstate/graph';
import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import type { ReplayOptions, ReplayPlan } from './path-replay.ts';
import type { ReviewModule } from './review-module.ts';

/** Bounds the exploration when a custom `reviewSerializeState` makes the state space large. */
const EXPLORATION_LIMIT = 20_000;

export interface ChartExploration {
  /** One plan for the initial state, then one per explored (state, event) pair. */
  plans: ReplayPlan[];
  /** An event with a review payload threw, or the exploration itself failed. */
  failures: string[];
  /** An event tried as a bare `{ type }` threw: it needs a `reviewEvents` payload. */
  needsSamples: string[];
}

/**
 * Explores the chart with @xstate/graph (`getAdjacencyMap` for every (state, event) pair, `getShortestPaths`
 * for the way to each state) and turns each pair into a replay plan: the shortest path to the state, then
 * the event, with the state the chart predicts after every step.
 */
export function exploreChart(machine: AnyStateMachine, review: ReviewModule, options: ReplayOptions): ChartExploration {
  const erroredEdges = new Set<string>();
  const failures: string[] = [];
  const needsSamples: string[] = [];
  const serializeState = (snapshot: AnyMachineSnapshot): string => options.serialize(snapshot);
  // An event that throws while exploring is reported and treated as ignored, so exploration goes on.
  const guardedLogic = Object.create(machine, {
    transition: {
      value: (snapshot: AnyMachineSnapshot, event: EventObject, scope: unknown) => {
        try {
          return machine.transition(snapshot, event, scope as never);
        } catch (error) {
          erroredEdges.add(`${serializeState(snapshot)}|${serializeEvent(event)}`);
          const message = `${event.type} in ${serializeState(snapshot)} throws: ${(error as Error).message}`;
          if (!options.hasSample(event.type)) {
            needsSamples.push(`${message} (tried as a bare { type: "${event.type}" })`);
          } else {
            failures.push(message);
          }
          return snapshot;
        }
      },
    },
  }) as AnyStateMachine;
  const traversal: TraversalOptions<AnyMachineSnapshot, EventObject, unknown> = {
    input: options.makeInput(() => 0),
    serializeState,
    events: (snapshot) => candidateEvents(snapshot, review),
    limit: EXPLORATION_LIMIT,
  };
  let adjacency: ReturnType<typeof getAdjacencyMap<AnyMachineSnapshot, EventObject, unknown>>;
  let shortest: ReturnType<typeof getShortestPaths<AnyStateMachine>>;
  try {
    adjacency = getAdjacencyMap(guardedLogic, traversal);
    shortest = getShortestPaths(guardedLogic, traversal);
  } catch (error) {
    failures.push(`exploring the chart failed: ${(error as Error).message}`);
    return { plans: [], failures, needsSamples };
  }
  const prefixes = new Map(
    shortest.map((path) => [
      serializeState(path.state),
      { events: path.steps.slice(1).map((step) => step.event), expected: path.steps.map((step) => serializeState(step.state)) },
    ]),
  );
  const initial = shortest.find((path) => path.steps.length === 1);
  const plans: ReplayPlan[] = initial ? [{ events: [], expected: [serializeState(initial.state)] }] : [];
  for (const [source, { transitions }] of Object.entries(adjacency)) {
    const prefix = prefixes.get(source);
    if (!prefix) continue;
    const edges = Object.entries(transitions) as Array<[string, { event: EventObject; state: AnyMachineSnapshot }]>;
    for (const [eventKey, { event, state }] of edges) {
      if (erroredEdges.has(`${source}|${eventKey}`)) continue;
      plans.push({ events: [...prefix.events, event], expected: [...prefix.expected, serializeState(state)] });
    }
  }
  return { plans, failures, needsSamples };
}

/**
 * The events worth trying in a snapshot: the exact `on` keys and `after` timers of its active states,
 * with payloads from `reviewEvents`; wildcard keys (`*`, `foo.*`) are tried with the review payloads they
 * match, since no payload can be made up for them.
 */
export function candidateEvents(snapshot: AnyMachineSnapshot, review: ReviewModule): EventObject[] {
  const types = new Set<string>();
  const wildcards: string[] = [];
  for (const node of snapshot._nodes) {
    for (const descriptor of Object.keys((node.config as { on?: object }).on ?? {})) {
      if (descriptor.endsWith('*')) wildcards.push(descriptor.slice(0, -1));
      else types.add(descriptor);
    }
    for (const delayed of node.after) types.add(delayed.eventType);
  }
  for (const type of Object.keys(review.reviewEvents ?? {})) {
    if (wildcards.some((prefix) => type.startsWith(prefix))) types.add(type);
  }
  return [...types].flatMap((type) => {
    const payloads = review.reviewEvents?.[type];
    if (payloads === undefined) return [{ type }];
    return typeof payloads === 'function' ? [...payloads(snapshot)] : [...payloads];
  });
}
