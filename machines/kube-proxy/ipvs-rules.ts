// What kube-proxy's IPVS proxier installs (pkg/proxy/ipvs/proxier.go, 1.30): every cluster, external and
// load-balancer IP bound to the dummy interface kube-ipvs0; one IPVS virtual server per (IP, port,
// protocol), plus one per node IP and node port, with the service's endpoints as real servers (weight 1,
// scheduler rr, `-p timeout` for ClientIP affinity); ipsets for the few iptables rules that masquerade.
// A virtual server without real servers stays: the kernel answers its clients with port unreachable.
import type { IpvsTables, IpvsVirtualServer, IptablesTables } from '../../src/network/kernel.ts';
import { categorizeEndpoints, type EndpointInfo } from './endpoints.ts';
import { MASQUERADE_MARK, type RuleContext } from './iptables-rules.ts';
import type { ServicePortInfo } from './service-ports.ts';

export interface IpvsContext extends RuleContext {
  readonly nodeIP: string;
}

export function buildIpvsTables(ports: readonly ServicePortInfo[], endpoints: ReadonlyMap<string, readonly EndpointInfo[]>, ctx: IpvsContext): IpvsTables {
  const virtualServers: IpvsVirtualServer[] = [];
  const bound = new Set<string>();
  const ipsets: Record<string, string[]> = {
    'KUBE-CLUSTER-IP': [], 'KUBE-EXTERNAL-IP': [], 'KUBE-LOAD-BALANCER': [], 'KUBE-LOOP-BACK': [],
    'KUBE-NODE-PORT-TCP': [], 'KUBE-NODE-PORT-UDP': [], 'KUBE-NODE-PORT-SCTP-HASH': [],
  };
  for (const sp of ports) {
    const { cluster, local } = categorizeEndpoints(endpoints.get(sp.key) ?? [], sp);
    const internal = sp.internalPolicyLocal ? local : cluster;
    const external = sp.externalPolicyLocal ? local : cluster;
    const proto = sp.protocol.toLowerCase();
    const add = (address: string, port: number, eps: readonly EndpointInfo[]) => {
      virtualServers.push({
        service: sp.name, address, port, protocol: sp.protocol, scheduler: 'rr',
        ...(sp.sessionAffinityClientIP ? { persistentTimeoutSeconds: sp.stickyMaxAgeSeconds } : {}),
        realServers: eps.map((ep) => ({ address: ep.ip, port: ep.port, weight: 1 })),
      });
    };
    add(sp.clusterIP, sp.port, internal);
    bound.add(sp.clusterIP);
    ipsets['KUBE-CLUSTER-IP'].push(`${sp.clusterIP},${proto}:${sp.port}`);
    for (const ip of sp.externalIPs) {
      add(ip, sp.port, external);
      bound.add(ip);
      ipsets['KUBE-EXTERNAL-IP'].push(`${ip},${proto}:${sp.port}`);
    }
    for (const ip of sp.loadBalancerIPs) {
      add(ip, sp.port, external);
      bound.add(ip);
      ipsets['KUBE-LOAD-BALANCER'].push(`${ip},${proto}:${sp.port}`);
    }
    if (sp.nodePort !== 0) {
      add(ctx.nodeIP, sp.nodePort, external);
      const set = sp.protocol === 'SCTP' ? 'KUBE-NODE-PORT-SCTP-HASH' : `KUBE-NODE-PORT-${sp.protocol}`;
      ipsets[set].push(sp.protocol === 'SCTP' ? `${ctx.nodeIP},${proto}:${sp.nodePort}` : String(sp.nodePort));
    }
    for (const ep of [...internal, ...external]) {
      const entry = `${ep.ip},${proto}:${ep.port},${ep.ip}`;
      if (ep.isLocal && !ipsets['KUBE-LOOP-BACK'].includes(entry)) ipsets['KUBE-LOOP-BACK'].push(entry);
    }
  }
  for (const name of Object.keys(ipsets)) ipsets[name].sort();
  return { virtualServers, boundAddresses: [...bound].sort(), ipsets };
}

/** The iptables rules of IPVS mode: masquerading decisions through ipset matches; no DNAT (IPVS does it). */
export function buildIpvsIptables(ctx: RuleContext): IptablesTables {
  const mark = `${MASQUERADE_MARK}/${MASQUERADE_MARK}`;
  return {
    filter: [
      '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
      ':KUBE-FORWARD - [0:0]', ':KUBE-NODE-PORT - [0:0]', ':KUBE-PROXY-FIREWALL - [0:0]', ':KUBE-SOURCE-RANGES-FIREWALL - [0:0]',
      '-A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
      `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark} -j ACCEPT`,
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT',
      'COMMIT',
    ],
    nat: [
      '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
      ':KUBE-SERVICES - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-NODE-PORT - [0:0]', ':KUBE-LOAD-BALANCER - [0:0]', ':KUBE-MARK-MASQ - [0:0]',
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      `-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s ${ctx.clusterCIDR} -j KUBE-MARK-MASQ`,
      '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
      '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
      '-A KUBE-NODE-PORT -p udp -m comment --comment "Kubernetes nodeport UDP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-UDP dst -j KUBE-MARK-MASQ',
      '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
      `-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE`,
      `-A KUBE-POSTROUTING -m mark ! --mark ${mark} -j RETURN`,
      `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQUERADE_MARK}`,
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
      `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQUERADE_MARK}`,
      'COMMIT',
    ],
  };
}
