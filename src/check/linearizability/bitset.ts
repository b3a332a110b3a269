// The sets of linearized operations the search memoizes, with cheap snapshots.
//
// Operations are indexed in time order, so a linearized set is mostly a prefix: snapshots keep only
// the words between the all-ones prefix and the all-zeros suffix. The prefix length and an upper
// bound on the last non-zero word are maintained incrementally, so snapshots and comparisons cost
// O(concurrency), not O(history length). An optional Zobrist hash is kept current in O(1).

export interface BitsSnapshot {
  readonly fullWords: number;
  readonly middle: Uint32Array;
}

const ALL_ONES = 0xffffffff;

export class TrackedBitset {
  private readonly words: Uint32Array;
  private fullWords = 0;
  /** Every word at or after this index is zero. */
  private zeroFrom = 0;
  /** XOR of the Zobrist values of the members (0 without Zobrist values). */
  hash = 0;

  constructor(
    size: number,
    private readonly zobrist?: Int32Array,
  ) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    const w = i >>> 5;
    this.words[w] |= 1 << (i & 31);
    if (w >= this.zeroFrom) this.zeroFrom = w + 1;
    while (this.fullWords < this.words.length && this.words[this.fullWords] === ALL_ONES) this.fullWords++;
    if (this.zobrist) this.hash ^= this.zobrist[i];
  }

  delete(i: number): void {
    const w = i >>> 5;
    this.words[w] &= ~(1 << (i & 31));
    if (w < this.fullWords) this.fullWords = w;
    if (this.zobrist) this.hash ^= this.zobrist[i];
  }

  private middleEnd(): number {
    while (this.zeroFrom > this.fullWords && this.words[this.zeroFrom - 1] === 0) this.zeroFrom--;
    return this.zeroFrom;
  }

  snapshot(): BitsSnapshot {
    return { fullWords: this.fullWords, middle: this.words.slice(this.fullWords, this.middleEnd()) };
  }

  /** Is this set exactly the snapshotted one? (Snapshots are canonical.) */
  equals(s: BitsSnapshot): boolean {
    if (s.fullWords !== this.fullWords || s.middle.length !== this.middleEnd() - this.fullWords) return false;
    for (let j = 0; j < s.middle.length; j++) if (this.words[this.fullWords + j] !== s.middle[j]) return false;
    return true;
  }

  /** Does this set contain every member of the snapshotted one? */
  includes(s: BitsSnapshot): boolean {
    if (s.fullWords > this.fullWords) return false;
    for (let j = 0; j < s.middle.length; j++) {
      const w = s.fullWords + j;
      if ((s.middle[j] & ~this.words[w]) !== 0) return false;
    }
    return true;
  }
}
