// What the Wing–Gong–Lowe search needs from a sequential specification and from a history.

/**
 * A sequential specification in Porcupine's shape. Every function must be pure: the search
 * memoizes states and revisits them in any order.
 */
export interface Model<S, I, O> {
  init(): S;
  /** Apply `input` to `state`; `output` is undefined when the outcome is unknown. */
  step(state: S, input: I, output: O | undefined): [ok: boolean, next: S];
  hash(state: S): number;
  equal(a: S, b: S): boolean;
  /**
   * Optional: true when every sequence of steps `b` accepts is also accepted from `a` (a is at most
   * as constrained). Lets the search skip a configuration covered by one it already visited.
   * Defaults to `equal`.
   */
  dominates?(a: S, b: S): boolean;
  describe(input: I, output: O | undefined): string;
}

export interface SearchOp<I, O> {
  readonly input: I;
  /** undefined when the outcome is unknown: the model accepts any response. */
  readonly output: O | undefined;
  readonly call: number;
  /** Infinity for an operation that may take effect at any time after its call, or never. */
  readonly ret: number;
}

/** A step allowance shared by every search of one check, so a caller can bound the total work. */
export interface SearchBudget {
  remaining: number;
  used: number;
  /** Polled every few thousand steps; return true to abandon the search (e.g. a wall-clock deadline). */
  shouldStop?: () => boolean;
}

export function createBudget(maxSteps = Number.POSITIVE_INFINITY, shouldStop?: () => boolean): SearchBudget {
  return { remaining: maxSteps, used: 0, shouldStop };
}

/** Run `work` with at most `steps` of `parent`'s allowance, charging what it used to `parent`. */
export function withAllowance<T>(parent: SearchBudget, steps: number, work: (budget: SearchBudget) => T): T {
  const child = createBudget(Math.min(steps, parent.remaining), parent.shouldStop);
  try {
    return work(child);
  } finally {
    parent.used += child.used;
    parent.remaining -= child.used;
  }
}

export type SearchOutcome =
  /** `order`: indices into the searched ops, a linearization of every op with finite `ret`. */
  | { kind: 'linearizable'; order: number[] }
  /**
   * `longest`: per-op longest partial linearizations (indices), only when tracking was asked for.
   * `frontier`: the search got past every response before this time, so the history as known at
   * any earlier time (see window.ts, truncateAt) is linearizable.
   */
  | { kind: 'illegal'; longest: number[][]; frontier: number }
  | { kind: 'exhausted'; frontier: number };
