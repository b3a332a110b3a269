// The iptables rules kube-proxy's iptables proxier installs (syncProxyRules in
// pkg/proxy/iptables/proxier.go, 1.30), as iptables-save lines: the jumps from the built-in chains, the
// filter table (REJECT for services without endpoints, DROP without local ones, forwarding rules) and
// the nat table (KUBE-SERVICES → KUBE-SVC-… → KUBE-SEP-… with `--probability 1/n, 1/(n-1), …`,
// DNAT to the endpoint; NodePorts through KUBE-NODEPORTS and KUBE-EXT-…; masquerading marks).
// Not modelled: loadBalancerSourceRanges (KUBE-FW-… chains), large-cluster mode (no comments), partial
// syncs (every sync writes the whole table, as a full sync does).
import type { IptablesTables } from '../../src/network/kernel.ts';
import { endpointChain, externalChain, localPolicyChain, serviceChain } from './chain-names.ts';
import { categorizeEndpoints, endpointString, type EndpointInfo } from './endpoints.ts';
import { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-ports.ts';

export const MASQUERADE_MARK = '0x4000';

export interface RuleContext {
  readonly clusterCIDR: string;
}

/** A --comment argument: quoted when it has spaces, as kube-proxy writes it. */
function comment(text: string): string {
  return text.includes(' ') ? `"${text}"` : text;
}

function probability(n: number): string {
  return (1 / n).toFixed(10);
}

class Lines {
  readonly chains: string[] = [];
  readonly rules: string[] = [];
  chain(name: string): void {
    this.chains.push(`:${name} - [0:0]`);
  }
  add(...parts: (string | number)[]): void {
    this.rules.push(parts.join(' '));
  }
}

/** Jumps from the built-in chains into kube-proxy's (installed with EnsureRule, visible in iptables-save). */
const FILTER_JUMPS = [
  '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
  '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
  '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
  '-A INPUT -j KUBE-FIREWALL',
  '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
  '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
  '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
  '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
  '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A OUTPUT -j KUBE-FIREWALL',
];

const NAT_JUMPS = [
  '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
];

export function buildIptablesRules(ports: readonly ServicePortInfo[], endpoints: ReadonlyMap<string, readonly EndpointInfo[]>, ctx: RuleContext): IptablesTables {
  const filter = new Lines();
  const nat = new Lines();
  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL']) filter.chain(c);
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) nat.chain(c);

  nat.add('-A KUBE-POSTROUTING -m mark ! --mark', `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, '-j RETURN');
  nat.add('-A KUBE-POSTROUTING -j MARK --xor-mark', MASQUERADE_MARK);
  nat.add('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  nat.add('-A KUBE-MARK-MASQ -j MARK --or-mark', MASQUERADE_MARK);
  filter.add('-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');

  for (const sp of ports) writeServicePort(sp, endpoints.get(sp.key) ?? [], ctx, filter, nat);

  nat.add('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  filter.add('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
  filter.add('-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark', `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, '-j ACCEPT');
  filter.add('-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');

  return {
    filter: ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...filter.chains, ...FILTER_JUMPS, ...filter.rules, 'COMMIT'],
    nat: ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...nat.chains, ...NAT_JUMPS, ...nat.rules, 'COMMIT'],
  };
}

function writeServicePort(sp: ServicePortInfo, all: readonly EndpointInfo[], ctx: RuleContext, filter: Lines, nat: Lines): void {
  const proto = sp.protocol.toLowerCase();
  const match = `-m ${proto} -p ${proto}`;
  const name = sp.name;
  const { cluster, local, reachable, hasAny } = categorizeEndpoints(all, sp);
  const clusterPolicyChain = serviceChain(name, sp.protocol);
  const localChain = localPolicyChain(name, sp.protocol);
  const extChain = externalChain(name, sp.protocol);
  const usesClusterChain = cluster.length > 0 && usesClusterEndpoints(sp);
  const usesLocalChain = local.length > 0 && usesLocalEndpoints(sp);
  const internalChain = sp.internalPolicyLocal ? localChain : clusterPolicyChain;
  const hasInternal = hasAny && (!sp.internalPolicyLocal || local.length > 0);
  const externalPolicyChain = sp.externalPolicyLocal ? localChain : clusterPolicyChain;
  const hasExternal = hasAny && (!sp.externalPolicyLocal || local.length > 0);
  const usesExtChain = hasAny && externallyAccessible(sp);

  let internalFilter = '';
  let internalComment = '';
  let externalFilter = '';
  let externalComment = '';
  if (!hasAny) {
    internalFilter = externalFilter = 'REJECT';
    internalComment = externalComment = comment(`${name} has no endpoints`);
  } else {
    if (!hasInternal) {
      internalFilter = 'DROP';
      internalComment = comment(`${name} has no local endpoints`);
    }
    if (!hasExternal) {
      externalFilter = 'DROP';
      externalComment = comment(`${name} has no local endpoints`);
    }
  }

  // The cluster IP.
  if (hasInternal) {
    nat.add('-A KUBE-SERVICES -m comment --comment', comment(`${name} cluster IP`), match, '-d', sp.clusterIP, '--dport', sp.port, '-j', internalChain);
  } else {
    filter.add('-A KUBE-SERVICES -m comment --comment', internalComment, match, '-d', sp.clusterIP, '--dport', sp.port, '-j', internalFilter);
  }
  // External IPs and load-balancer IPs.
  for (const [ips, what] of [[sp.externalIPs, 'external IP'], [sp.loadBalancerIPs, 'loadbalancer IP']] as const) {
    for (const ip of ips) {
      if (hasAny) nat.add('-A KUBE-SERVICES -m comment --comment', comment(`${name} ${what}`), match, '-d', ip, '--dport', sp.port, '-j', extChain);
      if (!hasExternal) filter.add('-A KUBE-EXTERNAL-SERVICES -m comment --comment', externalComment, match, '-d', ip, '--dport', sp.port, '-j', externalFilter);
    }
  }
  // Node ports.
  if (sp.nodePort !== 0) {
    if (hasAny) nat.add('-A KUBE-NODEPORTS -m comment --comment', comment(name), match, '--dport', sp.nodePort, '-j', extChain);
    if (!hasExternal) {
      filter.add('-A KUBE-EXTERNAL-SERVICES -m comment --comment', externalComment, '-m addrtype --dst-type LOCAL', match, '--dport', sp.nodePort, '-j', externalFilter);
    }
  }
  if (sp.healthCheckNodePort !== 0) {
    filter.add('-A KUBE-NODEPORTS -m comment --comment', comment(`${name} health check node port`), '-m tcp -p tcp --dport', sp.healthCheckNodePort, '-j ACCEPT');
  }

  // Traffic to the cluster IP from outside the pod network is masqueraded (it may bounce off-node).
  if (hasInternal) {
    nat.add(`-A ${internalChain} -m comment --comment`, comment(`${name} cluster IP`), match, '-d', sp.clusterIP, '--dport', sp.port, '!', '-s', ctx.clusterCIDR, '-j KUBE-MARK-MASQ');
  }
  if (usesExtChain) {
    nat.chain(extChain);
    if (!sp.externalPolicyLocal) {
      nat.add(`-A ${extChain} -m comment --comment`, comment(`masquerade traffic for ${name} external destinations`), '-j KUBE-MARK-MASQ');
    } else {
      nat.add(`-A ${extChain} -m comment --comment`, comment(`pod traffic for ${name} external destinations`), '-s', ctx.clusterCIDR, '-j', clusterPolicyChain);
      nat.add(`-A ${extChain} -m comment --comment`, comment(`masquerade LOCAL traffic for ${name} external destinations`), '-m addrtype --src-type LOCAL -j KUBE-MARK-MASQ');
      nat.add(`-A ${extChain} -m comment --comment`, comment(`route LOCAL traffic for ${name} external destinations`), '-m addrtype --src-type LOCAL -j', clusterPolicyChain);
    }
    if (hasExternal) nat.add(`-A ${extChain} -j`, externalPolicyChain);
  }
  if (usesClusterChain) {
    nat.chain(clusterPolicyChain);
    writeEndpointJumps(nat, sp, clusterPolicyChain, cluster);
  }
  if (usesLocalChain) {
    nat.chain(localChain);
    writeEndpointJumps(nat, sp, localChain, local);
  }
  for (const ep of reachable) {
    const chain = endpointChain(name, sp.protocol, endpointString(ep));
    nat.chain(chain);
    nat.add(`-A ${chain} -m comment --comment`, comment(name), '-s', ep.ip, '-j KUBE-MARK-MASQ');
    const affinity = sp.sessionAffinityClientIP ? ` -m recent --name ${chain} --set` : '';
    nat.add(`-A ${chain} -m comment --comment`, comment(name) + affinity, match, '-j DNAT --to-destination', endpointString(ep));
  }
}

/** Session-affinity checks first, then one statistic rule per endpoint with probability 1/(n-i). */
function writeEndpointJumps(nat: Lines, sp: ServicePortInfo, chain: string, endpoints: readonly EndpointInfo[]): void {
  if (sp.sessionAffinityClientIP) {
    for (const ep of endpoints) {
      const target = endpointChain(sp.name, sp.protocol, endpointString(ep));
      nat.add(`-A ${chain} -m comment --comment`, comment(`${sp.name} -> ${endpointString(ep)}`), '-m recent --name', target, '--rcheck --seconds', sp.stickyMaxAgeSeconds, '--reap -j', target);
    }
  }
  endpoints.forEach((ep, i) => {
    const target = endpointChain(sp.name, sp.protocol, endpointString(ep));
    const chance = i < endpoints.length - 1 ? ` -m statistic --mode random --probability ${probability(endpoints.length - i)}` : '';
    nat.add(`-A ${chain} -m comment --comment`, comment(sp.name) + chance, '-j', target);
  });
}
