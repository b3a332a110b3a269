import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import {
  NAME_ALPHABET,
  canonicalJson,
  fnv32a,
  generateName,
  generateNameSuffix,
  podTemplateHash,
  safeEncodeString,
} from '../../src/api/names.ts';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 100);

/** Deterministic stand-in for a seeded random source. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const template: PodTemplateSpec = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
};

describe('generated names', () => {
  it('draws five characters from the vowel-free alphabet', () => {
    const suffix = generateNameSuffix(lcg(1));
    expect(suffix).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(generateNameSuffix(lcg(1))).toBe(suffix); // same seed, same name
    expect(generateNameSuffix(() => 0)).toBe('bbbbb');
    expect(generateNameSuffix(() => 0.999999)).toBe('99999');
  });

  it('truncates long bases to 58 characters before the suffix', () => {
    const name = generateName('x'.repeat(80), lcg(7));
    expect(name).toHaveLength(63);
    expect(name.startsWith('x'.repeat(58))).toBe(true);
    expect(generateName('web-7d4b8c6f5-', lcg(2))).toMatch(/^web-7d4b8c6f5-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('pod-template-hash', () => {
  it('uses FNV-32a (reference vectors)', () => {
    const enc = new TextEncoder();
    expect(fnv32a(enc.encode(''))).toBe(0x811c9dc5);
    expect(fnv32a(enc.encode('a'))).toBe(0xe40c292c);
    expect(fnv32a(enc.encode('foobar'))).toBe(0xbf9cf968);
  });

  it('SafeEncodeString maps digits into the name alphabet', () => {
    // '0' is code point 48, 48 % 27 = 21 -> '4'; '6' is 54 % 27 = 0 -> 'b'.
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  it('looks like a ReplicaSet suffix and is stable under key order', () => {
    const hash = podTemplateHash(template);
    expect(hash).toMatch(/^[456789bcdf]{1,10}$/);
    const reordered: PodTemplateSpec = { spec: template.spec, metadata: template.metadata };
    expect(podTemplateHash(reordered)).toBe(hash);
    expect(podTemplateHash({ ...template, spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } })).not.toBe(hash);
    expect(podTemplateHash(template, 1)).not.toBe(hash);
    expect(podTemplateHash(template, 0)).not.toBe(hash); // a present count always feeds the hash
  });

  it('canonicalJson sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [1, { y: 2, x: 1 }] } })).toBe('{"a":{"c":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('hashes are deterministic and always encode a uint32', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })), fc.option(fc.nat(), { nil: undefined }), (labels, count) => {
        const t: PodTemplateSpec = { metadata: { labels }, spec: { containers: [{ name: 'c' }] } };
        const h = podTemplateHash(t, count);
        expect(h).toBe(podTemplateHash(structuredClone(t), count));
        expect(h).toMatch(/^[456789bcdf]{1,10}$/);
        expect([...h].every((c) => NAME_ALPHABET.includes(c))).toBe(true);
      }),
      { numRuns },
    );
  });
});
