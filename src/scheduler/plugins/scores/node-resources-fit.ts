// NodeResourcesFit (score), LeastAllocated strategy with the default cpu:1 memory:1 weights:
// per resource (allocatable − requested) × 100 / allocatable, where requested is the node's
// non-zero requests plus the pod's (missing requests count 100m / 200Mi); weighted mean.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../snapshot.ts';
import { podRequests } from '../../resources.ts';
import { MAX_NODE_SCORE, idiv, type ScorePlugin } from '../../types.ts';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';

export interface ResourceSpec {
  readonly name: 'cpu' | 'memory';
  readonly weight: number;
}

export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/** leastRequestedScore. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return idiv((capacity - requested) * MAX_NODE_SCORE, capacity);
}

/** leastResourceScorer: resources with zero allocatable are left out of the weighted mean. */
export function leastAllocatedScore(requested: readonly number[], allocatable: readonly number[], resources: readonly ResourceSpec[] = DEFAULT_RESOURCES): number {
  let nodeScore = 0;
  let weightSum = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    nodeScore += leastRequestedScore(requested[i], allocatable[i]) * resources[i].weight;
    weightSum += resources[i].weight;
  }
  return weightSum === 0 ? 0 : idiv(nodeScore, weightSum);
}

/** resourceAllocationScorer inputs: (allocatable, requested incl. the pod) per resource. */
export function allocatableAndRequested(
  node: NodeInfo,
  pod: { readonly milliCPU: number; readonly memory: number },
  useRequested: boolean,
  resources: readonly ResourceSpec[] = DEFAULT_RESOURCES,
): { allocatable: number[]; requested: number[] } {
  const base = useRequested ? node.requested : node.nonZeroRequested;
  const allocatable: number[] = [];
  const requested: number[] = [];
  for (const r of resources) {
    const alloc = r.name === 'cpu' ? node.allocatable.milliCPU : node.allocatable.memory;
    allocatable.push(alloc);
    requested.push(alloc === 0 ? 0 : (r.name === 'cpu' ? base.milliCPU + pod.milliCPU : base.memory + pod.memory));
  }
  return { allocatable, requested };
}

export function podScoringRequest(pod: Pod, useRequested: boolean): { milliCPU: number; memory: number } {
  const r = podRequests(pod, { nonMissingDefaults: !useRequested });
  return { milliCPU: r.milliCPU, memory: r.memory };
}

export const nodeResourcesFitScorePlugin: ScorePlugin = {
  name: NODE_RESOURCES_FIT,
  preScore: (pod) => {
    const request = podScoringRequest(pod, false);
    return {
      kind: 'score',
      score: (node) => {
        const { allocatable, requested } = allocatableAndRequested(node, request, false);
        return leastAllocatedScore(requested, allocatable);
      },
    };
  },
};
