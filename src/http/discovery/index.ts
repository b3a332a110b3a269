// Discovery, as kube-apiserver serves it to kubectl and client-go: the legacy documents (`/api`, `/apis`,
// `/api/v1`, `/apis/<group>`, `/apis/<group>/<version>`) and, when the Accept header asks for it, the
// aggregated APIGroupDiscoveryList at `/api` and `/apis` (v2, and v2beta1 for kubectl 1.27–1.29).
import { jsonReply, type HttpReply } from '../reply.ts';
import { aggregatedDiscovery } from './aggregated.ts';
import { aggregatedContentType, negotiateDiscovery } from './accept.ts';
import { apiResourcesOf, servedGroups, type GroupVersions } from './api-resources.ts';

export type { HttpReply } from '../reply.ts';
export { storageVersionHash } from './api-resources.ts';

export interface DiscoveryOptions {
  /** host:port clients reach the apiserver at, for APIVersions.serverAddressByClientCIDRs. */
  serverAddress?: string;
}

const aggregatedCache = new Map<string, HttpReply>();

/** What the apiserver's mux answers for a path under /api or /apis that no group or version serves. */
const NOT_FOUND: HttpReply = { status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found\n' };

function groupVersion(group: string, version: string): { groupVersion: string; version: string } {
  return { groupVersion: group === '' ? version : `${group}/${version}`, version };
}

function apiGroup(g: GroupVersions): object {
  return {
    name: g.group,
    versions: g.versions.map((v) => groupVersion(g.group, v)),
    preferredVersion: groupVersion(g.group, g.versions[0]),
  };
}

function resourceList(group: string, version: string): object {
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version).groupVersion, resources: apiResourcesOf(group, version) };
}

/**
 * The discovery document for `path` (query string ignored), or undefined when the path is not a discovery
 * path (a resource URL, /version, …). Unknown groups and versions get the mux's plain 404.
 */
export function discoveryResponse(path: string, accept: string | undefined, options: DiscoveryOptions = {}): HttpReply | undefined {
  const clean = path.split('?')[0].replace(/\/+$/, '');
  const segments = clean.split('/').slice(1);
  const root = segments[0];
  if (root !== 'api' && root !== 'apis') return undefined;
  const groups = servedGroups();

  if (segments.length === 1) {
    const format = negotiateDiscovery(accept);
    if (format.aggregated) {
      // The documents depend only on the served resources: built once per root and version.
      const key = `${root}/${format.version}`;
      let reply = aggregatedCache.get(key);
      if (!reply) {
        reply = jsonReply(aggregatedDiscovery(root, format.version), aggregatedContentType(format.version));
        aggregatedCache.set(key, reply);
      }
      return reply;
    }
    if (root === 'api') {
      const core = groups.find((g) => g.group === '');
      return jsonReply({
        kind: 'APIVersions',
        versions: core?.versions ?? [],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: options.serverAddress ?? '127.0.0.1:6443' }],
      });
    }
    return jsonReply({ kind: 'APIGroupList', apiVersion: 'v1', groups: groups.filter((g) => g.group !== '').map(apiGroup) });
  }

  if (root === 'api') {
    if (segments.length !== 2) return undefined;
    const core = groups.find((g) => g.group === '');
    return core?.versions.includes(segments[1]) ? jsonReply(resourceList('', segments[1])) : NOT_FOUND;
  }

  const group = groups.find((g) => g.group !== '' && g.group === segments[1]);
  if (segments.length === 2) return group ? jsonReply({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) }) : NOT_FOUND;
  if (segments.length === 3) return group?.versions.includes(segments[2]) ? jsonReply(resourceList(group.group, segments[2])) : NOT_FOUND;
  return undefined;
}
