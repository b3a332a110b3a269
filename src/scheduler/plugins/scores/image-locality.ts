// ImageLocality: nodes that already have the pod's images score higher, each image weighted by
// its size and by the fraction of nodes that have it (to avoid piling onto one node), clamped to
// [23MiB, 1000MiB × containers] and scaled to 0–100.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ImageStateSummary, NodeInfo } from '../../snapshot.ts';
import { MAX_NODE_SCORE, idiv, type ScorePlugin } from '../../types.ts';

export const IMAGE_LOCALITY = 'ImageLocality';

const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** normalizedImageName: an image without a tag means ":latest". */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

function scaledImageScore(state: ImageStateSummary, totalNumNodes: number): number {
  return Math.trunc(state.size * (state.numNodes / totalNumNodes));
}

export function sumImageScores(node: NodeInfo, pod: Pod, totalNumNodes: number): number {
  let sum = 0;
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const state = node.imageStates.get(normalizedImageName(c.image ?? ''));
    if (state !== undefined) sum += scaledImageScore(state, totalNumNodes);
  }
  return sum;
}

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return idiv(MAX_NODE_SCORE * (clamped - MIN_THRESHOLD), maxThreshold - MIN_THRESHOLD);
}

export const imageLocalityScorePlugin: ScorePlugin = {
  name: IMAGE_LOCALITY,
  preScore: (pod, snapshot) => {
    const total = snapshot.nodes.length;
    const containers = (pod.spec?.initContainers ?? []).length + (pod.spec?.containers ?? []).length;
    return { kind: 'score', score: (node) => calculatePriority(sumImageScores(node, pod, total), containers) };
  },
};
