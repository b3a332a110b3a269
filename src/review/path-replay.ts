import { createActor, type AnyActorRef, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import type { HostedInput } from '../host/contract.ts';
import { VirtualClock } from '../sim/clock.ts';
import { delayOf, isAfterEventType, type AnyStateNode, type AnyTransition } from './chart-walk.ts';

/** A path through the chart: the events to send from the initial state and the state expected after each. */
export interface ReplayPlan {
  events: EventObject[];
  /** Serialized snapshot expected initially, then after each event (one more entry than `events`). */
  expected: string[];
}

export interface ReplayOptions {
  makeInput: (now: () => number) => HostedInput;
  serialize: (snapshot: AnyMachineSnapshot) => string;
  invariants: Record<string, (snapshot: AnyMachineSnapshot) => string | null>;
  /** Whether `reviewEvents` gave payloads for the event type (else it is sent as a bare `{ type }`). */
  hasSample: (eventType: string) => boolean;
}

export interface ReplayOutcome {
  reachedNodes: Set<AnyStateNode>;
  takenTransitions: Set<AnyTransition>;
  /** The machine did not do what its chart says, broke an invariant, or threw. */
  failures: string[];
  /** The chart allows the path but time does not: another timer always fires first. */
  unrealizable: string[];
  /** The machine failed on an event sent as a bare `{ type }`: it needs a `reviewEvents` payload. */
  needsSamples: string[];
}

/**
 * Replays a plan on a real actor driven by a VirtualClock. Events are sent; `xstate.after.*` steps are
 * taken by advancing the clock timer by timer up to the step's delay, so the transition fires from the
 * actor's own timer exactly as in a simulation. Every transition the actor takes is recorded (from the
 * `@xstate.microstep` inspection events), so coverage counts what ran, not what the chart predicted.
 */
export function replayPlan(machine: AnyStateMachine, plan: ReplayPlan, options: ReplayOptions): ReplayOutcome {
  const outcome: ReplayOutcome = {
    reachedNodes: new Set(),
    takenTransitions: new Set(),
    failures: [],
    unrealizable: [],
    needsSamples: [],
  };
  const clock = new VirtualClock();
  const processed: string[] = [];
  let self: AnyActorRef | undefined;
  const actor = createActor(machine, {
    clock,
    input: options.makeInput(() => clock.now()),
    inspect: (inspection) => {
      if (inspection.actorRef !== self) return;
      if (inspection.type === '@xstate.event') processed.push(inspection.event.type);
      if (inspection.type === '@xstate.microstep') {
        for (const transition of (inspection as { _transitions?: AnyTransition[] })._transitions ?? []) {
          outcome.takenTransitions.add(transition);
        }
      }
    },
  });
  self = actor;
  // Subscribing to errors keeps XState from rethrowing them asynchronously; they are checked per step.
  actor.subscribe({ error: () => {} });
  const label = (index: number): string =>
    ['(start)', ...plan.events.slice(0, index).map((event) => event.type)].join(' → ');
  try {
    actor.start();
    if (!checkStep(actor.getSnapshot(), plan.expected[0], label(0), undefined, options, outcome)) return outcome;
    for (const [index, event] of plan.events.entries()) {
      if (isAfterEventType(event.type)) {
        const before = plan.expected[index];
        const unchanged = (): boolean => options.serialize(actor.getSnapshot()) === before;
        const problem = fireTimer(actor.getSnapshot(), event.type, plan.events[index - 1], clock, processed, unchanged);
        if (problem) {
          outcome.unrealizable.push(`${label(index + 1)}: ${problem}`);
          return outcome;
        }
      } else {
        actor.send(event);
      }
      const step = plan.expected[index + 1];
      if (!checkStep(actor.getSnapshot(), step, label(index + 1), event, options, outcome)) return outcome;
    }
  } finally {
    actor.stop();
  }
  return outcome;
}

function checkStep(
  snapshot: AnyMachineSnapshot,
  expected: string,
  path: string,
  event: EventObject | undefined,
  options: ReplayOptions,
  outcome: ReplayOutcome,
): boolean {
  if (snapshot.status === 'error') {
    const message = `${path}: the machine failed: ${(snapshot.error as Error)?.message ?? String(snapshot.error)}`;
    const bare = event !== undefined && !isAfterEventType(event.type) && !options.hasSample(event.type);
    (bare ? outcome.needsSamples : outcome.failures).push(message);
    return false;
  }
  for (const node of snapshot._nodes) outcome.reachedNodes.add(node);
  for (const [state, invariant] of Object.entries(options.invariants)) {
    if (state !== '*' && !snapshot.matches(state)) continue;
    const violation = invariant(snapshot);
    if (violation !== null) outcome.failures.push(`${path}: invariant of ${state} violated: ${violation}`);
  }
  const actual = options.serialize(snapshot);
  if (actual !== expected) {
    outcome.failures.push(`${path}: the chart leads to ${expected} but the machine is in ${actual}`);
    return false;
  }
  return true;
}

/**
 * Advances the clock, one timer at a time, until the actor has processed the delayed event `type`. The
 * timer was armed when its state was entered, at or before now, so it is due within the delay from now.
 * Other timers may fire first as long as they leave the state as it was (a periodic tick in another
 * region); one that changes it makes the path unrealizable. Returns why the timer could not fire, if so.
 */
function fireTimer(
  snapshot: AnyMachineSnapshot,
  type: string,
  previousEvent: EventObject | undefined,
  clock: VirtualClock,
  processed: string[],
  unchanged: () => boolean,
): string | null {
  const delayMs = resolveDelayMs(snapshot, type, previousEvent);
  if (delayMs === undefined) return `no active state has the timer ${type}`;
  const deadline = clock.now() + delayMs;
  let seen = processed.length;
  for (let next = clock.nextDeadline(); next !== undefined && next <= deadline; next = clock.nextDeadline()) {
    clock.step();
    const fired = processed.slice(seen);
    if (fired.includes(type)) return null;
    if (fired.length > 0 && !unchanged()) return `${fired[0]} fires before ${type} and changes the state`;
    seen = processed.length;
  }
  return `${type} did not fire within its ${delayMs} ms`;
}

function resolveDelayMs(snapshot: AnyMachineSnapshot, type: string, event: EventObject | undefined): number | undefined {
  const transition = snapshot._nodes.flatMap((node) => node.after).find((candidate) => candidate.eventType === type);
  if (!transition) return undefined;
  const delay = delayOf(transition);
  if (typeof delay === 'number') return delay;
  const implementation = (snapshot.machine.implementations.delays as Record<string, unknown>)[String(delay)];
  if (typeof implementation === 'number') return implementation;
  if (typeof implementation === 'function') {
    const ms = (implementation as (args: { context: unknown; event: unknown }) => unknown)({
      context: snapshot.context,
      event: event ?? { type: 'xstate.init' },
    });
    // An unresolvable delay still lets the timer fire; the clock is only stepped, never jumped past it.
    return typeof ms === 'number' && Number.isFinite(ms) ? ms : Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}
