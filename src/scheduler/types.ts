// Shared shapes of the scheduling framework: filter/score outcomes and plugin contracts, mirroring
// k8s.io/kubernetes/pkg/scheduler/framework (Status, PreFilter/Filter, PreScore/Score/NormalizeScore).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, Snapshot } from './snapshot.ts';

/** framework.MaxNodeScore / MinNodeScore. */
export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

/**
 * A Filter verdict. `reasons` is upstream's Status.Reasons() (each counted separately in the
 * FailedScheduling histogram); `reason` is Status.Message() (the reasons joined by ", ").
 * `unresolvable` is UnschedulableAndUnresolvable: preemption cannot help on that node.
 */
export type FilterResult = { readonly ok: true } | FilterFailure;

export interface FilterFailure {
  readonly ok: false;
  readonly reason: string;
  readonly reasons: readonly string[];
  readonly unresolvable?: boolean;
}

export const PASS: FilterResult = Object.freeze({ ok: true });

export function fail(reasons: string | readonly string[], unresolvable = false): FilterFailure {
  const list = typeof reasons === 'string' ? [reasons] : [...reasons];
  return unresolvable
    ? { ok: false, reason: list.join(', '), reasons: list, unresolvable: true }
    : { ok: false, reason: list.join(', '), reasons: list };
}

/** What a plugin's PreFilter decided for this pod; the Filter closure carries its cycle state. */
export type PreFilterOutcome =
  | { readonly kind: 'skip' }
  | { readonly kind: 'reject'; readonly status: FilterFailure }
  | {
      readonly kind: 'filter';
      readonly filter: (node: NodeInfo) => FilterResult;
      /** PreFilterResult.NodeNames: only these nodes are worth filtering (undefined = all). */
      readonly nodeNames?: ReadonlySet<string>;
    };

export interface FilterPlugin {
  readonly name: string;
  preFilter(pod: Pod, snapshot: Snapshot): PreFilterOutcome;
}

/** PreScore result: a per-node raw scorer and an optional NormalizeScore over the feasible nodes. */
export type PreScoreOutcome =
  | { readonly kind: 'skip' }
  | {
      readonly kind: 'score';
      readonly score: (node: NodeInfo) => number;
      readonly normalize?: (scores: readonly number[], nodes: readonly NodeInfo[]) => number[];
    };

export interface ScorePlugin {
  readonly name: string;
  preScore(pod: Pod, snapshot: Snapshot, feasibleNodes: readonly NodeInfo[]): PreScoreOutcome;
}

/** Go's int64 division truncates toward zero. */
export function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}
