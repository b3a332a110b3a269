import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/**
 * API objects as the apiserver handles them: decoded JSON with apiVersion, kind and metadata. Stored in etcd
 * as JSON without `metadata.resourceVersion` (the key's mod revision is the resource version, as upstream's
 * APIObjectVersioner does).
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value written to etcd. */
export function encodeForStorage(obj: KubeObject): string {
  const metadata = { ...obj.metadata };
  delete metadata.resourceVersion;
  return JSON.stringify({ ...obj, metadata });
}

/** A stored value back as an object carrying its resource version; undefined when the value is corrupt. */
export function decodeFromStorage(value: string, modRevision: number): KubeObject | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  const obj = parsed as KubeObject;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(modRevision) } };
}

/**
 * Objects the watch cache hands out are shared by every list and watch event; freezing them makes a client
 * that modifies one in place fail loudly instead of corrupting what other clients see.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  return Object.freeze(value);
}

/** A copy with another resource version (frozen, sharing the frozen parts of the original). */
export function withResourceVersion(obj: KubeObject, resourceVersion: number): KubeObject {
  return Object.freeze({ ...obj, metadata: Object.freeze({ ...obj.metadata, resourceVersion: String(resourceVersion) }) });
}

/** A mutable deep copy of a (possibly frozen) JSON object. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
