// SetDefaults_* for the non-workload kinds. Each mutates an already-cloned object.
import type { Endpoints, Namespace, Node, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { defaultResourceList } from './pod-spec.ts';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** service.ExternallyAccessible: the kinds of Service traffic can reach from outside the cluster. */
export function isExternallyAccessible(svc: Service): boolean {
  const type = svc.spec?.type;
  return (
    type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (svc.spec?.externalIPs ?? []).length > 0)
  );
}

export function defaultService(svc: Service): void {
  const spec = svc.spec;
  if (spec === undefined) return;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (!spec.type) spec.type = 'ClusterIP';
  for (const port of spec.ports ?? []) {
    if (!port.protocol) port.protocol = 'TCP';
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  if (isExternallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) {
    spec.allocateLoadBalancerNodePorts = true;
  }
}

/** A generateName-only namespace gets its label once named (the registry canonicalizes it too). */
export function defaultNamespace(ns: Namespace): Namespace {
  const name = ns.metadata?.name;
  const labeled: Namespace =
    name !== undefined && name !== ''
      ? { ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata?.labels, [NAMESPACE_NAME_LABEL]: name } } }
      : ns;
  const phase = labeled.status?.phase;
  return phase ? labeled : { ...labeled, status: { ...labeled.status, phase: 'Active' } };
}

export function defaultSecret(secret: Secret): void {
  if (!secret.type) secret.type = 'Opaque';
}

/** Allocatable defaults to capacity (a node with no reservations). */
export function defaultNode(node: Node): Node {
  const status = node.status;
  if (status === undefined) return node;
  const capacity = status.capacity === undefined ? undefined : { ...status.capacity };
  defaultResourceList(capacity);
  let allocatable = status.allocatable === undefined ? undefined : { ...status.allocatable };
  if (allocatable === undefined && capacity !== undefined) allocatable = { ...capacity };
  defaultResourceList(allocatable);
  return {
    ...node,
    status: {
      ...status,
      ...(capacity === undefined ? {} : { capacity }),
      ...(allocatable === undefined ? {} : { allocatable }),
    },
  };
}

export function defaultEndpoints(ep: Endpoints): void {
  for (const subset of ep.subsets ?? []) for (const port of subset.ports ?? []) if (!port.protocol) port.protocol = 'TCP';
}

export function defaultEndpointSlice(slice: EndpointSlice): void {
  for (const port of slice.ports ?? []) {
    if (port.name === undefined) port.name = '';
    if (port.protocol === undefined) port.protocol = 'TCP';
  }
}
