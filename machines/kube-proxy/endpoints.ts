// The proxier's view of EndpointSlices (pkg/proxy/endpointslicecache.go) and which endpoints a service
// port uses on this node (pkg/proxy/topology.go CategorizeEndpoints, without topology-aware hints).
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointKey, servicePortName, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-ports.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
  /** On this kube-proxy's node. */
  readonly isLocal: boolean;
}

export function endpointString(ep: EndpointInfo): string {
  return `${ep.ip}:${ep.port}`;
}

/**
 * Endpoints by service port key, each list sorted by "ip:port" (as the cache returns them). Only IPv4
 * slices labelled with their Service; an endpoint's first address; duplicates across slices collapse.
 */
export function endpointsMap(slices: Iterable<EndpointSlice>, nodeName: string): Map<string, EndpointInfo[]> {
  const sets = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!service || slice.addressType !== 'IPv4') continue;
    const namespace = slice.metadata?.namespace ?? '';
    for (const port of slice.ports ?? []) {
      if (port.port === undefined || port.port === null) continue;
      const key = endpointKey(servicePortName(namespace, service, port.name ?? ''), port.protocol ?? 'TCP');
      const set = sets.get(key) ?? new Map<string, EndpointInfo>();
      sets.set(key, set);
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip) continue;
        const ready = ep.conditions?.ready ?? true;
        const info: EndpointInfo = {
          ip, port: port.port, ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating ?? false,
          ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
          isLocal: ep.nodeName === nodeName,
        };
        const id = endpointString(info);
        if (!set.has(id) || info.isLocal) set.set(id, info);
      }
    }
  }
  const out = new Map<string, EndpointInfo[]>();
  for (const [key, set] of sets) out.set(key, [...set.values()].sort((a, b) => cmp(endpointString(a), endpointString(b))));
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface CategorizedEndpoints {
  /** For "Cluster" traffic policy: ready endpoints, or else serving-and-terminating ones. */
  readonly cluster: readonly EndpointInfo[];
  /** For "Local" traffic policy: this node's ready endpoints, or else its serving-and-terminating ones. */
  readonly local: readonly EndpointInfo[];
  /** Every endpoint some rule of this node may send to. */
  readonly reachable: readonly EndpointInfo[];
  /** Whether the service has usable endpoints anywhere in the cluster. */
  readonly hasAny: boolean;
}

export function categorizeEndpoints(endpoints: readonly EndpointInfo[], sp: ServicePortInfo): CategorizedEndpoints {
  let cluster: EndpointInfo[] = [];
  let hasAny = false;
  if (usesClusterEndpoints(sp)) {
    cluster = endpoints.filter((ep) => ep.ready);
    // No ready endpoint anywhere: fall back to terminating ones still serving, so connections drain.
    if (cluster.length === 0) cluster = endpoints.filter((ep) => ep.serving && ep.terminating);
    hasAny = cluster.length > 0;
  }
  if (!usesLocalEndpoints(sp)) return { cluster, local: [], reachable: cluster, hasAny };

  let localReady = false;
  let localServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAny = true;
      if (ep.isLocal) localReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAny = true;
      if (ep.isLocal) localServingTerminating = true;
    }
  }
  let local: EndpointInfo[] = [];
  if (localReady) local = endpoints.filter((ep) => ep.isLocal && ep.ready);
  else if (localServingTerminating) local = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  if (!usesClusterEndpoints(sp)) return { cluster, local, reachable: local, hasAny };
  const seen = new Set(cluster.map(endpointString));
  const reachable = [...cluster, ...local.filter((ep) => !seen.has(endpointString(ep)))];
  return { cluster, local, reachable, hasAny };
}
