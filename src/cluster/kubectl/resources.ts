// What kubectl resolves before it sends anything: a resource term (`deploy`, `pods`, `Deployment`,
// `deployments.apps`) to its REST resource, and `kind/name` targets such as `deployment/web`.
import { apiVersionOf, findResource, resourceForObject, type ResourceInfo } from '../../api/resources.ts';
import type { ApiQuery, ApiRequest } from '../../apiserver/protocol.ts';

/** kubectl's wording when a term names no resource. */
export class UnknownResourceError extends Error {
  constructor(term: string) {
    super(`error: the server doesn't have a resource type "${term}"`);
    this.name = 'UnknownResourceError';
  }
}

export function resolveResource(term: string): ResourceInfo {
  const info = findResource(term);
  if (!info) throw new UnknownResourceError(term);
  return info;
}

export interface Target {
  resource: ResourceInfo;
  name: string;
}

/** `deployment/web` → the Deployment resource and `web`. */
export function parseTarget(text: string): Target {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1 || text.indexOf('/', slash + 1) >= 0) {
    throw new Error(`error: arguments in resource/name form must have a single resource and name, got "${text}"`);
  }
  return { resource: resolveResource(text.slice(0, slash)), name: text.slice(slash + 1) };
}

/** `deployment.apps/web`, as kubectl prints an object it acted on. */
export function qualifiedName(resource: ResourceInfo, name: string): string {
  const kind = resource.kind.toLowerCase();
  return `${resource.group ? `${kind}.${resource.group}` : kind}/${name}`;
}

/** The namespace a request for `resource` goes to (none for cluster-scoped resources). */
export function namespaceFor(resource: ResourceInfo, namespace: string | undefined): string | undefined {
  return resource.namespaced ? (namespace ?? 'default') : undefined;
}

export function request(
  resource: ResourceInfo, verb: ApiRequest['verb'], parts: Partial<Omit<ApiRequest, 'verb' | 'group' | 'version' | 'resource'>> = {},
): ApiRequest {
  const out: ApiRequest = { verb, group: resource.group, version: resource.version, resource: resource.plural };
  for (const [key, value] of Object.entries(parts)) {
    if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = value;
  }
  if (!resource.namespaced) delete out.namespace;
  return out;
}

export function listQuery(opts: { labelSelector?: string; fieldSelector?: string }): ApiQuery | undefined {
  const query: ApiQuery = {};
  if (opts.labelSelector) query.labelSelector = opts.labelSelector;
  if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
  return Object.keys(query).length > 0 ? query : undefined;
}

export { apiVersionOf, resourceForObject };
