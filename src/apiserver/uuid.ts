import { rngNext, uuidV4FromBytes, type RngState } from '../sim/random.ts';

/**
 * An RFC 4122 version-4 UUID from the machine's own generator (16 random bytes), so object uids are
 * reproducible from the run's seed.
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
  return [uuidV4FromBytes(bytes), state];
}
