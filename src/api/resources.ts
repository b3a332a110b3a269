// The resources this model serves, as discovery (kubectl api-resources -o wide) reports them
// for Kubernetes 1.30, plus where kube-apiserver stores each one in etcd.
import { pathSegmentName } from './validation/rules.ts';

export interface ResourceInfo {
  readonly group: string; // "" for the core (legacy) group
  readonly version: string;
  readonly kind: string;
  readonly plural: string; // the REST resource name
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
  readonly categories: readonly string[];
  /** etcd key prefix, without trailing slash, e.g. "/registry/pods". */
  readonly etcdPrefix: string;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
// Namespaces cannot be deleted in bulk.
const NAMESPACE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] as const;

type Spec = Omit<ResourceInfo, 'verbs' | 'subresources' | 'categories' | 'shortNames'> &
  Partial<Pick<ResourceInfo, 'verbs' | 'subresources' | 'categories' | 'shortNames'>>;

function resource(spec: Spec): ResourceInfo {
  return Object.freeze({
    verbs: ALL_VERBS,
    subresources: [],
    categories: [],
    shortNames: [],
    ...spec,
  });
}

export const RESOURCES: readonly ResourceInfo[] = Object.freeze([
  resource({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], namespaced: false, verbs: NAMESPACE_VERBS, subresources: ['finalize', 'status'], etcdPrefix: '/registry/namespaces' }),
  // Nodes live under their pre-1.0 name, "minions".
  resource({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', shortNames: ['no'], namespaced: false, subresources: ['proxy', 'status'], etcdPrefix: '/registry/minions' }),
  resource({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', shortNames: ['po'], namespaced: true, categories: ['all'], subresources: ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'status'], etcdPrefix: '/registry/pods' }),
  resource({ group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', shortNames: ['ev'], namespaced: true, etcdPrefix: '/registry/events' }),
  resource({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], namespaced: true, etcdPrefix: '/registry/configmaps' }),
  resource({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true, etcdPrefix: '/registry/secrets' }),
  resource({ group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', shortNames: ['svc'], namespaced: true, categories: ['all'], subresources: ['proxy', 'status'], etcdPrefix: '/registry/services/specs' }),
  resource({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', shortNames: ['ep'], namespaced: true, etcdPrefix: '/registry/services/endpoints' }),
  resource({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', shortNames: ['sa'], namespaced: true, subresources: ['token'], etcdPrefix: '/registry/serviceaccounts' }),
  resource({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease', namespaced: true, etcdPrefix: '/registry/leases' }),
  resource({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: ['deploy'], namespaced: true, categories: ['all'], subresources: ['scale', 'status'], etcdPrefix: '/registry/deployments' }),
  resource({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', shortNames: ['rs'], namespaced: true, categories: ['all'], subresources: ['scale', 'status'], etcdPrefix: '/registry/replicasets' }),
  resource({ group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset', shortNames: ['ds'], namespaced: true, categories: ['all'], subresources: ['status'], etcdPrefix: '/registry/daemonsets' }),
  resource({ group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true, categories: ['all'], subresources: ['status'], etcdPrefix: '/registry/jobs' }),
  resource({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice', namespaced: true, etcdPrefix: '/registry/endpointslices' }),
  // Same storage as core events: both APIs read and write /registry/events.
  resource({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', shortNames: ['ev'], namespaced: true, etcdPrefix: '/registry/events' }),
]);

export function apiVersionOf(r: ResourceInfo): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** "Deployment.apps" / "Pod": schema.GroupKind.String(), used in API error messages. */
export function groupKindString(r: Pick<ResourceInfo, 'group' | 'kind'>): string {
  return r.group === '' ? r.kind : `${r.kind}.${r.group}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

// Where a kind or name exists in several groups, the first registered (core) wins, as kubectl's
// group priority does for "events".
export function resourceForKind(kind: string, group?: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.kind === kind && (group === undefined || r.group === group));
}

export function resourceForPlural(plural: string, group?: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.plural === plural && (group === undefined || r.group === group));
}

export function resourceForShortName(shortName: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.shortNames.includes(shortName));
}

export function resourceForApiVersionKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  return RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind);
}

export function resourceForObject(obj: { apiVersion?: string; kind?: string }): ResourceInfo | undefined {
  return obj.apiVersion !== undefined && obj.kind !== undefined ? resourceForApiVersionKind(obj.apiVersion, obj.kind) : undefined;
}

/**
 * Resolves what a user types after `kubectl get`: plural, singular, short name or kind, in
 * any case, optionally qualified with a group ("deployments.apps", "ev.events.k8s.io").
 */
export function findResource(term: string): ResourceInfo | undefined {
  const lower = term.toLowerCase();
  const dot = lower.indexOf('.');
  const name = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  return RESOURCES.find(
    (r) =>
      (group === undefined || r.group === group) &&
      (r.plural === name || r.singular === name || r.kind.toLowerCase() === name || r.shortNames.includes(name)),
  );
}

export class ResourceKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceKeyError';
  }
}

/** registry.NamespaceKeyFunc / NoNamespaceKeyFunc, including their BadRequest texts. */
export function keyFor(r: ResourceInfo, namespace: string | undefined, name: string): string {
  const problems = pathSegmentName(name, false);
  if (problems.length > 0) throw new ResourceKeyError(`Name parameter invalid: "${name}": ${problems.join(';')}`);
  if (!r.namespaced) return `${r.etcdPrefix}/${name}`;
  if (namespace === undefined || namespace === '') throw new ResourceKeyError('Namespace parameter required.');
  return `${r.etcdPrefix}/${namespace}/${name}`;
}

/** Range prefix for a list/watch, with the trailing slash the registry adds. */
export function prefixFor(r: ResourceInfo, namespace?: string): string {
  return r.namespaced && namespace !== undefined && namespace !== '' ? `${r.etcdPrefix}/${namespace}/` : `${r.etcdPrefix}/`;
}

/** Inverse of keyFor for keys under a known prefix. Prefers the longest matching prefix. */
export function parseKey(key: string): { resource: ResourceInfo; namespace?: string; name: string } | undefined {
  const candidates = RESOURCES.filter((r) => key.startsWith(`${r.etcdPrefix}/`)).sort((a, b) => b.etcdPrefix.length - a.etcdPrefix.length);
  const r = candidates[0];
  if (r === undefined) return undefined;
  const rest = key.slice(r.etcdPrefix.length + 1).split('/');
  if (r.namespaced && rest.length === 2 && rest[0] && rest[1]) return { resource: r, namespace: rest[0], name: rest[1] };
  if (!r.namespaced && rest.length === 1 && rest[0]) return { resource: r, name: rest[0] };
  return undefined;
}
