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
 * One actor driven by a VirtualClock, stepped event by event. Events are sent; `xstate.after.*` steps are
 * taken by advancing the clock timer by timer up to the step's delay, so the transition fires from the
 * actor's own timer exactly as in a simulation. Every transition the actor takes is recorded (from the
 * `@xstate.microstep` inspection events), so coverage counts what ran, not what a chart predicted.
 */
export class PathRun {
  readonly takenTransitions = new Set<AnyTransition>();
  private readonly clock = new VirtualClock();
  private readonly processed: string[] = [];
  private readonly actor: AnyActorRef;
  private previous: EventObject | undefined;

  constructor(machine: AnyStateMachine, makeInput: (now: () => number) => HostedInput) {
    let self: AnyActorRef | undefined;
    this.actor = createActor(machine, {
      clock: this.clock,
      input: makeInput(() => this.clock.now()),
      inspect: (inspection) => {
        if (inspection.actorRef !== self) return;
        if (inspection.type === '@xstate.event') this.processed.push(inspection.event.type);
        if (inspection.type === '@xstate.microstep') {
          for (const transition of (inspection as { _transitions?: AnyTransition[] })._transitions ?? []) {
            this.takenTransitions.add(transition);
          }
        }
      },
    });
    self = this.actor;
    // Subscribing to errors keeps XState from rethrowing them asynchronously; they are checked per step.
    this.actor.subscribe({ error: () => {} });
  }

  start(): void {
    this.actor.start();
  }

  snapshot(): AnyMachineSnapshot {
    return this.actor.getSnapshot() as AnyMachineSnapshot;
  }

  /**
   * Sends `event`, or fires the timer it names. Returns why a timer could not fire (another timer that
   * changes `serialize(state)` always fires first), or null.
   */
  step(event: EventObject, serialize: (snapshot: AnyMachineSnapshot) => string): string | null {
    const previous = this.previous;
    this.previous = event;
    if (!isAfterEventType(event.type)) {
      this.actor.send(event);
      return null;
    }
    const before = serialize(this.snapshot());
    return fireTimer(this.snapshot(), event.type, previous, this.clock, this.processed, () => serialize(this.snapshot()) === before);
  }

  stop(): void {
    this.actor.stop();
  }
}

/** `(start) → a → b`, the label of the first `count` steps of a path in reports. */
export function pathLabel(events: readonly EventObject[], count: number): string {
  return ['(start)', ...events.slice(0, count).map((event) => event.type)].join(' → ');
}

/** A machine that ended in error after a step: the message, and whether a bare event caused it. */
export function stepError(snapshot: AnyMachineSnapshot, event: EventObject | undefined, options: ReplayOptions): { message: string; bare: boolean } | null {
  if (snapshot.status !== 'error') return null;
  const message = `the machine failed: ${(snapshot.error as Error)?.message ?? String(snapshot.error)}`;
  const bare = event !== undefined && !isAfterEventType(event.type) && !options.hasSample(event.type);
  return { message, bare };
}

/** Replays a plan on a real actor, checking the predicted state and the invariants after every step. */
export function replayPlan(machine: AnyStateMachine, plan: ReplayPlan, options: ReplayOptions): ReplayOutcome {
  const run = new PathRun(machine, options.makeInput);
  const outcome: ReplayOutcome = {
    reachedNodes: new Set(),
    takenTransitions: run.takenTransitions,
    failures: [],
    unrealizable: [],
    needsSamples: [],
  };
  try {
    run.start();
    if (!checkStep(run.snapshot(), plan.expected[0], pathLabel(plan.events, 0), undefined, options, outcome)) return outcome;
    for (const [index, event] of plan.events.entries()) {
      const problem = run.step(event, options.serialize);
      if (problem) {
        outcome.unrealizable.push(`${pathLabel(plan.events, index + 1)}: ${problem}`);
        return outcome;
      }
      const step = plan.expected[index + 1];
      if (!checkStep(run.snapshot(), step, pathLabel(plan.events, index + 1), event, options, outcome)) return outcome;
    }
  } finally {
    run.stop();
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
  const error = stepError(snapshot, event, options);
  if (error) {
    (error.bare ? outcome.needsSamples : outcome.failures).push(`${path}: ${error.message}`);
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
