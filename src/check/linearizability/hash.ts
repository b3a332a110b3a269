// Small, fast, deterministic 32-bit hashing used for memoization keys.

/** Murmur3's 32-bit finalizer: spreads the bits of an integer. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** FNV-1a over UTF-16 code units, finalized. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** Hash of a possibly-unknown number: `undefined` and every number get distinct images. */
export function hashNumber(n: number | undefined): number {
  if (n === undefined) return 0x5bd1e995;
  return mix32(Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? n | 0 : hashString(String(n)));
}

export function combine(a: number, b: number): number {
  return mix32((Math.imul(a, 31) + b) | 0);
}
