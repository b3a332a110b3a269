// metav1.APIResource entries as kube-apiserver's installer registers them: one per resource, sorted by
// name, subresources as "<resource>/<sub>" with their own kind and verbs, and the storage version hash
// (the first 8 bytes of sha256("<group>/<version>/<kind>") of the kind stored in etcd).
import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceInfo } from '../../api/resources.ts';

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

interface SubresourceSpec {
  /** Kind served; `group`/`version` only when it lives in another API group (GroupVersionKindProvider). */
  kind: (parent: ResourceInfo) => string;
  group?: string;
  version?: string;
  verbs: string[];
}

const PROXY_VERBS = ['create', 'delete', 'get', 'patch', 'update'];
const CONNECT_VERBS = ['create', 'get'];
const STATUS_VERBS = ['get', 'patch', 'update'];

/** What each subresource serves, as `kubectl get --raw /api/v1` lists it. */
const SUBRESOURCES: Readonly<Record<string, SubresourceSpec>> = {
  status: { kind: (p) => p.kind, verbs: STATUS_VERBS },
  scale: { kind: () => 'Scale', group: 'autoscaling', version: 'v1', verbs: STATUS_VERBS },
  finalize: { kind: (p) => p.kind, verbs: ['update'] },
  binding: { kind: () => 'Binding', verbs: ['create'] },
  eviction: { kind: () => 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  ephemeralcontainers: { kind: (p) => p.kind, verbs: STATUS_VERBS },
  log: { kind: (p) => p.kind, verbs: ['get'] },
  attach: { kind: () => 'PodAttachOptions', verbs: CONNECT_VERBS },
  exec: { kind: () => 'PodExecOptions', verbs: CONNECT_VERBS },
  portforward: { kind: () => 'PodPortForwardOptions', verbs: CONNECT_VERBS },
  proxy: { kind: (p) => `${p.kind}ProxyOptions`, verbs: PROXY_VERBS },
  token: { kind: () => 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
};

export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/** The kind written to etcd: events.k8s.io Events are stored as core v1 Events. */
function storageKindOf(r: ResourceInfo): ResourceInfo {
  return RESOURCES.find((other) => other.etcdPrefix === r.etcdPrefix) ?? r;
}

function mainResource(r: ResourceInfo): APIResource {
  const stored = storageKindOf(r);
  return {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: [...r.verbs].sort(),
    ...(r.shortNames.length > 0 ? { shortNames: [...r.shortNames] } : {}),
    ...(r.categories.length > 0 ? { categories: [...r.categories] } : {}),
    storageVersionHash: storageVersionHash(stored.group, stored.version, stored.kind),
  };
}

function subresource(r: ResourceInfo, sub: string): APIResource | undefined {
  const spec = SUBRESOURCES[sub];
  if (spec === undefined) return undefined;
  return {
    name: `${r.plural}/${sub}`,
    singularName: '',
    namespaced: r.namespaced,
    ...(spec.group !== undefined ? { group: spec.group, version: spec.version } : {}),
    kind: spec.kind(r),
    verbs: [...spec.verbs],
  };
}

/** The APIResource list of one group/version, sorted by name as the installer registers paths. */
export function apiResourcesOf(group: string, version: string): APIResource[] {
  const out: APIResource[] = [];
  for (const r of RESOURCES) {
    if (r.group !== group || r.version !== version) continue;
    out.push(mainResource(r));
    for (const sub of r.subresources) {
      const entry = subresource(r, sub);
      if (entry) out.push(entry);
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Served API groups in kube-apiserver's priority order (core first, then as /apis lists them). */
const GROUP_ORDER = ['', 'apps', 'events.k8s.io', 'batch', 'coordination.k8s.io', 'discovery.k8s.io'];

export interface GroupVersions {
  group: string;
  versions: string[];
}

export function servedGroups(): GroupVersions[] {
  const groups = new Map<string, string[]>();
  for (const r of RESOURCES) {
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  const rank = (g: string) => (GROUP_ORDER.includes(g) ? GROUP_ORDER.indexOf(g) : GROUP_ORDER.length);
  return [...groups.entries()].map(([group, versions]) => ({ group, versions })).sort((a, b) => rank(a.group) - rank(b.group) || a.group.localeCompare(b.group));
}
