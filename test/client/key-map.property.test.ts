// The persistent map under the informer cache, against a plain Map: same content after any sequence of
// sets and deletes (keys whose 32-bit hashes collide included), every earlier version unchanged, and a
// shape that depends only on the content.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyKeyMap, keyMapDelete, keyMapForEach, keyMapFrom, keyMapGet, keyMapKeys, keyMapSet, type KeyMap } from '../../src/client/key-map.ts';
import { numRuns } from '../fc.ts';

/** Pairs of keys with equal FNV-1a hashes (found by search), so collisions are exercised. */
const COLLIDING = [['ns/8xa38pyz', 'ns/g9ufk5y7'], ['ns/wlqvkl63', 'ns/k1qvw9av'], ['ns/kh2vg5y3', 'ns/ghyzo9ub']];
const KEYS = [...COLLIDING.flat(), ...Array.from({ length: 60 }, (_, i) => `default/pod-${i}`), ''];

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom(...KEYS), value: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }),
);

function contentOf(map: KeyMap<number>): [string, number][] {
  const out: [string, number][] = [];
  keyMapForEach(map, (key, value) => out.push([key, value]));
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe('persistent key map (property)', () => {
  it('behaves as a Map, keeps every earlier version, and has one shape per content', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        let map = emptyKeyMap<number>();
        const model = new Map<string, number>();
        const history: [KeyMap<number>, [string, number][]][] = [];
        for (const op of ops) {
          map = op.kind === 'set' ? keyMapSet(map, op.key, op.value) : keyMapDelete(map, op.key);
          if (op.kind === 'set') model.set(op.key, op.value);
          else model.delete(op.key);
          history.push([map, [...model].sort((a, b) => (a[0] < b[0] ? -1 : 1))]);
        }
        for (const key of KEYS) expect(keyMapGet(map, key)).toBe(model.get(key));
        expect(map.size).toBe(model.size);
        expect(keyMapKeys(map).sort()).toEqual([...model.keys()].sort());
        for (const [version, content] of history) {
          expect(contentOf(version)).toEqual(content);
          expect(version.size).toBe(content.length);
        }
        expect(map).toEqual(keyMapFrom([...model].reverse()));
      }),
      { numRuns: numRuns(200) },
    );
  });

  it('returns the same map when nothing changes', () => {
    const map = keyMapFrom([['a', 1], ['b', 2]]);
    expect(keyMapSet(map, 'a', 1)).toBe(map);
    expect(keyMapDelete(map, 'zz')).toBe(map);
    expect(keyMapDelete(emptyKeyMap(), 'a')).toEqual(emptyKeyMap());
  });

  it('keeps colliding keys apart', () => {
    const [a, b] = COLLIDING[0];
    let map = keyMapSet(keyMapSet(emptyKeyMap<string>(), a, 'A'), b, 'B');
    expect([keyMapGet(map, a), keyMapGet(map, b), map.size]).toEqual(['A', 'B', 2]);
    map = keyMapDelete(map, a);
    expect([keyMapGet(map, a), keyMapGet(map, b), map.size]).toEqual([undefined, 'B', 1]);
  });
});
