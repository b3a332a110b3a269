import type { Namespace } from 'kubernetes-types/core/v1.js';
import { RESOURCES, invalidStatus, keyFor, splitApiVersion, validate, validateUpdate, type Cause, type ResourceInfo } from '../../api/index.ts';
import { runMutatingAdmission, runValidatingAdmission, type AdmissionAttributes, type AdmissionLookups } from '../admission/index.ts';
import { ApiError, badRequest, fail } from '../errors.ts';
import { decodeFromStorage, type KubeObject } from '../objects.ts';
import type { Status } from '../protocol.ts';
import { cachePrefixOf } from '../resources.ts';
import type { Effect, Scope } from './effects.ts';
import { readKey } from './storage.ts';

/**
 * The shared middle of every write: mutating admission → validation → validating admission, with the
 * lookups admission needs. Defaulting and validation code trusts the object's shape; when a body's shape
 * makes it throw, the answer is the 400 the Go decoder would have given such a body.
 */

export function guardShape<T>(obj: KubeObject, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const kind = obj.kind ?? '';
    const { version } = splitApiVersion(obj.apiVersion ?? '');
    fail(badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${(e as Error).message}`));
  }
}

const NAMESPACES = RESOURCES.find((r) => r.plural === 'namespaces' && r.group === '')!;

/** The request's namespace, from the watch cache or else etcd (NamespaceLifecycle's live lookup). */
export function* lookupNamespace(s: Scope): Generator<Effect, Namespace | undefined, unknown> {
  const name = s.target.namespace;
  if (!name || !s.target.resource.namespaced) return undefined;
  const key = keyFor(NAMESPACES, undefined, name);
  const cache = s.env.cache(cachePrefixOf(NAMESPACES));
  const cached = cache?.ready ? cache.get(key) : undefined;
  if (cached) return cached as Namespace;
  const kv = yield* readKey(key);
  return kv ? (decodeFromStorage(kv.value, kv.modRevision) as Namespace | undefined) : undefined;
}

export function attributesOf(s: Scope, operation: AdmissionAttributes['operation'], name: string, object?: KubeObject, oldObject?: KubeObject): AdmissionAttributes {
  return {
    operation, resource: s.target.resource, subresource: s.target.subresource, namespace: s.target.namespace,
    name, object, oldObject, user: s.user,
  };
}

export function admit(s: Scope, attributes: AdmissionAttributes, lookups: AdmissionLookups): KubeObject {
  const result = guardShape(attributes.object ?? {}, () => runMutatingAdmission(s.env.config.admission, attributes, lookups));
  if ('status' in result) fail(result.status);
  return result.object;
}

export function admitValidating(s: Scope, attributes: AdmissionAttributes, lookups: AdmissionLookups): void {
  const status = guardShape(attributes.object ?? {}, () => runValidatingAdmission(s.env.config.admission, attributes, lookups));
  if (status) fail(status);
}

export function invalid(resource: ResourceInfo, name: string, causes: readonly Cause[]): Status {
  return invalidStatus(resource.kind, name, causes, resource.group) as Status;
}

export function validateForCreate(resource: ResourceInfo, obj: KubeObject): void {
  const causes = guardShape(obj, () => validate(obj));
  if (causes.length > 0) fail(invalid(resource, obj.metadata?.name ?? '', causes));
}

export function validateForUpdate(resource: ResourceInfo, old: KubeObject, next: KubeObject): void {
  const causes = guardShape(next, () => validateUpdate(old, next));
  if (causes.length > 0) fail(invalid(resource, next.metadata?.name ?? '', causes));
}
