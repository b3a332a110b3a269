// Object keys as client-go's cache.MetaNamespaceKeyFunc makes them: "namespace/name", or "name" for
// cluster-scoped objects. Every cache, index and work queue in this library is keyed this way.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** Anything the API serves: apiVersion/kind plus ObjectMeta. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export function metaNamespaceKey(obj: KubeObject): string {
  const namespace = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return namespace ? `${namespace}/${name}` : name;
}

/** cache.SplitMetaNamespaceKey. */
export function splitMetaNamespaceKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function resourceVersionOf(obj: KubeObject | undefined): string {
  return obj?.metadata?.resourceVersion ?? '';
}
