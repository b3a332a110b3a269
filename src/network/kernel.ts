// A node's service dataplane as kube-proxy leaves it in the kernel: the iptables tables (both modes
// install some) and, in IPVS mode, the IPVS virtual servers with the addresses bound to kube-ipvs0 and
// the ipsets the iptables rules match. This is data: kube-proxy (machines/kube-proxy) writes it, the
// request primitive (request.ts) reads it. It lives on the kube-proxy host's disk, written without
// fsync: it outlives the kube-proxy process (a crash leaves stale rules in place until the next process
// rewrites them) but not a power loss of the node, like real kernel state.
import type { Simulation } from '../host/simulation.ts';

/** The disk key kube-proxy keeps the node's kernel rules under. */
export const KERNEL_RULES_KEY = 'kernel/rules';

export type ProxyMode = 'iptables' | 'ipvs';
export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

/** iptables-save output, one array of lines per table (`*nat`, `:CHAIN …`, `-A …`, `COMMIT`). */
export interface IptablesTables {
  readonly filter: readonly string[];
  readonly nat: readonly string[];
}

export interface IpvsRealServer {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
}

/** `ipvsadm -Ln` for one virtual server. */
export interface IpvsVirtualServer {
  /** The service port it implements, "namespace/name:port". */
  readonly service: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: L4Protocol;
  readonly scheduler: 'rr';
  /** ClientIP session affinity: `-p <timeout>` (persistent). */
  readonly persistentTimeoutSeconds?: number;
  readonly realServers: readonly IpvsRealServer[];
}

export interface IpvsTables {
  readonly virtualServers: readonly IpvsVirtualServer[];
  /** Addresses bound to the dummy interface kube-ipvs0 (every ClusterIP, external and LB IP). */
  readonly boundAddresses: readonly string[];
  /** ipset name → entries ("10.96.0.10,udp:53"). */
  readonly ipsets: Readonly<Record<string, readonly string[]>>;
}

export interface NodeRules {
  readonly node: string;
  readonly nodeIP: string;
  readonly mode: ProxyMode;
  readonly iptables: IptablesTables;
  readonly ipvs?: IpvsTables;
  /** When kube-proxy last wrote them (virtual ms), and which incarnation of it. */
  readonly writtenAt: number;
  readonly writtenBy: number;
}

/** The address of a node's kube-proxy (the host whose disk holds the node's kernel rules). */
export function kubeProxyAddress(node: string): string {
  return `${node}/kube-proxy`;
}

/** A node's kernel rules as they are now (whether or not its kube-proxy runs); undefined if never written. */
export function readNodeRules(sim: Simulation, node: string): NodeRules | undefined {
  const address = kubeProxyAddress(node);
  if (!sim.has(address)) return undefined;
  return sim.host(address).disk.get(KERNEL_RULES_KEY) as NodeRules | undefined;
}

/** iptables-save text of a node's rules. */
export function iptablesSave(tables: IptablesTables): string {
  return [...tables.filter, ...tables.nat].join('\n') + '\n';
}
