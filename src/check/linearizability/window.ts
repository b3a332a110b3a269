// Shrinking a non-linearizable partition to its smallest illegal window.
//
// Two cuts keep a failure a failure (if the original history were linearizable, so would be the cut):
//  - truncateAt(to): the history as known at time `to`. Ops called later are left out; ops still
//    running at `to` lose their response (writes become unknown-outcome, reads are dropped). Any
//    op that completed by `to` precedes every left-out op, so a linearization of the whole
//    history restricted to the kept ops is still valid.
//  - cutBefore(from): ops that returned before `from` precede every op called at or after it, so
//    they are summarized by "some starting state", checked with an open-world store about which
//    nothing is known. Ops still running at `from` may have taken effect before or after it:
//    writes become unknown-outcome (the "before" case is absorbed by the unknown start), reads
//    are dropped.
// The window ends at the earliest `to` at which the history already fails. Truncations are
// monotone, and the search's frontier says every truncation before it passes, so the first
// candidate is the first return time at or after the frontier; it is confirmed cheaply when some
// window ending there fails, otherwise found by binary search over truncations. The start is then
// found by galloping `from` back from the failing response (small windows are cheap to check)
// and binary search between the last passing and the first failing start.
import { isRead } from './history.ts';
import type { KvModel } from './model.ts';
import { KV_SEARCH_OPTIONS } from './model.ts';
import type { PreparedOp } from './prepare.ts';
import type { SearchBudget } from './search-types.ts';
import { withAllowance } from './search-types.ts';
import { searchLinearization } from './search.ts';

export interface IllegalWindow {
  /** The operations of the window as checked (in-flight ones with their responses dropped). */
  readonly ops: PreparedOp[];
  /** Start of the window; -Infinity when the window must start from the initial empty store. */
  readonly from: number;
  /** End of the window: the return time of the response that cannot be explained. */
  readonly to: number;
  readonly failingOp: PreparedOp;
  /** true when the window is illegal from any starting state. */
  readonly openWorld: boolean;
}

const INFINITY = Number.POSITIVE_INFINITY;

function responseLost(op: PreparedOp): PreparedOp {
  return op.ret === INFINITY && op.output === undefined ? op : { ...op, output: undefined, ret: INFINITY };
}

export function truncateAt(ops: readonly PreparedOp[], to: number): PreparedOp[] {
  const kept: PreparedOp[] = [];
  for (const op of ops) {
    if (op.call > to) continue;
    if (op.ret <= to) kept.push(op);
    else if (!isRead(op.input)) kept.push(responseLost(op));
  }
  return kept;
}

export function cutBefore(ops: readonly PreparedOp[], from: number): PreparedOp[] {
  const kept: PreparedOp[] = [];
  for (const op of ops) {
    if (op.call >= from) kept.push(op);
    else if (op.ret >= from && !isRead(op.input)) kept.push(responseLost(op));
  }
  return kept;
}

const uniqueSorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

/** Model steps one open-world window check may take: windows are small, a runaway one is abandoned. */
const STEPS_PER_WINDOW_CHECK = 250_000;
/** Witness probing: return times tried after the frontier, starts tried back from each, steps per check. */
const PROBE_ENDS = 64;
const PROBE_STARTS = 32;
const PROBE_STEPS_PER_CHECK = 20_000;

class WindowChecker {
  constructor(
    private readonly ops: readonly PreparedOp[],
    private readonly model: KvModel,
    private readonly budget: SearchBudget,
    /** How far back to look for a window's start, and how many steps one window check may take. */
    private readonly limits = { starts: Number.POSITIVE_INFINITY, stepsPerCheck: STEPS_PER_WINDOW_CHECK },
  ) {}

  /** Verified failures only: a check that runs out of budget counts as passing. */
  fails(candidate: PreparedOp[], openWorld: boolean): boolean {
    return withAllowance(this.budget, openWorld ? this.limits.stepsPerCheck : Number.POSITIVE_INFINITY, (budget) => {
      const start = openWorld ? this.model.initOpenWorld() : this.model.init();
      return searchLinearization(this.model, candidate, start, budget, KV_SEARCH_OPTIONS).kind === 'illegal';
    });
  }

  returnTimes(): number[] {
    return uniqueSorted(this.ops.filter((op) => op.ret !== INFINITY).map((op) => op.ret));
  }

  /** The smallest window ending at `to` that fails from any starting state, if any. */
  openWindowEndingAt(to: number): IllegalWindow | undefined {
    const prefix = truncateAt(this.ops, to);
    let best: IllegalWindow | undefined;
    for (const failingOp of prefix.filter((op) => op.ret === to && op.output !== undefined)) {
      const window = this.shrinkFromLeft(prefix, failingOp);
      if (window && (!best || window.ops.length < best.ops.length)) best = window;
    }
    return best;
  }

  /** Windows always contain the failing response, so they start no later than its call. */
  private shrinkFromLeft(prefix: PreparedOp[], failingOp: PreparedOp): IllegalWindow | undefined {
    const starts = uniqueSorted(prefix.filter((op) => op.call <= failingOp.call).map((op) => op.call))
      .reverse()
      .slice(0, this.limits.starts);
    const failsFrom = (i: number) => this.fails(cutBefore(prefix, starts[i]), true);
    let passing = -1;
    let failing = -1;
    for (let i = 0, stride = 1; i < starts.length; i += stride, stride *= 2) {
      if (failsFrom(i)) {
        failing = i;
        break;
      }
      passing = i;
    }
    if (failing < 0 && passing < starts.length - 1 && failsFrom(starts.length - 1)) failing = starts.length - 1;
    if (failing < 0) return undefined;
    let lo = passing + 1;
    let hi = failing;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (failsFrom(mid)) hi = mid;
      else lo = mid + 1;
    }
    return { ops: cutBefore(prefix, starts[hi]), from: starts[hi], to: failingOp.ret, failingOp, openWorld: true };
  }
}

/**
 * The smallest illegal window of `ops`, a non-linearizable partition sorted by call time.
 * `frontier` (from the failed search) bounds where the window can end.
 */
export function minimizeWindow(
  ops: readonly PreparedOp[],
  model: KvModel,
  budget: SearchBudget,
  frontier = Number.NEGATIVE_INFINITY,
): IllegalWindow {
  const checker = new WindowChecker(ops, model, budget);
  const returns = checker.returnTimes();
  const afterFrontier = returns.findIndex((t) => t >= frontier);
  let lo = afterFrontier < 0 ? returns.length - 1 : afterFrontier;
  const earliest = returns[lo] !== undefined ? checker.openWindowEndingAt(returns[lo]) : undefined;
  if (earliest) return earliest;

  let hi = returns.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (checker.fails(truncateAt(ops, returns[mid]), false)) hi = mid;
    else lo = mid + 1;
  }
  const to = returns[hi] ?? INFINITY;
  const window = checker.openWindowEndingAt(to);
  if (window) return window;
  const prefix = truncateAt(ops, to);
  const failingOp = prefix.find((op) => op.ret === to && op.output !== undefined) ?? prefix[prefix.length - 1];
  return { ops: prefix, from: -INFINITY, to, failingOp, openWorld: false };
}

/**
 * A small illegal window ending at one of the first return times at or after `frontier`, found
 * with cheap open-world checks only: a witness for a partition whose exhaustive search is costly.
 * Not necessarily the smallest window, since an earlier truncation may already fail.
 */
export function findWindowAfter(
  ops: readonly PreparedOp[],
  model: KvModel,
  budget: SearchBudget,
  frontier: number,
): IllegalWindow | undefined {
  const checker = new WindowChecker(ops, model, budget, { starts: PROBE_STARTS, stepsPerCheck: PROBE_STEPS_PER_CHECK });
  const returns = checker.returnTimes().filter((t) => t >= frontier);
  for (const to of returns.slice(0, PROBE_ENDS)) {
    const window = checker.openWindowEndingAt(to);
    if (window) return window;
    if (budget.remaining <= 0) break;
  }
  return undefined;
}
