// Reads from an informer's cache, as client-go's listers offer them.
import type { InformerState } from './informer.ts';
import type { KubeObject } from './keys.ts';
import { storeByIndex, storeGet, storeList, storeListNamespace } from './store.ts';

export function getByKey<T extends KubeObject>(informer: InformerState<T>, key: string): T | undefined {
  return storeGet(informer.store, key);
}

export function getNamespaced<T extends KubeObject>(informer: InformerState<T>, namespace: string, name: string): T | undefined {
  return storeGet(informer.store, `${namespace}/${name}`);
}

export function listAll<T extends KubeObject>(informer: InformerState<T>): T[] {
  return storeList(informer.store);
}

export function listNamespace<T extends KubeObject>(informer: InformerState<T>, namespace: string): T[] {
  return storeListNamespace(informer.store, namespace);
}

export function listByIndex<T extends KubeObject>(informer: InformerState<T>, indexName: string, value: string): T[] {
  return storeByIndex(informer.store, indexName, value);
}
