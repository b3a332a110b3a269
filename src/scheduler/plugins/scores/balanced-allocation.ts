// NodeResourcesBalancedAllocation: favour nodes whose cpu and memory utilisation fractions (actual
// requests, no defaults, including the pod) stay close: (1 − std) × 100, where for two resources
// std = |f_cpu − f_mem| / 2.
import { MAX_NODE_SCORE, type ScorePlugin } from '../../types.ts';
import { allocatableAndRequested, podScoringRequest } from './node-resources-fit.ts';

export const NODE_RESOURCES_BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export function balancedResourceScore(requested: readonly number[], allocatable: readonly number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(1, requested[i] / allocatable[i]);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0] - fractions[1]) / 2);
  } else if (fractions.length > 2) {
    const mean = total / fractions.length;
    std = Math.sqrt(fractions.reduce((acc, f) => acc + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const balancedAllocationScorePlugin: ScorePlugin = {
  name: NODE_RESOURCES_BALANCED_ALLOCATION,
  preScore: (pod) => {
    const request = podScoringRequest(pod, true);
    return {
      kind: 'score',
      score: (node) => {
        const { allocatable, requested } = allocatableAndRequested(node, request, true);
        return balancedResourceScore(requested, allocatable);
      },
    };
  },
};
