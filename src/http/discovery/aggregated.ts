// Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1): every group, version and resource in one
// document, answered at /api and /apis when the Accept header asks for `as=APIGroupDiscoveryList`.
// Built from the legacy lists as the installer's ConvertGroupVersionIntoToDiscovery does.
import { apiResourcesOf, servedGroups, type APIResource } from './api-resources.ts';

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

interface APISubresourceDiscovery {
  subresource: string;
  responseKind: GroupVersionKind;
  verbs: string[];
}

interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

export type DiscoveryVersion = 'v2' | 'v2beta1';

function responseKind(r: APIResource): GroupVersionKind {
  return { group: r.group ?? '', version: r.version ?? '', kind: r.kind };
}

function toDiscovery(list: readonly APIResource[]): APIResourceDiscovery[] {
  const out: APIResourceDiscovery[] = [];
  const byName = new Map<string, APIResourceDiscovery>();
  for (const r of list) {
    if (r.name.includes('/')) continue;
    const entry: APIResourceDiscovery = {
      resource: r.name,
      responseKind: responseKind(r),
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    };
    out.push(entry);
    byName.set(r.name, entry);
  }
  for (const r of list) {
    const [parent, sub] = r.name.split('/', 2);
    if (sub === undefined) continue;
    const entry = byName.get(parent);
    if (!entry) continue;
    (entry.subresources ??= []).push({ subresource: sub, responseKind: responseKind(r), verbs: r.verbs });
  }
  return out;
}

/** The APIGroupDiscoveryList for /api (core only) or /apis (every named group). */
export function aggregatedDiscovery(root: 'api' | 'apis', version: DiscoveryVersion): object {
  const groups = servedGroups().filter((g) => (root === 'api' ? g.group === '' : g.group !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({ version: v, resources: toDiscovery(apiResourcesOf(g.group, v)), freshness: 'Current' })),
    })),
  };
}
