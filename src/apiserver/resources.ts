import { RESOURCES, apiVersionOf, keyFor, prefixFor, ResourceKeyError, type ResourceInfo } from '../api/index.ts';
import { pathSegmentName } from '../api/validation/rules.ts';
import type { ApiRequest } from './protocol.ts';
import { badRequest, fail, methodNotAllowed, resourceNotFound } from './errors.ts';

/**
 * What this apiserver serves and how a request names its target. events.k8s.io shares core events' etcd
 * prefix but needs a conversion this model does not have yet, so it is not served.
 */

export function servedResources(plurals?: readonly string[]): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group !== 'events.k8s.io' && (!plurals || plurals.includes(r.plural)));
}

/** The watch cache a resource reads from: one per etcd prefix. */
export function cachePrefixOf(resource: ResourceInfo): string {
  return `${resource.etcdPrefix}/`;
}

export function listKindOf(resource: ResourceInfo): string {
  return `${resource.kind}List`;
}

export { apiVersionOf };

/** Subresources this model implements, and the verbs each accepts. */
const SUBRESOURCE_VERBS: Readonly<Record<string, readonly ApiRequest['verb'][]>> = {
  status: ['get', 'update', 'patch'],
  scale: ['get', 'update', 'patch'],
  binding: ['create'],
  eviction: ['create'],
  log: ['get'],
  // Not in the protocol's subresource union yet; served so a namespace can be finalized (see docs).
  finalize: ['update'],
};

/** A request resolved against the registry. */
export interface Target {
  resource: ResourceInfo;
  /** Set for namespaced resources when the request names a namespace. */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** etcd key of the named object (when `name` is set). */
  key?: string;
  /** etcd range prefix for lists and watches (namespace-scoped when a namespace is given). */
  scopePrefix: string;
}

const COLLECTION_VERBS: readonly ApiRequest['verb'][] = ['list', 'watch', 'deletecollection', 'create'];

export function resolveTarget(request: ApiRequest, served: readonly ResourceInfo[]): Target {
  const resource = served.find((r) => r.group === request.group && r.version === request.version && r.plural === request.resource);
  if (!resource) fail(resourceNotFound());
  const subresource = request.subresource;
  if (subresource !== undefined) {
    const verbs = SUBRESOURCE_VERBS[subresource];
    if (!verbs || !resource.subresources.includes(subresource)) fail(resourceNotFound());
    if (!verbs.includes(request.verb)) fail(methodNotAllowed());
  } else if (!resource.verbs.includes(request.verb)) {
    fail(methodNotAllowed());
  }
  const namespace = request.namespace === '' ? undefined : request.namespace;
  if (!resource.namespaced && namespace !== undefined) fail(resourceNotFound());
  if (namespace !== undefined && typeof namespace !== 'string') fail(badRequest('namespace must be a string'));
  // The namespace is a path segment of every key under it.
  const namespaceProblems = namespace === undefined ? [] : pathSegmentName(namespace, false);
  if (namespaceProblems.length > 0) fail(badRequest(`Namespace parameter invalid: "${namespace}": ${namespaceProblems.join(';')}`));
  const name = request.name === '' ? undefined : request.name;
  if (name !== undefined && typeof name !== 'string') fail(badRequest('name must be a string'));
  const collection = COLLECTION_VERBS.includes(request.verb) && subresource === undefined;
  const target: Target = { resource, namespace, name, subresource, scopePrefix: prefixFor(resource, namespace) };
  if (collection && request.verb !== 'create') {
    if (resource.namespaced && namespace === undefined && request.verb === 'deletecollection') fail(badRequest('Namespace parameter required.'));
    return target;
  }
  if (request.verb === 'create' && subresource === undefined) {
    if (resource.namespaced && namespace === undefined) fail(badRequest('Namespace parameter required.'));
    return target;
  }
  try {
    target.key = keyFor(resource, namespace, name ?? '');
  } catch (e) {
    if (e instanceof ResourceKeyError) fail(badRequest(name === undefined ? 'Name parameter required.' : e.message));
    throw e;
  }
  return target;
}
