import { describe, expect, it } from 'vitest';
import { IdSource, Random, rngInt, rngNext } from '../../src/sim/random.ts';

describe('Random', () => {
  it('is a pure function of the seed', () => {
    const a = Random.root(42);
    const b = Random.root(42);
    expect(Array.from({ length: 100 }, () => a.next())).toEqual(Array.from({ length: 100 }, () => b.next()));
    expect(Random.root(43).next()).not.toBe(Random.root(42).next());
  });

  it('derives streams from the seed, so draws in one stream never reshuffle another', () => {
    const quiet = Random.root(7);
    const busy = Random.root(7);
    const untouched = quiet.stream('etcd-1');
    busy.stream('etcd-0').bytes(1000); // another component draws a lot
    busy.next(); // and so does the root
    const stillSame = busy.stream('etcd-1');
    expect(Array.from({ length: 20 }, () => stillSame.next())).toEqual(Array.from({ length: 20 }, () => untouched.next()));
    expect(quiet.stream('a').next()).not.toBe(quiet.stream('b').next());
  });

  it('gives machine-held generators the same sequence as the stream they were derived from', () => {
    const root = Random.root(1);
    let state = root.machineSeed('x');
    const stream = root.stream('x');
    for (let i = 0; i < 50; i++) {
      const [value, next] = rngNext(state);
      expect(value).toBe(stream.next());
      state = next;
    }
    const [n] = rngInt(state, 3, 5);
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(5);
  });

  it('draws uniformly: mean and bucket counts within statistical bounds', () => {
    const random = Random.root('uniformity');
    const n = 100_000;
    const buckets = new Array(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = random.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
      buckets[Math.floor(x * 10)]++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005); // σ ≈ 0.0009
    // Chi-square with 9 degrees of freedom: p = 0.001 critical value is 27.9.
    const expected = n / 10;
    const chi2 = buckets.reduce((acc, count) => acc + (count - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('int covers its inclusive range and pick/shuffle stay within their input', () => {
    const random = Random.root(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(random.int(1, 6));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(random.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(['a', 'b']).toContain(random.pick(['a', 'b']));
    expect(() => random.pick([])).toThrow();
  });
});

describe('IdSource', () => {
  it('generates deterministic ids, UUIDs and Kubernetes-style names', () => {
    const a = new IdSource(Random.root(9).stream('ids'));
    const b = new IdSource(Random.root(9).stream('ids'));
    const idsA = [a.id(), a.uuid(), a.generateName('web-7d4b8c6f5-')];
    const idsB = [b.id(), b.uuid(), b.generateName('web-7d4b8c6f5-')];
    expect(idsA).toEqual(idsB);
    expect(idsA[0]).toMatch(/^[0-9a-z]{12}$/);
    expect(idsA[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idsA[2]).toMatch(/^web-7d4b8c6f5-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(new IdSource(Random.root(10).stream('ids')).id()).not.toBe(idsA[0]);
  });
});
