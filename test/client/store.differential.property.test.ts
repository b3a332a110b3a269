// The informer cache (persistent map, binary-search index maintenance) against the implementation it
// replaced (store-reference.ts): after any sequence of puts, deletes and relists, with single- and
// multi-valued indexers, every read — get, list, size, index keys and objects — answers the same, and so
// does every earlier version of the store.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  byControllerUid, byNamespace, byNodeName, emptyStore, metaNamespaceKey, storeByIndex, storeDelete, storeGet, storeIndexKeys,
  storeKeys, storeList, storeListNamespace, storePut, storeReplace, storeSize, type Indexers, type Store,
} from '../../src/client/index.ts';
import { numRuns } from '../fc.ts';
import { refDelete, refEmpty, refGet, refIndexKeys, refList, refPut, refReplace, type ReferenceStore } from './store-reference.ts';

const NAMESPACES = ['default', 'kube-system', 'ns-b'];
const OWNERS = ['u1', 'u2', 'u3', undefined];
const NODES = ['node-1', 'node-2', undefined];
const LABELS = ['web', 'db', 'cache'];

/** A multi-valued index (one object under several values), as no built-in indexer is. */
const byLabelValues = (pod: Pod) => Object.values(pod.metadata?.labels ?? {});
const indexers: Indexers<Pod> = {
  namespace: byNamespace, controllerUID: byControllerUid, nodeName: byNodeName, labels: byLabelValues,
};

const podArb: fc.Arbitrary<Pod> = fc.record({
  name: fc.integer({ min: 0, max: 40 }).map((i) => `p-${i}`),
  namespace: fc.constantFrom(...NAMESPACES),
  owner: fc.constantFrom(...OWNERS),
  node: fc.constantFrom(...NODES),
  labels: fc.subarray(LABELS),
}).map(({ name, namespace, owner, node, labels }) => ({
  metadata: {
    name, namespace, labels: Object.fromEntries(labels.map((l, i) => [`k${i}`, l])),
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true }] } : {}),
  },
  spec: { containers: [], ...(node ? { nodeName: node } : {}) },
}));

type Op = { kind: 'put'; pod: Pod } | { kind: 'delete'; pod: Pod } | { kind: 'replace'; pods: Pod[] };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: podArb.map((pod) => ({ kind: 'put' as const, pod })) },
  { weight: 3, arbitrary: podArb.map((pod) => ({ kind: 'delete' as const, pod })) },
  { weight: 1, arbitrary: fc.array(podArb, { maxLength: 20 }).map((pods) => ({ kind: 'replace' as const, pods })) },
);

const VALUES: Record<string, readonly string[]> = {
  namespace: NAMESPACES, controllerUID: ['u1', 'u2', 'u3', '_ORPHAN_POD'], nodeName: ['node-1', 'node-2', ''], labels: LABELS,
};

function sameReads(store: Store<Pod>, ref: ReferenceStore<Pod>): void {
  expect(storeList(store)).toEqual(refList(ref));
  expect(storeKeys(store)).toEqual(Object.keys(ref.items).sort());
  expect(storeSize(store)).toBe(Object.keys(ref.items).length);
  for (const i of Array.from({ length: 42 }, (_, n) => n)) {
    for (const ns of NAMESPACES) expect(storeGet(store, `${ns}/p-${i}`)).toBe(refGet(ref, `${ns}/p-${i}`));
  }
  for (const ns of NAMESPACES) expect(storeListNamespace(store, ns)).toEqual(refList(ref).filter((p) => p.metadata?.namespace === ns));
  for (const [name, values] of Object.entries(VALUES)) {
    for (const value of values) {
      expect(storeIndexKeys(store, name, value)).toEqual(refIndexKeys(ref, name, value));
      expect(storeByIndex(store, name, value)).toEqual(refIndexKeys(ref, name, value).map((key) => ref.items[key]));
    }
  }
}

describe('informer cache against the implementation it replaced (differential property)', () => {
  it('answers every read the same after any puts, deletes and relists, in every version', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        let store = emptyStore(indexers);
        let ref = refEmpty(indexers);
        const versions: [Store<Pod>, ReferenceStore<Pod>][] = [];
        for (const op of ops) {
          if (op.kind === 'replace') {
            const entries = op.pods.map((pod) => [metaNamespaceKey(pod), pod] as const);
            store = storeReplace(indexers, entries);
            ref = refReplace(indexers, entries);
          } else if (op.kind === 'put') {
            store = storePut(store, indexers, metaNamespaceKey(op.pod), op.pod);
            ref = refPut(ref, indexers, metaNamespaceKey(op.pod), op.pod);
          } else {
            store = storeDelete(store, indexers, metaNamespaceKey(op.pod));
            ref = refDelete(ref, indexers, metaNamespaceKey(op.pod));
          }
          versions.push([store, ref]);
        }
        for (const [s, r] of versions) sameReads(s, r);
      }),
      { numRuns: numRuns(50) },
    );
  });
});
