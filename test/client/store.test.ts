import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  byControllerUid, byNodeName, emptyStore, ORPHAN_INDEX_KEY, storeByIndex, storeDelete, storeGet, storeIndexKeys, storeKeys,
  storePut, storeReplace, type Indexers,
} from '../../src/client/index.ts';

const indexers: Indexers<Pod> = { controllerUID: byControllerUid, nodeName: byNodeName };
const owned = (name: string, uid: string | undefined, node?: string): Pod => ({
  metadata: {
    name, namespace: 'ns',
    ...(uid ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid, controller: true }] } : {}),
  },
  spec: { containers: [], ...(node ? { nodeName: node } : {}) },
});

describe('store and indexer', () => {
  it('indexes by controller uid (orphans under one key) and by node, and keeps indices exact on update and delete', () => {
    let store = emptyStore(indexers);
    store = storePut(store, indexers, 'ns/a', owned('a', 'u1', 'n1'));
    store = storePut(store, indexers, 'ns/b', owned('b', 'u1'));
    store = storePut(store, indexers, 'ns/c', owned('c', undefined, 'n1'));
    expect(storeIndexKeys(store, 'controllerUID', 'u1')).toEqual(['ns/a', 'ns/b']);
    expect(storeIndexKeys(store, 'controllerUID', ORPHAN_INDEX_KEY)).toEqual(['ns/c']);
    expect(storeIndexKeys(store, 'nodeName', '')).toEqual(['ns/b']);

    const before = store;
    store = storePut(store, indexers, 'ns/b', owned('b', 'u2', 'n2'));
    expect(storeIndexKeys(store, 'controllerUID', 'u1')).toEqual(['ns/a']);
    expect(storeByIndex(store, 'controllerUID', 'u2').map((p) => p.metadata?.name)).toEqual(['b']);
    expect(storeIndexKeys(store, 'nodeName', '')).toEqual([]);
    // Immutable: the earlier value is untouched.
    expect(storeIndexKeys(before, 'controllerUID', 'u1')).toEqual(['ns/a', 'ns/b']);

    store = storeDelete(store, indexers, 'ns/a');
    expect(storeGet(store, 'ns/a')).toBeUndefined();
    expect(storeIndexKeys(store, 'controllerUID', 'u1')).toEqual([]);
    expect(storeIndexKeys(store, 'nodeName', 'n1')).toEqual(['ns/c']);
  });

  it('replaces everything at once, with indices rebuilt', () => {
    const store = storeReplace(indexers, [['ns/z', owned('z', 'u9', 'n3')], ['ns/y', owned('y', undefined)]]);
    expect(storeKeys(store)).toEqual(['ns/y', 'ns/z']);
    expect(storeIndexKeys(store, 'nodeName', 'n3')).toEqual(['ns/z']);
    expect(() => storeIndexKeys(store, 'missing', 'x')).toThrow('index "missing" does not exist');
  });
});
