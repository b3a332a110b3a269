import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { HostedInput } from '../host/contract.ts';

/** A sample input: an object (its `now` is replaced by the review clock's) or a function of that `now`. */
export type ReviewInput = HostedInput | ((now: () => number) => HostedInput);

/**
 * What a machine's optional sibling `<name>.review.ts` may export so the review tooling can run it in
 * isolation (see docs/machines/README.md). Every export is optional.
 */
export interface ReviewModule {
  /**
   * A sample input. As an object, its `now` is replaced by the review clock's; as a function, it receives
   * that clock's `now` and returns a fresh input (useful when the disk map must not be shared).
   */
  reviewInput?: ReviewInput;
  /**
   * More sample inputs, by name, for behaviour one configuration cannot show (a feature switched off, a
   * member that is only a learner). Coverage is the union over `reviewInput` and every entry here.
   */
  reviewInputs?: Record<string, ReviewInput>;
  /**
   * Payloads to try for an event type, keyed by type (the chart only knows the type). Event types without
   * an entry are tried as a bare `{ type }`.
   */
  reviewEvents?: Record<string, readonly AnyEventObject[] | ((snapshot: AnyMachineSnapshot) => readonly AnyEventObject[])>;
  /**
   * Invariants that must hold whenever the machine is in a state. The key is a state path as accepted by
   * `snapshot.matches` (`'leader'`, `'follower.waiting'`) or `'*'` for every state; the check returns a
   * violation message, or null when the invariant holds.
   */
  reviewInvariants?: Record<string, (snapshot: AnyMachineSnapshot) => string | null>;
  /**
   * How snapshots are told apart while exploring the chart. Defaults to the state value alone (context is
   * ignored, so the exploration stays finite); include the few context fields a guard depends on.
   */
  reviewSerializeState?: (snapshot: AnyMachineSnapshot) => string;
  /**
   * Why a state or transition cannot be reached in isolation, keyed exactly as `kubesim coverage` prints
   * it (`removed`, `follower --after(electionTimeout) [isPromotable]--> candidate`). A gap with an
   * explanation is reported as explained; an explanation for something reached is a failure.
   */
  reviewUnreachable?: Record<string, string>;
  /**
   * How the chart is explored. `chart` (default) asks the machine's pure `transition` function, so the
   * replay also checks the machine against its chart. `replay` runs every candidate path on a fresh actor:
   * for machines whose context is mutated in place (shared by every snapshot `transition` returns).
   */
  reviewExploration?: 'chart' | 'replay';
}

/** The input used when a machine has no `reviewInput`: the component's first address, an empty disk. */
export function defaultHostedInput(component: string, now: () => number): HostedInput {
  return { address: `${component}-0`, incarnation: 0, rng: [1, 2, 3, 4], disk: new Map(), now, config: {} };
}

export function resolveReviewInput(review: ReviewModule, component: string, now: () => number): HostedInput {
  const sample = review.reviewInput;
  if (sample === undefined) return defaultHostedInput(component, now);
  return instantiate(sample, now);
}

/** A named way to build an input on a given clock. */
export interface NamedInput {
  name: string;
  make: (now: () => number) => HostedInput;
}

/**
 * Every input coverage runs with: `reviewInput` (or the default input) as `default`, then each of
 * `reviewInputs`. A module with only `reviewInputs` runs with those alone.
 */
export function reviewInputsOf(review: ReviewModule, component: string): NamedInput[] {
  const named = Object.entries(review.reviewInputs ?? {}).map(([name, sample]) => ({
    name,
    make: (now: () => number) => instantiate(sample, now),
  }));
  if (named.length > 0 && review.reviewInput === undefined) return named;
  return [{ name: 'default', make: (now) => resolveReviewInput(review, component, now) }, ...named];
}

function instantiate(sample: ReviewInput, now: () => number): HostedInput {
  return typeof sample === 'function' ? sample(now) : { ...sample, now };
}

/** Picks the review exports out of an imported `.review.ts` module, ignoring anything else it exports. */
export function toReviewModule(exports: Record<string, unknown>): ReviewModule {
  const review: ReviewModule = {};
  if (exports.reviewInput !== undefined) review.reviewInput = exports.reviewInput as ReviewModule['reviewInput'];
  if (isRecord(exports.reviewInputs)) review.reviewInputs = exports.reviewInputs as ReviewModule['reviewInputs'];
  if (exports.reviewEvents !== undefined) review.reviewEvents = exports.reviewEvents as ReviewModule['reviewEvents'];
  if (exports.reviewInvariants !== undefined) {
    review.reviewInvariants = exports.reviewInvariants as ReviewModule['reviewInvariants'];
  }
  if (typeof exports.reviewSerializeState === 'function') {
    review.reviewSerializeState = exports.reviewSerializeState as ReviewModule['reviewSerializeState'];
  }
  if (isRecord(exports.reviewUnreachable)) {
    review.reviewUnreachable = exports.reviewUnreachable as ReviewModule['reviewUnreachable'];
  }
  if (exports.reviewExploration === 'chart' || exports.reviewExploration === 'replay') {
    review.reviewExploration = exports.reviewExploration;
  }
  return review;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
