// checkLinearizable: is a recorded KV history linearizable, and if not, the smallest illegal window.
import type { Operation } from './history.ts';
import { KV_SEARCH_OPTIONS, kvModel, modelOptionsFor } from './model.ts';
import type { KvModel } from './model.ts';
import type { Partition } from './partition.ts';
import { partitionByKey, singlePartition } from './partition.ts';
import type { PreparedOp } from './prepare.ts';
import { prepareHistory } from './prepare.ts';
import type { RevisionOrderViolation } from './revision-order.ts';
import { findRevisionOrderViolation } from './revision-order.ts';
import { createBudget, withAllowance } from './search-types.ts';
import { createSearch, searchLinearization } from './search.ts';
import type { IllegalWindow } from './window.ts';
import { findWindowAfter, minimizeWindow } from './window.ts';

export interface CheckOptions {
  /** Give up after this many model steps in total; the result is then `ok: 'unknown'`. Default: unlimited. */
  maxSteps?: number;
  /** Polled during the search; return true to give up (e.g. a wall-clock deadline). */
  shouldStop?: () => boolean;
  /** Check each key (and each group of keys joined by range reads) separately. Default: true. */
  partition?: boolean;
  /** Step allowance for shrinking a failure to its smallest illegal window. Default: 2,000,000. */
  minimizeMaxSteps?: number;
  /** How many of the longest partial linearizations to report. Default: 5. */
  maxPartialLinearizations?: number;
}

export interface CheckSuccess {
  ok: true;
  partitions: number;
  /** Operations in the history, including the ones the check could ignore. */
  ops: number;
  /** Model steps the search took. */
  steps: number;
}

export interface CheckFailure {
  ok: false;
  /** Why: a partition with no linearization, or revisions contradicting real time across keys. */
  kind: 'not-linearizable' | 'revision-order';
  /** The key of the failing partition, when it has exactly one. */
  key?: string;
  /** All keys of the failing partition. */
  keys: string[];
  /** Name of the failing partition. */
  partition: string;
  /** The smallest illegal window found: operations that cannot be linearized on their own. */
  window: Operation[];
  /** Time span of the window; `from` is -Infinity when it must start from the empty store. */
  windowTime: { from: number; to: number };
  /** The operation whose response cannot be explained. */
  failingOp?: Operation;
  /** The longest partial linearizations of the window, longest first. */
  partialLinearization: Operation[][];
  message: string;
}

export interface CheckUnknown {
  ok: 'unknown';
  partitions: number;
  ops: number;
  steps: number;
  /** The partition whose search ran out of budget. */
  partition: string;
  key?: string;
  message: string;
}

export type CheckResult = CheckSuccess | CheckFailure | CheckUnknown;

const DEFAULT_MINIMIZE_STEPS = 2_000_000;
const PARTIAL_TRACKING_STEPS = 500_000;
/** Finding a linearization takes a few steps per op; far more suggests the search is proving a failure. */
const PROBE_STEPS_PER_OP = 100;
const MIN_PROBE_STEPS = 100_000;
/** Allowance for looking for a cheap witness when the probe runs out. */
const WITNESS_PROBE_STEPS = 500_000;

export function checkLinearizable(history: readonly Operation[], options: CheckOptions = {}): CheckResult {
  const ops = prepareHistory(history);
  const revisionViolation = findRevisionOrderViolation(ops);
  if (revisionViolation) return revisionOrderFailure(revisionViolation);

  const partitions = options.partition === false ? [singlePartition(ops)] : partitionByKey(ops);
  const budget = createBudget(options.maxSteps, options.shouldStop);
  const minimizeSteps = options.minimizeMaxSteps ?? DEFAULT_MINIMIZE_STEPS;
  for (const partition of partitions) {
    const model = kvModel(modelOptionsFor(partition.ops));
    const search = createSearch(model, partition.ops, model.init(), KV_SEARCH_OPTIONS);
    // Proving a failure exhaustively can be far costlier than finding a linearization. So search
    // with a modest allowance first; if that runs out, look for a cheap witness — a small window
    // that fails from any starting state — past where the search got stuck, then resume.
    let outcome = withAllowance(budget, Math.max(MIN_PROBE_STEPS, PROBE_STEPS_PER_OP * partition.ops.length), search.run);
    if (outcome.kind === 'exhausted' && budget.remaining > 0) {
      const witness = findWindowAfter(partition.ops, model, createBudget(WITNESS_PROBE_STEPS), outcome.frontier);
      if (witness) return describeFailure(partition, model, witness, options);
      outcome = search.run(budget);
    }
    if (outcome.kind === 'illegal') {
      const window = minimizeWindow(partition.ops, model, createBudget(minimizeSteps), outcome.frontier);
      return describeFailure(partition, model, window, options);
    }
    if (outcome.kind === 'exhausted') {
      return {
        ok: 'unknown',
        partitions: partitions.length,
        ops: history.length,
        steps: budget.used,
        partition: partition.label,
        key: singleKey(partition.keys),
        message: `search budget exhausted after ${budget.used} steps while checking ${partition.label}`,
      };
    }
  }
  return { ok: true, partitions: partitions.length, ops: history.length, steps: budget.used };
}

const singleKey = (keys: string[]) => (keys.length === 1 ? keys[0] : undefined);

function describeFailure(partition: Partition, model: KvModel, window: IllegalWindow, options: CheckOptions): CheckFailure {
  const tracked = searchLinearization(
    model,
    window.ops,
    window.openWorld ? model.initOpenWorld() : model.init(),
    createBudget(PARTIAL_TRACKING_STEPS),
    // Without the pruning rules that cut exploration short, so that partial linearizations are full.
    { tryFirst: KV_SEARCH_OPTIONS.tryFirst, trackPartial: true },
  );
  const partial = tracked.kind === 'illegal' ? tracked.longest : [];
  return {
    ok: false,
    kind: 'not-linearizable',
    key: singleKey(partition.keys),
    keys: partition.keys,
    partition: partition.label,
    window: window.ops.map((op) => op.source),
    windowTime: { from: window.from, to: window.to },
    failingOp: window.failingOp.source,
    partialLinearization: partial
      .slice(0, options.maxPartialLinearizations ?? 5)
      .map((sequence) => sequence.map((i) => window.ops[i].source)),
    message: failureMessage(partition, window, model.describe(window.failingOp.source.input, window.failingOp.output)),
  };
}
function failureMessage(partition: Partition, window: IllegalWindow, failing: string): string {
  const span = window.openWorld ? `between t=${window.from} and t=${window.to}` : `up to t=${window.to}`;
  const start = window.openWorld ? 'from any starting state' : 'from the empty store';
  return (
    `not linearizable: ${partition.label}: the ${window.ops.length} operations ${span} have no linearization ${start}; ` +
    `the response of #${window.failingOp.source.id} ${failing} (returned at t=${window.to}) cannot be explained`
  );
}

function revisionOrderFailure(violation: RevisionOrderViolation): CheckFailure {
  const { earlier, later } = violation;
  const keyOfOp = (op: PreparedOp) => (op.input.op === 'range' ? undefined : op.input.key);
  const keys = [...new Set([keyOfOp(earlier), keyOfOp(later)].filter((k): k is string => k !== undefined))].sort();
  return {
    ok: false,
    kind: 'revision-order',
    key: singleKey(keys),
    keys,
    partition: keys.length === 1 ? keys[0] : `{${keys.join(', ')}}`,
    window: [earlier.source, later.source],
    windowTime: { from: earlier.call, to: later.ret },
    failingOp: later.source,
    partialLinearization: [[earlier.source]],
    message: `revisions contradict real time: ${violation.message}`,
  };
}
