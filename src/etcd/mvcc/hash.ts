// FNV-1a (64-bit) over UTF-16 code units, computed with two 32-bit halves so it stays exact
// in doubles. Used for HashKV-style consistency digests; not cryptographic.

const PRIME_LOW = 0x1b3; // FNV-64 prime = 2^40 + 0x1b3

export class Fnv64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  update(text: string): this {
    let { hi, lo } = this;
    for (let i = 0; i < text.length; i++) {
      lo = (lo ^ text.charCodeAt(i)) >>> 0;
      // (hi·2^32 + lo) · (2^40 + 0x1b3) mod 2^64
      const loProduct = lo * PRIME_LOW; // < 2^41, exact
      const carry = Math.floor(loProduct / 0x1_0000_0000);
      hi = (Math.imul(hi, PRIME_LOW) + carry + (lo << 8)) >>> 0;
      lo = loProduct >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** Feeds a field with a terminator so ("ab","c") and ("a","bc") differ. */
  field(value: string | number | boolean): this {
    return this.update(String(value)).update('\u0000');
  }

  /** An independent digest continuing from this one's state. */
  clone(): Fnv64 {
    const copy = new Fnv64();
    copy.hi = this.hi;
    copy.lo = this.lo;
    return copy;
  }

  digest(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}
