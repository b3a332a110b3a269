// helper.DefaultNormalizeScore: scale to [0, maxPriority] by the maximum (integer division), and
// optionally reverse so that fewer is better; all-zero scores become maxPriority when reversed.
import { idiv } from '../../types.ts';

export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: readonly number[]): number[] {
  const maxCount = Math.max(0, ...scores);
  if (maxCount === 0) return scores.map((s) => (reverse ? maxPriority : s));
  return scores.map((s) => {
    const scaled = idiv(maxPriority * s, maxCount);
    return reverse ? maxPriority - scaled : scaled;
  });
}
