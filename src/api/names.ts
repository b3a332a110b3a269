// Name generation: generateName suffixes and the pod-template-hash that names ReplicaSets
// ("web-7d4b8c6f5"). Randomness is always injected, never Math.random.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

/** utilrand's alphabet: vowels (and look-alikes) removed so generated names spell no words. */
export const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const GENERATED_SUFFIX_LENGTH = 5;
const MAX_NAME_LENGTH = 63;
const MAX_GENERATED_BASE_LENGTH = MAX_NAME_LENGTH - GENERATED_SUFFIX_LENGTH;

/** `rand` returns uniform values in [0, 1), like a seeded Math.random replacement. */
export type RandomSource = () => number;

export function generateNameSuffix(rand: RandomSource, length = GENERATED_SUFFIX_LENGTH): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const idx = Math.min(NAME_ALPHABET.length - 1, Math.floor(rand() * NAME_ALPHABET.length));
    out += NAME_ALPHABET[idx];
  }
  return out;
}

/** names.SimpleNameGenerator: base truncated to 58 characters, then a 5-character suffix. */
export function generateName(base: string, rand: RandomSource): string {
  return base.slice(0, MAX_GENERATED_BASE_LENGTH) + generateNameSuffix(rand);
}

/** rand.SafeEncodeString: each character maps to NAME_ALPHABET[codePoint % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += NAME_ALPHABET[ch.codePointAt(0)! % NAME_ALPHABET.length];
  return out;
}

/** FNV-1a, 32 bit. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (const b of bytes) {
    hash ^= b;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** JSON with object keys sorted at every level, undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
  return `{${members.join(',')}}`;
}

/**
 * controller.ComputeHash: FNV-32a over the template, plus the collision count as 8 bytes
 * (little-endian uint32, zero padded), then SafeEncodeString of the decimal uint32.
 *
 * Upstream hashes the Go struct as printed by hashutil.DeepHashObject (spew with sorted keys);
 * that printing is approximated here by canonical JSON, so hashes are stable and equally
 * distributed but not byte-identical to a real cluster's.
 */
export function podTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  let hash = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(bytes, hash);
  }
  return safeEncodeString(String(hash));
}
