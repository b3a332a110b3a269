// What the Service REST storage's allocators do on create (pkg/registry/core/service/storage/alloc.go,
// kube-apiserver 1.30, single-stack IPv4): normalise clusterIP/clusterIPs, pre-validate the IP fields,
// then take the cluster IP and node ports — the ones asked for, or free ones chosen at random. Pure: the
// caller supplies what is already taken (derived from the stored Services) and the random source.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { invalid as invalidCause, type Cause } from '../../api/validation/causes.ts';
import { goLiteral, goStringSlice } from '../../api/validation/go-format.ts';
import { RESOURCES } from '../../api/index.ts';
import { fail, internalError } from '../errors.ts';
import { invalid } from '../flows/pipeline.ts';
import { cidrContains, formatIPv4, looksLikeIPv6, parseIPv4 } from './ipv4.ts';
import { pickFree } from './pick.ts';
import { SERVICE_CLUSTER_IP_RANGE, SERVICE_NODE_PORT_RANGE, type NodePortRange, type ServiceIPRange } from './ranges.ts';

const SERVICES = RESOURCES.find((r) => r.group === '' && r.plural === 'services')!;
const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** What the stored Services hold. */
export interface AddressUsage {
  readonly ips: ReadonlySet<string>;
  readonly nodePorts: ReadonlySet<number>;
}

export interface AllocatorRanges {
  readonly ips: ServiceIPRange;
  readonly nodePorts: NodePortRange;
}

export const DEFAULT_RANGES: AllocatorRanges = { ips: SERVICE_CLUSTER_IP_RANGE, nodePorts: SERVICE_NODE_PORT_RANGE };

export interface AllocationResult {
  readonly service: Service;
  /** Which allocators this create draws from (and so must serialise on). */
  readonly usesIPs: boolean;
  readonly usesNodePorts: boolean;
}

export function isHeadless(svc: Service): boolean {
  const ips = svc.spec?.clusterIPs ?? [];
  return ips.length > 0 && ips[0] === 'None';
}

/** Node ports a Service holds: each port's nodePort and the health-check node port. */
export function nodePortsOf(svc: Service): number[] {
  const ports = (svc.spec?.ports ?? []).map((p) => p.nodePort ?? 0);
  return [...ports, svc.spec?.healthCheckNodePort ?? 0].filter((p) => p > 0);
}

export function usageOf(services: Iterable<Service>): AddressUsage {
  const ips = new Set<string>();
  const nodePorts = new Set<number>();
  for (const svc of services) {
    if (svc.spec?.type === 'ExternalName') continue;
    for (const ip of svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])) if (ip !== 'None') ips.add(ip);
    for (const port of nodePortsOf(svc)) nodePorts.add(port);
  }
  return { ips, nodePorts };
}

function reject(svc: Service, causes: Cause[]): never {
  fail(invalid(SERVICES, svc.metadata?.name ?? '', causes));
}

/** normalizeClusterIPs on create: a client that set only the singular field gets the plural one. */
export function normalizeClusterIPs(svc: Service): Service {
  const spec = svc.spec;
  if (!spec || !spec.clusterIP || (spec.clusterIPs ?? []).length > 0) return svc;
  return { ...svc, spec: { ...spec, clusterIPs: [spec.clusterIP] } };
}

/** ValidateServiceClusterIPsRelatedFields and the single-stack half of initIPFamilyFields. */
function preValidate(svc: Service): void {
  const spec = svc.spec ?? {};
  const ips = spec.clusterIPs ?? [];
  const all = goLiteral(goStringSlice(ips));
  const causes: Cause[] = [];
  if (spec.clusterIP) {
    if (ips.length > 0 && ips[0] !== spec.clusterIP) causes.push(invalidCause('spec.clusterIPs', all, 'first value must match `clusterIP`'));
  } else if (ips.length > 0) {
    causes.push(invalidCause('spec.clusterIPs', all, 'must be empty when `clusterIP` is not specified'));
  }
  let badIP = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIP = true;
        causes.push(invalidCause('spec.clusterIPs', all, "'None' must be the first and only value"));
      }
      return;
    }
    if (parseIPv4(ip) === undefined && !looksLikeIPv6(ip)) {
      badIP = true;
      causes.push(invalidCause(`spec.clusterIPs[${i}]`, ip, INVALID_IP));
    }
  });
  if (ips.length > 2) causes.push(invalidCause('spec.clusterIPs', all, 'may only hold up to 2 values'));
  if (causes.length > 0 || badIP) reject(svc, causes);

  if (isHeadless(svc) && Object.keys(spec.selector ?? {}).length === 0) return;
  ips.forEach((ip, i) => {
    if (ip !== 'None' && looksLikeIPv6(ip)) causes.push(invalidCause(`spec.clusterIPs[${i}]`, all, 'IPv6 is not configured on this cluster'));
  });
  if (spec.ipFamilyPolicy === 'RequireDualStack') {
    causes.push(invalidCause('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  }
  (spec.ipFamilies ?? []).forEach((family, i) => {
    if (family === 'IPv6') causes.push(invalidCause(`spec.ipFamilies[${i}]`, family, 'not configured on this cluster'));
  });
  if (causes.length > 0) reject(svc, causes);
}

function allocateClusterIP(svc: Service, usage: AddressUsage, random: () => number, range: ServiceIPRange): Service {
  const spec = svc.spec!;
  const requested = (spec.clusterIPs ?? [])[0];
  let ip: string;
  if (requested === undefined || requested === '') {
    const index = pickFree((i) => usage.ips.has(formatIPv4(range.base + i)), range.max, range.offset, random);
    if (index === undefined) fail(internalError('failed to allocate a serviceIP: range is full'));
    ip = formatIPv4(range.base + index);
  } else {
    const value = parseIPv4(requested)!;
    const problem = value < range.base || value >= range.base + range.max || !cidrContains(range.cidr, value)
      ? `the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${range.cidr.text}`
      : usage.ips.has(requested) ? 'provided IP is already allocated' : undefined;
    if (problem) reject(svc, [invalidCause('spec.clusterIPs', goLiteral(goStringSlice(spec.clusterIPs)), `failed to allocate IP ${requested}: ${problem}`)]);
    ip = requested;
  }
  return { ...svc, spec: { ...spec, clusterIP: ip, clusterIPs: [ip] } };
}

/** One allocation operation over the node-port range (portallocator.PortAllocationOperation). */
class NodePortOperation {
  private readonly taken: Set<number>;
  constructor(usage: AddressUsage, private readonly range: NodePortRange, private readonly random: () => number) {
    this.taken = new Set(usage.nodePorts);
  }
  /** The error text of Allocate, or undefined when the port is now ours. */
  allocate(port: number): string | undefined {
    if (port < this.range.base || port >= this.range.base + this.range.size) {
      return `provided port is not in the valid range. The range of valid ports is ${this.range.text}`;
    }
    if (this.taken.has(port)) return 'provided port is already allocated';
    this.taken.add(port);
    return undefined;
  }
  allocateNext(): number | undefined {
    const index = pickFree((i) => this.taken.has(this.range.base + i), this.range.size, this.range.offset, this.random);
    if (index === undefined) return undefined;
    this.taken.add(this.range.base + index);
    return this.range.base + index;
  }
}

function shouldAllocateNodePorts(svc: Service): boolean {
  if (svc.spec?.type === 'NodePort') return true;
  return svc.spec?.type === 'LoadBalancer' && svc.spec.allocateLoadBalancerNodePorts !== false;
}

/** initNodePorts: ports with the same port number share one node port; asked-for ones are taken first. */
function allocateNodePorts(svc: Service, op: NodePortOperation): Service {
  const ports: ServicePort[] = (svc.spec?.ports ?? []).map((p) => ({ ...p }));
  const byServicePort = new Map<number, number>();
  ports.forEach((port, i) => {
    if (!port.nodePort && !shouldAllocateNodePorts(svc)) return;
    const already = byServicePort.get(port.port);
    if (already === undefined) {
      const requested = ports.slice(i).find((p) => p.port === port.port && p.nodePort)?.nodePort ?? 0;
      if (requested) {
        const problem = op.allocate(requested);
        if (problem) reject(svc, [invalidCause(`spec.ports[${i}].nodePort`, requested, problem)]);
        port.nodePort = requested;
      } else {
        const next = op.allocateNext();
        if (next === undefined) fail(internalError('failed to allocate a nodePort: range is full'));
        port.nodePort = next;
      }
      byServicePort.set(port.port, port.nodePort);
    } else if (port.nodePort !== already) {
      if (!port.nodePort) port.nodePort = already;
      else {
        const problem = op.allocate(port.nodePort);
        if (problem) reject(svc, [invalidCause(`spec.ports[${i}].nodePort`, port.nodePort, problem)]);
      }
    }
  });
  return { ...svc, spec: { ...svc.spec, ports } };
}

/** A LoadBalancer with externalTrafficPolicy Local gets a health-check node port (apiservice.NeedsHealthCheck). */
function allocateHealthCheckNodePort(svc: Service, op: NodePortOperation): Service {
  const spec = svc.spec!;
  if (spec.type !== 'LoadBalancer' || spec.externalTrafficPolicy !== 'Local') return svc;
  if (spec.healthCheckNodePort) {
    const problem = op.allocate(spec.healthCheckNodePort);
    if (problem) fail(internalError(`failed to allocate requested HealthCheck NodePort ${spec.healthCheckNodePort}: ${problem}`));
    return svc;
  }
  const next = op.allocateNext();
  if (next === undefined) fail(internalError('failed to allocate a HealthCheck NodePort 0: range is full'));
  return { ...svc, spec: { ...spec, healthCheckNodePort: next } };
}

/** Whether a create of `svc` draws from the IP range, the node-port range, or neither (before any lookup). */
export function allocatorsNeeded(svc: Service): { ips: boolean; nodePorts: boolean } {
  const type = svc.spec?.type;
  if (!svc.spec || type === 'ExternalName') return { ips: false, nodePorts: false };
  const nodePorts = type === 'NodePort' || type === 'LoadBalancer';
  return { ips: !isHeadless(svc), nodePorts };
}

/**
 * allocateCreate: throws ApiError (422 Invalid for a value that is taken or out of range, 500 when a range
 * is full). `svc` must be normalised (normalizeClusterIPs) and defaulted.
 */
export function allocateCreate(svc: Service, usage: AddressUsage, random: () => number, ranges: AllocatorRanges = DEFAULT_RANGES): AllocationResult {
  const needed = allocatorsNeeded(svc);
  if (svc.spec?.type === 'ExternalName' || !svc.spec) return { service: svc, usesIPs: false, usesNodePorts: false };
  preValidate(svc);
  let out = svc;
  if (needed.ips) out = allocateClusterIP(out, usage, random, ranges.ips);
  if (needed.nodePorts) {
    const op = new NodePortOperation(usage, ranges.nodePorts, random);
    out = allocateHealthCheckNodePort(allocateNodePorts(out, op), op);
  }
  return { service: out, usesIPs: needed.ips, usesNodePorts: needed.nodePorts };
}

/** The spec fields allocation decides, carried from `allocated` onto `target`. */
export function withAllocatedFields<T extends object>(target: T, allocated: Service): T {
  const spec = { ...((target as { spec?: Service['spec'] }).spec) };
  const from = allocated.spec ?? {};
  for (const field of ['clusterIP', 'clusterIPs', 'ports', 'healthCheckNodePort'] as const) {
    if (from[field] === undefined) delete spec[field];
    else (spec as Record<string, unknown>)[field] = from[field];
  }
  return { ...target, spec };
}

/**
 * allocateUpdate for the cases an update can need (alloc.go's txnUpdateClusterIPs / updateNodePorts):
 * ExternalName → a type with a cluster IP gets one; a NodePort/LoadBalancer Service gets node ports for
 * its ports without one and takes the ones it names that it did not hold before. What the old object
 * held and the new one drops is released by the write itself (usage is derived from stored Services).
 * `usage` must exclude the Service being updated. Undefined when the update allocates nothing.
 */
export function allocateUpdate(old: Service, next: Service, usage: AddressUsage, random: () => number, ranges: AllocatorRanges = DEFAULT_RANGES): AllocationResult | undefined {
  const needed = updateNeeds(old, next);
  if (!needed.ips && !needed.nodePorts) return undefined;
  let out = next;
  if (needed.ips) {
    preValidate(out);
    out = allocateClusterIP(out, usage, random, ranges.ips);
  }
  if (needed.nodePorts) {
    const held = new Set(nodePortsOf(old));
    const op = new NodePortOperation({ ips: usage.ips, nodePorts: new Set([...usage.nodePorts].filter((p) => !held.has(p))) }, ranges.nodePorts, random);
    for (const port of held) op.allocate(port); // what it keeps is its own
    const ports: ServicePort[] = (out.spec?.ports ?? []).map((p) => ({ ...p }));
    ports.forEach((port, i) => {
      if (port.nodePort) {
        if (held.has(port.nodePort)) return;
        const problem = op.allocate(port.nodePort);
        if (problem) reject(out, [invalidCause(`spec.ports[${i}].nodePort`, port.nodePort, problem)]);
        held.add(port.nodePort);
      } else if (shouldAllocateNodePorts(out)) {
        const nextPort = op.allocateNext();
        if (nextPort === undefined) fail(internalError('failed to allocate a nodePort: range is full'));
        port.nodePort = nextPort;
      }
    });
    out = { ...out, spec: { ...out.spec, ports } };
  }
  return { service: out, usesIPs: needed.ips, usesNodePorts: needed.nodePorts };
}

/** What an update draws from: judged from the objects alone, so most updates need no lookup at all. */
export function updateNeeds(old: Service, next: Service): { ips: boolean; nodePorts: boolean } {
  const ips = old.spec?.type === 'ExternalName' && next.spec?.type !== 'ExternalName' && allocatorsNeeded(normalizeClusterIPs(next)).ips;
  const type = next.spec?.type;
  let nodePorts = false;
  if (type === 'NodePort' || type === 'LoadBalancer') {
    const held = new Set(nodePortsOf(old));
    nodePorts = (next.spec?.ports ?? []).some((p) => (p.nodePort ? !held.has(p.nodePort) : shouldAllocateNodePorts(next)));
  }
  return { ips, nodePorts };
}
