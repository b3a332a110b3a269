// The ranges Service addresses come from, with kube-apiserver's defaults as kubeadm sets them up:
// --service-cluster-ip-range=10.96.0.0/12 and --service-node-port-range=30000-32767.
import { formatIPv4, parseCidr, type Cidr } from './ipv4.ts';

/**
 * Both allocators keep their items in a bitmap indexed from 0 and allocate dynamically from an upper band
 * first (`offset` and up), so the lower band stays free for values users ask for (KEP-3070 for IPs,
 * KEP-3668 for node ports).
 */
export interface ServiceIPRange {
  readonly cidr: Cidr;
  /** The first usable address (index 0): the network address + 1. */
  readonly base: number;
  /** Usable addresses: the block minus its network and broadcast addresses. */
  readonly max: number;
  readonly offset: number;
}

export interface NodePortRange {
  readonly base: number;
  readonly size: number;
  readonly offset: number;
  readonly text: string;
}

/** ipallocator's calculateRangeOffset: min(max(16, size/16), 256). */
export function ipRangeOffset(size: number): number {
  if (size < 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 16)), 256);
}

/** portallocator's calculateRangeOffset: min(max(16, size/32), 128). */
export function portRangeOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

export function serviceIPRange(text: string): ServiceIPRange {
  const cidr = parseCidr(text);
  const max = Math.max(0, cidr.size - 2);
  return { cidr, base: cidr.network + 1, max, offset: ipRangeOffset(max) };
}

export function nodePortRange(first: number, last: number): NodePortRange {
  const size = last - first + 1;
  return { base: first, size, offset: portRangeOffset(size), text: `${first}-${last}` };
}

export const SERVICE_CLUSTER_IP_RANGE = serviceIPRange('10.96.0.0/12');
export const SERVICE_NODE_PORT_RANGE = nodePortRange(30000, 32767);

/** The `kubernetes` Service's address: the first IP of the range (10.96.0.1). */
export const KUBERNETES_SERVICE_IP = formatIPv4(SERVICE_CLUSTER_IP_RANGE.base);

/**
 * etcd keys whose mod revision serialises allocations across apiservers (upstream keeps its bitmaps in
 * RangeAllocation objects at these keys). Every create that allocates rewrites the key it allocates from
 * in the same Txn that creates the Service, on condition that the key is unchanged since the Services
 * were scanned.
 */
export const SERVICE_IPS_KEY = '/registry/ranges/serviceips';
export const SERVICE_NODE_PORTS_KEY = '/registry/ranges/servicenodeports';
