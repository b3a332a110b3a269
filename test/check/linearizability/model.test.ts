import { describe, expect, it } from 'vitest';
import type { KvInput, KvOutput } from '../../../src/check/linearizability/history.ts';
import { describeKvOperation, kvModel, modelOptionsFor } from '../../../src/check/linearizability/model.ts';
import type { KvModelOptions, KvState } from '../../../src/check/linearizability/model.ts';
import { cas, del, get, ok, put, range } from './helpers.ts';

const FULL: KvModelOptions = { trackVersions: true, trackRevisions: true };

/** Apply steps in order; returns the final state, or the index of the first rejected step. */
function run(steps: [KvInput, KvOutput | undefined][], options = FULL, from?: KvState): KvState | number {
  const model = kvModel(options);
  let state = from ?? model.init();
  for (const [i, [input, output]] of steps.entries()) {
    const [accepted, next] = model.step(state, input, output);
    if (!accepted) return i;
    state = next;
  }
  return state;
}

const accepts = (steps: [KvInput, KvOutput | undefined][], options = FULL, from?: KvState) =>
  typeof run(steps, options, from) !== 'number';

describe('kvModel', () => {
  it('reads an absent key as null with version and mod_revision 0', () => {
    expect(accepts([[get('x'), ok({ value: null, version: 0, modRevision: 0 })]])).toBe(true);
    expect(accepts([[get('x'), ok({ value: 'a' })]])).toBe(false);
    expect(accepts([[get('x'), ok({ value: null, version: 1 })]])).toBe(false);
  });

  it('counts versions per key and takes mod_revision from the write response', () => {
    const steps: [KvInput, KvOutput][] = [
      [put('x', 'a'), ok({ revision: 2 })],
      [put('x', 'b'), ok({ revision: 4 })],
      [get('x'), ok({ value: 'b', version: 2, modRevision: 4, revision: 4 })],
    ];
    expect(accepts(steps)).toBe(true);
    expect(run([...steps.slice(0, 2), [get('x'), ok({ value: 'b', version: 3 })]])).toBe(2);
    expect(run([...steps.slice(0, 2), [get('x'), ok({ value: 'b', modRevision: 2 })]])).toBe(2);
  });

  it('resets the version on delete and reports whether a key was deleted', () => {
    expect(
      accepts([
        [put('x', 'a'), ok()],
        [del('x'), ok({ deleted: 1 })],
        [del('x'), ok({ deleted: 0 })],
        [put('x', 'b'), ok()],
        [get('x'), ok({ value: 'b', version: 1 })],
      ]),
    ).toBe(true);
    expect(run([[del('x'), ok({ deleted: 1 })]])).toBe(0);
  });

  it('keeps the revision bound monotone: writes create newer revisions, reads never see older ones', () => {
    expect(run([[put('x', 'a'), ok({ revision: 5 })], [put('x', 'b'), ok({ revision: 5 })]])).toBe(1);
    expect(run([[get('x'), ok({ value: null, revision: 9 })], [put('x', 'b'), ok({ revision: 8 })]])).toBe(1);
    expect(run([[put('x', 'a'), ok({ revision: 5 })], [get('x'), ok({ value: 'a', revision: 4 })]])).toBe(1);
    // Gaps are fine: other writers bump the revision too.
    expect(accepts([[put('x', 'a'), ok({ revision: 5 })], [get('x'), ok({ value: 'a', revision: 40 })]])).toBe(true);
  });

  it('follows etcd compare semantics for compare-and-swap', () => {
    // A value compare on a missing key fails; version and mod_revision compare against 0.
    expect(run([[cas('x', { expectValue: 'a' }, 'b'), ok({ succeeded: true })]])).toBe(0);
    expect(accepts([[cas('x', { expectValue: 'a' }, 'b'), ok({ succeeded: false })]])).toBe(true);
    expect(accepts([[cas('x', { expectVersion: 0 }, 'b'), ok({ succeeded: true })], [get('x'), ok({ value: 'b', version: 1 })]])).toBe(true);
    expect(accepts([[cas('x', { expectModRevision: 0 }, 'b'), ok({ succeeded: true })]])).toBe(true);
    // All compares must hold.
    expect(run([[put('x', 'a'), ok()], [cas('x', { expectValue: 'a', expectVersion: 2 }, 'b'), ok({ succeeded: true })]])).toBe(1);
  });

  it('applies a compare-and-swap with unknown outcome exactly when its compare is decidable', () => {
    const s = run([[put('x', 'a'), ok()], [cas('x', { expectValue: 'a' }, 'b'), undefined]]);
    expect(accepts([[get('x'), ok({ value: 'b' })]], FULL, s as KvState)).toBe(true);
    expect(accepts([[get('x'), ok({ value: 'a' })]], FULL, s as KvState)).toBe(false);
  });

  it('keeps both outcomes of an undecidable compare-and-swap with unknown outcome', () => {
    const model = kvModel(FULL);
    const [, s] = model.step(model.initOpenWorld(), cas('x', { expectValue: 'a' }, 'b'), undefined);
    expect(accepts([[get('x'), ok({ value: 'b' })]], FULL, s)).toBe(true);
    expect(accepts([[get('x'), ok({ value: 'z' })]], FULL, s)).toBe(true);
  });

  it('keeps both outcomes of a lost compare-and-swap whose compare cannot be decided, and nothing else', () => {
    // The lost put leaves the mod_revision unknown, so the compare cannot be decided.
    const s = run([[put('x', 'a'), undefined], [cas('x', { expectModRevision: 5 }, 'b'), undefined]]) as KvState;
    expect(s.stores).toHaveLength(2);
    expect(accepts([[get('x'), ok({ value: 'a' })]], FULL, s)).toBe(true);
    expect(accepts([[get('x'), ok({ value: 'b' })]], FULL, s)).toBe(true);
    expect(accepts([[get('x'), ok({ value: 'z' })]], FULL, s)).toBe(false);
    // The branch where the compare held learned the old mod_revision.
    expect(accepts([[get('x'), ok({ value: 'a', modRevision: 7 })]], FULL, s)).toBe(true);
  });

  it('adopts what reads observe in an open world, then holds to it', () => {
    const model = kvModel(FULL);
    const open = model.initOpenWorld();
    expect(accepts([[get('x'), ok({ value: 'q', version: 7 })], [get('x'), ok({ value: 'q', version: 7 })]], FULL, open)).toBe(true);
    expect(run([[get('x'), ok({ value: 'q' })], [get('x'), ok({ value: 'r' })]], FULL, open)).toBe(1);
    expect(run([[get('x'), ok({ value: 'q', version: 7 })], [put('x', 'r'), ok()], [get('x'), ok({ value: 'r', version: 9 })]], FULL, open)).toBe(2);
    // A range observes absence of every key under its prefix.
    expect(run([[get('a/1'), ok({ value: 'v' })], [range('a/'), ok({ kvs: [] })]], FULL, open)).toBe(1);
  });

  it('counts versions only as lower bounds when asked to (writes with unknown outcome around)', () => {
    const relaxed = { ...FULL, approximateVersions: new Set(['x']) };
    const twoPuts: [KvInput, KvOutput][] = [
      [put('x', 'a'), ok()],
      [put('x', 'b'), ok()],
    ];
    expect(accepts([...twoPuts, [get('x'), ok({ value: 'b', version: 5 })]], relaxed)).toBe(true);
    expect(accepts([...twoPuts, [get('x'), ok({ value: 'b', version: 1 })]], relaxed)).toBe(false);
    expect(accepts([...twoPuts, [get('x'), ok({ value: 'b', version: 5 })]])).toBe(false);
    expect(accepts([...twoPuts, [cas('x', { expectVersion: 1 }, 'c'), ok({ succeeded: true })]], relaxed)).toBe(false);
  });

  it('chooses what to track from what the operations observe', () => {
    expect(modelOptionsFor([{ input: get('x'), output: ok({ value: 'a' }) }])).toEqual({
      trackVersions: false,
      trackRevisions: false,
      approximateVersions: new Set(),
    });
    expect(modelOptionsFor([{ input: get('x'), output: ok({ version: 1, revision: 3 }) }])).toMatchObject({ trackVersions: true, trackRevisions: true });
    expect(modelOptionsFor([{ input: cas('x', { expectModRevision: 3 }, 'b') }]).trackRevisions).toBe(true);
    expect(modelOptionsFor([{ input: put('x', 'a'), ret: Number.POSITIVE_INFINITY }, { input: put('y', 'b') }]).approximateVersions).toEqual(new Set(['x']));
  });

  it('is pure: stepping never mutates the given state', () => {
    const model = kvModel(FULL);
    const s = run([[put('x', 'a'), ok({ revision: 2 })], [put('y', 'b'), ok({ revision: 3 })]]) as KvState;
    const snapshot = JSON.stringify(s.stores.map((store) => [store.revision, [...store.keys]]));
    model.step(s, del('x'), ok({ deleted: 1, revision: 4 }));
    model.step(s, put('y', 'c'), ok({ revision: 5 }));
    model.step(s, cas('x', { expectValue: 'a' }, 'z'), ok({ succeeded: true, revision: 6 }));
    model.step(s, cas('x', { expectModRevision: 9 }, 'z'), undefined);
    expect(JSON.stringify(s.stores.map((store) => [store.revision, [...store.keys]]))).toBe(snapshot);
  });

  it('hashes and compares states by content, not by construction order', () => {
    const model = kvModel(FULL);
    const a = run([[put('x', 'a'), ok({ revision: 2 })], [put('y', 'b'), ok({ revision: 3 })], [get('x'), ok({ revision: 3 })]]) as KvState;
    const b = run([[put('y', 'b'), ok({ revision: 3 })], [put('x', 'a'), ok({ revision: 2 })]], { ...FULL, trackRevisions: false }) as KvState;
    const c = run([[put('y', 'b'), ok({ revision: 2 })], [put('x', 'a'), ok({ revision: 3 })]]) as KvState;
    expect(model.equal(a, a)).toBe(true);
    expect(model.equal(a, c)).toBe(false);
    const reordered: KvState = { stores: [{ ...a.stores[0], keys: new Map([...a.stores[0].keys].reverse()) }] };
    expect(model.equal(a, reordered)).toBe(true);
    expect(model.hash(a)).toBe(model.hash(reordered));
    expect(model.equal(a, b)).toBe(false);
  });

  it('orders states by how constrained they are', () => {
    const model = kvModel(FULL);
    const known = run([[put('x', 'a'), ok({ revision: 5 })]]) as KvState;
    const later = run([[put('x', 'a'), ok({ revision: 9 })]]) as KvState;
    const open = model.initOpenWorld();
    const learned = run([[get('x'), ok({ value: 'a', revision: 5 })]], FULL, open) as KvState;
    expect(model.dominates!(open, learned)).toBe(true);
    expect(model.dominates!(learned, open)).toBe(false);
    expect(model.dominates!(known, known)).toBe(true);
    expect(model.dominates!(known, later)).toBe(false); // different mod_revision
    expect(model.dominates!(known, model.init())).toBe(false);
  });

  it('describes operations for humans', () => {
    expect(describeKvOperation(put('x', 'a'), ok({ revision: 3 }))).toBe('put("x", "a") → @rev 3');
    expect(describeKvOperation(get('x'), ok({ value: null }))).toBe('get("x") → absent');
    expect(describeKvOperation(cas('x', { expectValue: 'a', expectVersion: 2 }, 'b'), undefined)).toBe('cas("x", value=="a" && version==2 ⇒ "b") → ?');
    expect(describeKvOperation(range('p/'), ok({ kvs: [{ key: 'p/a', value: '1' }] }))).toBe('range("p/"*) → {"p/a": "1"}');
    expect(describeKvOperation(del('x'), { ok: false, error: 'timeout' })).toBe('delete("x") → error: timeout');
  });
});
