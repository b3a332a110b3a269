// A Service's desired endpoints, as the EndpointSlice reconciler computes them: one Endpoint per
// selected pod with an IP (terminating pods included, with their conditions), grouped by the ports they
// resolve the Service's ports to (podToEndpoint, getEndpointPorts).
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import type { Plant } from '../config.ts';
import { isPodReady } from '../pod-util.ts';
import { findPort, podIPv4s, shouldPodBeInEndpoints, shouldSetHostname } from '../service-util.ts';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0 && service.spec?.clusterIP === 'None') return [];
  const out: EndpointPort[] = [];
  for (const sp of ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** NewPortMapKey: the same ports in any order are one group. */
export function portMapKey(ports: readonly EndpointPort[]): string {
  return canonicalJson([...ports].map((p) => canonicalJson(p)).sort());
}

export function podToEndpoint(pod: Pod, node: Node | undefined, service: Service, plant?: Plant): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata?.deletionTimestamp);
  // Ready is never true for a terminating pod unless publishNotReadyAddresses says to publish it anyway.
  let ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  if (plant === 'endpoints-include-unready') ready = true; // planted bug
  const endpoint: Endpoint = {
    addresses: podIPv4s(pod),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) endpoint.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[ZONE_LABEL];
  if (zone) endpoint.zone = zone;
  if (shouldSetHostname(pod, service)) endpoint.hostname = pod.spec?.hostname;
  return endpoint;
}

/** hashEndpoint: what identifies an endpoint across slices (addresses, hostname, target pod). */
export function endpointKey(e: Endpoint): string {
  return canonicalJson([[...e.addresses].sort(), e.hostname ?? '', e.targetRef?.namespace ?? '', e.targetRef?.name ?? '']);
}

export interface DesiredGroup {
  readonly ports: EndpointPort[];
  /** By endpointKey, in pod-name order (upstream's set is unordered; this keeps runs reproducible). */
  readonly endpoints: Map<string, Endpoint>;
}

export interface Desired {
  readonly groups: Map<string, DesiredGroup>;
  /** Pods skipped because their node is not (yet) in the cache: the sync is retried. */
  readonly missingNode: boolean;
}

export function desiredEndpoints(service: Service, pods: readonly Pod[], nodeOf: (name: string) => Node | undefined, plant?: Plant): Desired {
  const groups = new Map<string, DesiredGroup>();
  let missingNode = false;
  for (const pod of [...pods].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    const key = portMapKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: new Map() }));
    const node = nodeOf(pod.spec?.nodeName ?? '');
    if (!node && service.spec?.publishNotReadyAddresses !== true) {
      missingNode = true;
      continue;
    }
    const endpoint = podToEndpoint(pod, node, service, plant);
    if (endpoint.addresses.length > 0) group.endpoints.set(endpointKey(endpoint), endpoint);
  }
  return { groups, missingNode };
}
