import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MvccStore } from '../../../src/etcd/mvcc/index.ts';
import type { Command, MvccStoreOptions } from '../../../src/etcd/mvcc/index.ts';
import { numRuns } from '../../fc.ts';
import { PROBES, commands } from './arbitraries.ts';
import { ReferenceStore } from './reference-model.ts';

const RUNS = numRuns(100);

/** Store and reference agree on every response, on reads at every retained revision, and on leases. */
function agreesWithReference(cmds: Command[], options: MvccStoreOptions = {}): void {
  const store = new MvccStore(options);
  const ref = new ReferenceStore();
  for (const c of cmds) expect(store.apply(c), JSON.stringify(c)).toEqual(ref.apply(c));
  for (let rev = 1; rev <= store.revision + 1; rev++) {
    for (const sel of PROBES) {
      const read: Command = { type: 'range', ...sel, revision: rev };
      expect(store.apply(read), `read ${JSON.stringify(read)}`).toEqual(ref.apply(read));
    }
  }
  expect(store.leases()).toEqual(ref.leases());
}

describe('MvccStore vs reference model', () => {
  it('agrees on responses and on reads at every revision for random command sequences', () => {
    fc.assert(fc.property(commands, (cmds) => agreesWithReference(cmds)), { numRuns: RUNS });
  });

  it('catches a planted bug: re-created keys that do not restart their version', () => {
    const result = fc.check(fc.property(commands, (cmds) => agreesWithReference(cmds, { plant: 'no-version-reset' })), {
      numRuns: Math.max(RUNS, 200),
    });
    expect(result.failed).toBe(true);
    // The shrunk counterexample fails only because of the plant.
    const [cmds] = result.counterexample!;
    expect(() => agreesWithReference(cmds)).not.toThrow();
    expect(() => agreesWithReference(cmds, { plant: 'no-version-reset' })).toThrow();
    expect(cmds.some((c) => c.type === 'put' || c.type === 'txn')).toBe(true);
  });
});

describe('snapshot / restore at any point', () => {
  it('preserves the hash and all future behaviour', () => {
    fc.assert(
      fc.property(commands, fc.nat(), (cmds, cutSeed) => {
        const cut = cutSeed % (cmds.length + 1);
        const original = new MvccStore();
        for (const c of cmds.slice(0, cut)) original.apply(c);
        const restored = MvccStore.restore(JSON.parse(JSON.stringify(original.snapshot())));
        expect(restored.hash()).toBe(original.hash());
        for (const c of cmds.slice(cut)) expect(restored.apply(c)).toEqual(original.apply(c));
        expect(restored.hash()).toBe(original.hash());
        expect(restored.snapshot()).toEqual(original.snapshot());
      }),
      { numRuns: RUNS },
    );
  });

  it('identical command sequences give identical hashes; a diverging command changes it', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const a = new MvccStore();
        const b = new MvccStore();
        for (const c of cmds) {
          a.apply(c);
          b.apply(c);
        }
        expect(a.hash()).toBe(b.hash());
        const before = a.hash();
        const r = a.apply({ type: 'put', key: '/diverge', value: 'x' });
        expect(r.type).toBe('put');
        expect(a.hash()).not.toBe(before);
      }),
      { numRuns: RUNS },
    );
  });
});
