// NodeAffinity (score): sum of the weights of matching preferred node affinity terms, normalized
// by the best node.
import { preferredNodeAffinity, preferredScore } from '../../node-selector.ts';
import { MAX_NODE_SCORE, type ScorePlugin } from '../../types.ts';
import { defaultNormalizeScore } from './normalize.ts';

export const NODE_AFFINITY = 'NodeAffinity';

export const nodeAffinityScorePlugin: ScorePlugin = {
  name: NODE_AFFINITY,
  preScore: (pod) => {
    const preferred = preferredNodeAffinity(pod);
    if (preferred === undefined) return { kind: 'skip' };
    return {
      kind: 'score',
      score: (node) => preferredScore(preferred, node.node),
      normalize: (scores) => defaultNormalizeScore(MAX_NODE_SCORE, false, scores),
    };
  },
};
