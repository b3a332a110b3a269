import { customRandom } from 'nanoid';

/**
 * Seeded randomness. One root seed per run; every component draws from its own stream, derived from
 * (root seed, stream name) rather than from another stream's state, so adding a component or a draw in one
 * component never reshuffles the draws of another.
 *
 * The generator is sfc32 (Small Fast Chaotic, 128-bit state): fast, passes PractRand, and its state is four
 * uint32s — plain data that a pure state machine can carry in its context (see `rngNext`).
 */
export type RngState = readonly [number, number, number, number];

/** Hashes a string to a 128-bit seed (cyrb128), used to derive stream states. */
export function seedFrom(text: string): RngState {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** One sfc32 step as a pure function: for machines, which keep their RngState in context. */
export function rngNext(state: RngState): [value: number, next: RngState] {
  let [a, b, c, d] = state;
  const t = (((a + b) | 0) + d) | 0;
  d = (d + 1) | 0;
  a = b ^ (b >>> 9);
  b = (c + (c << 3)) | 0;
  c = (c << 21) | (c >>> 11);
  c = (c + t) | 0;
  return [(t >>> 0) / 4294967296, [a >>> 0, b >>> 0, c >>> 0, d >>> 0]];
}

/** Pure helper: a uniform integer in [min, max] and the next state. */
export function rngInt(state: RngState, min: number, max: number): [value: number, next: RngState] {
  const [u, next] = rngNext(state);
  return [min + Math.floor(u * (max - min + 1)), next];
}

const K8S_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A mutable stream, for the simulator's own draws (network model, fault generation, hosts). */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: string, state: RngState = seedFrom(seed)) {
    [this.a, this.b, this.c, this.d] = state;
    // Warm up: sfc32 needs a few rounds before nearby seeds diverge.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The root stream of a run. */
  static root(seed: number | string): Random {
    return new Random(`kubesim:${seed}`);
  }

  /** An independent stream named `name`, derived from this stream's seed (not its current state). */
  stream(name: string): Random {
    return new Random(`${this.seed}/${name}`);
  }

  /** A seed for a pure machine-held generator, derived like `stream(name)`. */
  machineSeed(name: string): RngState {
    return this.stream(name).state();
  }

  state(): RngState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. Draws exactly once, whatever p, so draw counts do not depend on settings. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Normally distributed (Box–Muller). */
  normal(mean: number, stddev: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

/** Formats 16 random bytes as an RFC 4122 version-4 UUID (sets the version and variant bits). */
export function uuidV4FromBytes(random: ArrayLike<number>): string {
  const b = Array.from(random);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Deterministic ids and names drawn from one stream. */
export class IdSource {
  private readonly nanoid: () => string;
  private readonly nameSuffix: () => string;

  constructor(private readonly random: Random) {
    const bytes = (size: number) => random.bytes(size);
    this.nanoid = customRandom('0123456789abcdefghijklmnopqrstuvwxyz', 12, bytes);
    this.nameSuffix = customRandom(K8S_NAME_ALPHABET, 5, bytes);
  }

  /** A short opaque id (`4f9kq2m0zc1a`). */
  id(): string {
    return this.nanoid();
  }

  /** A version-4 UUID, as Kubernetes assigns to `metadata.uid`. */
  uuid(): string {
    return uuidV4FromBytes(this.random.bytes(16));
  }

  /** `metadata.generateName` completion: `web-7d4b8c6f5-` → `web-7d4b8c6f5-x2p9k`. */
  generateName(prefix: string): string {
    return prefix + this.nameSuffix();
  }
}
