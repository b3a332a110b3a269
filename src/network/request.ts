// The client request primitive: a new connection from a node (or a pod on it) to a service — a
// ClusterIP:port, a NodePort on some node's IP, or a DNS name — resolved the way the cluster's
// dataplane would: DNS through CoreDNS (dns.ts), then the origin node's kernel rules as its kube-proxy
// last wrote them (kernel.ts): iptables (a walk of the chains with random draws for the statistic
// rules) or IPVS (rr). The answer is the endpoint it lands on, or the error a client would see.
// Rules are read whether or not kube-proxy runs: a stopped kube-proxy leaves them stale, not gone.
import type { Simulation } from '../host/simulation.ts';
import type { Random } from '../sim/random.ts';
import { parseIPv4 } from '../apiserver/allocators/ipv4.ts';
import { CLUSTER_DNS_IP, resolveName, type DnsRecords } from './dns.ts';
import { coreDnsRecords } from './coredns-host.ts';
import { newNetfilterState, walkIptables, type NetfilterState, type Packet } from './iptables.ts';
import { newIpvsState, scheduleIpvs, type IpvsState } from './ipvs.ts';
import { readNodeRules, type L4Protocol, type NodeRules } from './kernel.ts';

export interface RequestOrigin {
  readonly node: string;
  /** The client pod's IP; absent: the node itself (host network). */
  readonly podIP?: string;
  /** The client pod's namespace, for its DNS search path (default "default"). */
  readonly namespace?: string;
}

export interface ServiceRequest {
  readonly from: RequestOrigin;
  /** "10.96.12.7:80", "172.18.0.3:31234", "web:80", "web.shop.svc.cluster.local:8080". */
  readonly to: string;
  readonly protocol?: L4Protocol;
}

export type RequestError = 'connection refused' | 'i/o timeout' | 'no such host';

export type RequestOutcome =
  | {
      readonly ok: true;
      /** The endpoint ("ip:port") the connection reached. */
      readonly endpoint: string;
      /** The address dialled after DNS ("ip:port"). */
      readonly address: string;
      /** The node whose rules translated it, and how. */
      readonly node: string;
      readonly via: 'iptables' | 'ipvs' | 'direct';
      readonly chains?: readonly string[];
    }
  | {
      readonly ok: false;
      readonly error: RequestError;
      /** What a Go client prints, e.g. "dial tcp 10.96.0.20:80: connect: connection refused". */
      readonly message: string;
      readonly address?: string;
      /** The endpoint the rules chose when the failure is that nothing answers there (stale rules). */
      readonly endpoint?: string;
      readonly reason: string;
    };

/** Where the network's facts come from; `ServiceTraffic` reads them from a Simulation. */
export interface NetworkView {
  /** A node's kernel rules (undefined: kube-proxy never ran there: no service rules at all). */
  rules(node: string): NodeRules | undefined;
  /** The node that owns a host IP (for node ports), if any. */
  nodeWithIP(ip: string): string | undefined;
  /** CoreDNS's records, or undefined when it does not answer. */
  dns(): DnsRecords | undefined;
  /** Whether something listens at ip:port (a live pod); default: every endpoint answers. */
  listening?(endpoint: string): boolean;
}

/** Per-node kernel state that connections change: `-m recent` lists, IPVS rr cursors and persistence. */
export interface KernelState {
  readonly netfilter: NetfilterState;
  readonly ipvs: IpvsState;
}

export function newKernelState(): KernelState {
  return { netfilter: newNetfilterState(), ipvs: newIpvsState() };
}

function splitHostPort(to: string): { host: string; port: number } {
  const colon = to.lastIndexOf(':');
  if (colon < 0) throw new Error(`request target ${JSON.stringify(to)} needs a port`);
  return { host: to.slice(0, colon), port: Number(to.slice(colon + 1)) };
}

function failure(error: RequestError, protocol: L4Protocol, address: string, reason: string, endpoint?: string): RequestOutcome {
  const proto = protocol.toLowerCase();
  const message = error === 'connection refused' ? `dial ${proto} ${address}: connect: connection refused` : `dial ${proto} ${address}: i/o timeout`;
  return { ok: false, error, message, address, reason, ...(endpoint ? { endpoint } : {}) };
}

/**
 * One new connection. `random` draws for iptables' statistic rules; `kernel(node)` is that node's
 * mutable kernel state (rr cursors, affinity); `now` is the virtual time (affinity timeouts).
 */
export function resolveServiceRequest(
  view: NetworkView, request: ServiceRequest, random: () => number, kernel: (node: string) => KernelState, now: number,
): RequestOutcome {
  const protocol = request.protocol ?? 'TCP';
  const { host, port } = splitHostPort(request.to);
  let ip = host;
  if (parseIPv4(host) === undefined) {
    const records = view.dns();
    if (!records) {
      return { ok: false, error: 'i/o timeout', reason: 'CoreDNS does not answer', message: `dial ${protocol.toLowerCase()}: lookup ${host} on ${CLUSTER_DNS_IP}:53: read udp: i/o timeout` };
    }
    const resolved = resolveName(records, host, request.from.namespace ?? 'default');
    if (resolved.addresses.length === 0) {
      return { ok: false, error: 'no such host', reason: `no DNS record for ${host}`, message: `dial ${protocol.toLowerCase()}: lookup ${host} on ${CLUSTER_DNS_IP}:53: no such host` };
    }
    ip = resolved.addresses[0];
  }
  const address = `${ip}:${port}`;
  const origin = request.from.node;
  const src = request.from.podIP ?? view.rules(origin)?.nodeIP ?? '0.0.0.0';
  const packet: Packet = { src, dst: ip, dport: port, protocol };
  const fromPod = request.from.podIP !== undefined;

  // The origin node's rules see the packet first; one addressed to another node's IP (a node port)
  // leaves unchanged and meets that node's rules on arrival (PREROUTING, destination local there).
  const first = translate(view, origin, packet, fromPod ? 'pod' : 'host', random, kernel(origin), now);
  if (first.kind !== 'pass') return finish(view, first, protocol, address, origin);
  const target = view.nodeWithIP(ip);
  if (target !== undefined && target !== origin) {
    const second = translate(view, target, packet, 'pod', random, kernel(target), now);
    if (second.kind !== 'pass') return finish(view, second, protocol, address, target);
    return failure('connection refused', protocol, address, `nothing listens on ${address} on ${target}`);
  }
  if (target === origin) return failure('connection refused', protocol, address, `nothing listens on ${address} on ${origin}`);
  // Untranslated: straight to a pod IP, or to a virtual IP no rule knows (nobody answers it).
  if (view.listening && !view.listening(address)) {
    return failure('i/o timeout', protocol, address, `no rule on ${origin} translates ${address} and nothing answers there`);
  }
  return { ok: true, endpoint: address, address, node: origin, via: 'direct' };
}

type Translation =
  | { kind: 'endpoint'; endpoint: string; via: 'iptables' | 'ipvs'; chains?: string[] }
  | { kind: 'refused'; reason: string }
  | { kind: 'dropped'; reason: string }
  | { kind: 'pass' };

function translate(view: NetworkView, node: string, packet: Packet, from: 'pod' | 'host', random: () => number, kernel: KernelState, now: number): Translation {
  const rules = view.rules(node);
  if (!rules) return { kind: 'pass' };
  const local = new Set([rules.nodeIP, '127.0.0.1', ...(rules.ipvs?.boundAddresses ?? [])]);
  if (rules.mode === 'ipvs' && rules.ipvs) {
    // IPVS mode's iptables rules only mark for masquerading; IPVS (LOCAL_IN) does the translation.
    if (!local.has(packet.dst)) return { kind: 'pass' };
    const verdict = scheduleIpvs(rules.ipvs, packet, kernel.ipvs, now);
    if (verdict.kind === 'forward') return { kind: 'endpoint', endpoint: verdict.to, via: 'ipvs' };
    if (verdict.kind === 'unreachable') return { kind: 'refused', reason: `IPVS virtual server ${verdict.virtualServer.address}:${verdict.virtualServer.port} on ${node} has no real servers` };
    // A bound address without a virtual server for this port: nothing listens there.
    return { kind: 'refused', reason: `no IPVS virtual server for ${packet.dst}:${packet.dport} on ${node}` };
  }
  const verdict = walkIptables(rules.iptables, packet, from, { localAddresses: local, random, now, state: kernel.netfilter });
  switch (verdict.kind) {
    case 'dnat': return { kind: 'endpoint', endpoint: verdict.to, via: 'iptables', chains: verdict.chains };
    case 'reject': return { kind: 'refused', reason: `rejected on ${node}${verdict.comment ? ` (${verdict.comment})` : ''}` };
    case 'drop': return { kind: 'dropped', reason: `dropped on ${node}${verdict.comment ? ` (${verdict.comment})` : ''}` };
    default: return { kind: 'pass' };
  }
}

function finish(view: NetworkView, t: Exclude<Translation, { kind: 'pass' }>, protocol: L4Protocol, address: string, node: string): RequestOutcome {
  if (t.kind === 'refused') return failure('connection refused', protocol, address, t.reason);
  if (t.kind === 'dropped') return failure('i/o timeout', protocol, address, t.reason);
  if (view.listening && !view.listening(t.endpoint)) {
    return failure('i/o timeout', protocol, address, `${node}'s rules sent it to ${t.endpoint}, where nothing answers (stale rules)`, t.endpoint);
  }
  return { ok: true, endpoint: t.endpoint, address, node, via: t.via, ...(t.chains ? { chains: t.chains } : {}) };
}

/**
 * Traffic through a running Simulation: rules from each node's kube-proxy host, DNS from CoreDNS,
 * random draws from the run's `traffic` stream, kernel state kept per node for the run.
 */
export class ServiceTraffic {
  private readonly kernels = new Map<string, KernelState>();
  private readonly random: Random;

  constructor(private readonly sim: Simulation, private readonly options: { nodes?: readonly string[]; coreDns?: string; listening?: (endpoint: string) => boolean } = {}) {
    this.random = sim.random.stream('traffic');
  }

  private kernel(node: string): KernelState {
    let state = this.kernels.get(node);
    if (!state) {
      state = newKernelState();
      this.kernels.set(node, state);
    }
    return state;
  }

  view(): NetworkView {
    const sim = this.sim;
    const nodes = this.options.nodes;
    return {
      rules: (node) => readNodeRules(sim, node),
      nodeWithIP: (ip) => {
        const match = /^172\.18\.0\.(\d+)$/.exec(ip);
        const name = match ? `node-${Number(match[1]) - 1}` : undefined;
        if (name && (!nodes || nodes.includes(name))) return name;
        return nodes?.find((n) => readNodeRules(sim, n)?.nodeIP === ip);
      },
      dns: () => coreDnsRecords(sim, this.options.coreDns),
      ...(this.options.listening ? { listening: this.options.listening } : {}),
    };
  }

  request(request: ServiceRequest): RequestOutcome {
    return resolveServiceRequest(this.view(), request, () => this.random.next(), (node) => this.kernel(node), this.sim.now);
  }
}
