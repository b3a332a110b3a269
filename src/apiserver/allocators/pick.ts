// The allocators' choice of a free item (k8s.io/kubernetes/pkg/registry/core/service/allocator
// randomScanStrategyWithOffset): a random start in the upper band [offset, max), scanning forward with
// wrap-around; only when that band is full, the same in the lower band [0, offset).

/** A free index in [0, max), or undefined when all are taken. `random` is uniform in [0, 1). */
export function pickFree(isTaken: (index: number) => boolean, max: number, offset: number, random: () => number): number | undefined {
  const upper = max - offset;
  if (upper > 0) {
    const start = Math.floor(random() * upper);
    for (let i = 0; i < upper; i++) {
      const at = offset + ((start + i) % upper);
      if (!isTaken(at)) return at;
    }
  }
  if (offset > 0) {
    const start = Math.floor(random() * offset);
    for (let i = 0; i < offset; i++) {
      const at = (start + i) % offset;
      if (!isTaken(at)) return at;
    }
  }
  return undefined;
}
