// The proxier's view of Services (pkg/proxy/serviceport.go, servicechangetracker.go): one entry per
// service port of every Service that has a cluster IP. ExternalName and headless Services (no cluster IP)
// are not proxied.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { L4Protocol } from '../../src/network/kernel.ts';

/** Default ClientIP affinity timeout (v1.DefaultClientIPServiceAffinitySeconds, 3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10_800;

export interface ServicePortInfo {
  /** ServicePortName.String(): "namespace/name:port", or "namespace/name" for an unnamed port. */
  readonly name: string;
  /** Joins a service port with its endpoints: the name plus the protocol. */
  readonly key: string;
  readonly namespace: string;
  readonly service: string;
  readonly portName: string;
  readonly protocol: L4Protocol;
  readonly clusterIP: string;
  readonly port: number;
  /** 0 when none. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  readonly sessionAffinityClientIP: boolean;
  readonly stickyMaxAgeSeconds: number;
  readonly internalPolicyLocal: boolean;
  readonly externalPolicyLocal: boolean;
  readonly healthCheckNodePort: number;
}

export function servicePortName(namespace: string, service: string, portName: string): string {
  return `${namespace}/${service}${portName ? `:${portName}` : ''}`;
}

export function endpointKey(name: string, protocol: string): string {
  return `${name}|${protocol}`;
}

/** IsServiceIPSet: a cluster IP that is neither empty nor "None". */
function proxiedClusterIP(svc: Service): string | undefined {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None' || svc.spec?.type === 'ExternalName') return undefined;
  return ip;
}

export function servicePortsOf(svc: Service): ServicePortInfo[] {
  const clusterIP = proxiedClusterIP(svc);
  if (!clusterIP) return [];
  const spec = svc.spec!;
  const namespace = svc.metadata?.namespace ?? '';
  const service = svc.metadata?.name ?? '';
  const loadBalancerIPs = (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
  const externallyAccessibleType = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.externalIPs ?? []).length > 0;
  return (spec.ports ?? []).map((p) => {
    const protocol = (p.protocol ?? 'TCP') as L4Protocol;
    const name = servicePortName(namespace, service, p.name ?? '');
    return {
      name, key: endpointKey(name, protocol), namespace, service, portName: p.name ?? '', protocol, clusterIP, port: p.port,
      nodePort: p.nodePort ?? 0,
      externalIPs: spec.externalIPs ?? [],
      loadBalancerIPs,
      sessionAffinityClientIP: spec.sessionAffinity === 'ClientIP',
      stickyMaxAgeSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS,
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      externalPolicyLocal: externallyAccessibleType && spec.externalTrafficPolicy === 'Local',
      healthCheckNodePort: spec.healthCheckNodePort ?? 0,
    };
  });
}

/** Every proxied service port, sorted by name (the proxier's map, in a stable order). */
export function servicePortMap(services: Iterable<Service>): ServicePortInfo[] {
  const ports: ServicePortInfo[] = [];
  for (const svc of services) ports.push(...servicePortsOf(svc));
  return ports.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function externallyAccessible(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.loadBalancerIPs.length > 0 || sp.externalIPs.length > 0;
}

export function usesClusterEndpoints(sp: ServicePortInfo): boolean {
  return !sp.internalPolicyLocal || (externallyAccessible(sp) && !sp.externalPolicyLocal);
}

export function usesLocalEndpoints(sp: ServicePortInfo): boolean {
  return sp.internalPolicyLocal || (externallyAccessible(sp) && sp.externalPolicyLocal);
}
