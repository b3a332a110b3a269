// TaintToleration (score): count the node's PreferNoSchedule taints the pod does not tolerate
// (only tolerations with empty or PreferNoSchedule effect count), then reverse-normalize.
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../snapshot.ts';
import { tolerationsTolerateTaint } from '../../taints.ts';
import { MAX_NODE_SCORE, type ScorePlugin } from '../../types.ts';
import { defaultNormalizeScore } from './normalize.ts';

export const TAINT_TOLERATION = 'TaintToleration';

export function countIntolerableTaintsPreferNoSchedule(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[]): number {
  return (taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, t)).length;
}

export function preferNoScheduleTolerations(pod: Pod): Toleration[] {
  return (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

export const taintTolerationScorePlugin: ScorePlugin = {
  name: TAINT_TOLERATION,
  preScore: (pod) => {
    const tolerations = preferNoScheduleTolerations(pod);
    return {
      kind: 'score',
      score: (node: NodeInfo) => countIntolerableTaintsPreferNoSchedule(node.node.spec?.taints, tolerations),
      normalize: (scores) => defaultNormalizeScore(MAX_NODE_SCORE, true, scores),
    };
  },
};
