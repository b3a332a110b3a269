// Taint/toleration matching: v1 Toleration.ToleratesTaint and v1helper.FindMatchingUntoleratedTaint.
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Toleration.ToleratesTaint: empty effect/key are wildcards; "" operator means Equal. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** First taint (in node order) passing `inScope` that no toleration tolerates. */
export function findMatchingUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  inScope: (t: Taint) => boolean,
): Taint | undefined {
  return (taints ?? []).find((taint) => inScope(taint) && !tolerationsTolerateTaint(tolerations, taint));
}

/** helper.DoNotScheduleTaintsFilterFunc: the effects the scheduler must respect. */
export const doNotScheduleTaints = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
