import { rngNext, type RngState } from '../sim/random.ts';

/**
 * An RFC 4122 version-4 UUID from the machine's own generator (16 random bytes, version and variant bits
 * set), so object uids are reproducible from the run's seed.
 */
export function uuidV4(rng: RngState): [uuid: string, next: RngState] {
  let state = rng;
  const bytes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [u, next] = rngNext(state);
    state = next;
    const word = Math.floor(u * 0x1_0000_0000) >>> 0;
    bytes.push(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return [`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, state];
}
