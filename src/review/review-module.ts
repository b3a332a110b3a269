import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { HostedInput } from '../host/contract.ts';

/**
 * What a machine's optional sibling `<name>.review.ts` may export so the review tooling can run it in
 * isolation (see docs/machines/README.md). Every export is optional.
 */
export interface ReviewModule {
  /**
   * A sample input. As an object, its `now` is replaced by the review clock's; as a function, it receives
   * that clock's `now` and returns a fresh input (useful when the disk map must not be shared).
   */
  reviewInput?: HostedInput | ((now: () => number) => HostedInput);
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
}

/** The input used when a machine has no `reviewInput`: the component's first address, an empty disk. */
export function defaultHostedInput(component: string, now: () => number): HostedInput {
  return { address: `${component}-0`, incarnation: 0, rng: [1, 2, 3, 4], disk: new Map(), now, config: {} };
}

export function resolveReviewInput(review: ReviewModule, component: string, now: () => number): HostedInput {
  const sample = review.reviewInput;
  if (sample === undefined) return defaultHostedInput(component, now);
  if (typeof sample === 'function') return sample(now);
  return { ...sample, now };
}

/** Picks the review exports out of an imported `.review.ts` module, ignoring anything else it exports. */
export function toReviewModule(exports: Record<string, unknown>): ReviewModule {
  const review: ReviewModule = {};
  if (exports.reviewInput !== undefined) review.reviewInput = exports.reviewInput as ReviewModule['reviewInput'];
  if (exports.reviewEvents !== undefined) review.reviewEvents = exports.reviewEvents as ReviewModule['reviewEvents'];
  if (exports.reviewInvariants !== undefined) {
    review.reviewInvariants = exports.reviewInvariants as ReviewModule['reviewInvariants'];
  }
  if (typeof exports.reviewSerializeState === 'function') {
    review.reviewSerializeState = exports.reviewSerializeState as ReviewModule['reviewSerializeState'];
  }
  return review;
}
