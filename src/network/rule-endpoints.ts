// What a node's rules do, read back from the rules themselves: for each service port, the endpoints its
// cluster-IP traffic can reach. And the check the convergence checker needs — "every live node's
// kube-proxy rules equal the endpoints" — computed independently of kube-proxy's own code from the
// Services and EndpointSlices in the API.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import { tokenize } from './iptables.ts';
import type { NodeRules } from './kernel.ts';

/** Service port name ("ns/svc:port") → sorted "ip:port" its cluster IP leads to. */
export function endpointsInRules(rules: NodeRules): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (rules.mode === 'ipvs' && rules.ipvs) {
    const clusterIPs = new Set(rules.ipvs.ipsets['KUBE-CLUSTER-IP']?.map((e) => e.split(',')[0]) ?? []);
    for (const vs of rules.ipvs.virtualServers) {
      if (!clusterIPs.has(vs.address)) continue;
      out[vs.service] = vs.realServers.map((rs) => `${rs.address}:${rs.port}`).sort();
    }
    return out;
  }
  const dnat = new Map<string, string>();
  const jumps = new Map<string, string[]>();
  const entry = new Map<string, string>();
  for (const line of rules.iptables.nat) {
    if (!line.startsWith('-A ')) continue;
    const t = tokenize(line);
    const chain = t[1];
    const target = t[t.indexOf('-j') + 1];
    if (target === 'DNAT') dnat.set(chain, t[t.indexOf('--to-destination') + 1]);
    else if (/^KUBE-(SVC|SVL)-/.test(chain) && target.startsWith('KUBE-SEP-')) jumps.set(chain, [...(jumps.get(chain) ?? []), target]);
    else if (chain === 'KUBE-SERVICES' && /^KUBE-(SVC|SVL)-/.test(target)) {
      const comment = t[t.indexOf('--comment') + 1];
      entry.set(comment.replace(/ cluster IP$/, ''), target);
    }
  }
  for (const [name, chain] of entry) {
    out[name] = [...new Set((jumps.get(chain) ?? []).map((sep) => dnat.get(sep) ?? `?${sep}`))].sort();
  }
  return out;
}

/** The endpoints a correct kube-proxy on `node` sends each service port's cluster-IP traffic to. */
export function expectedEndpoints(services: readonly Service[], slices: readonly EndpointSlice[], node: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || svc.spec?.type === 'ExternalName') continue;
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const local = svc.spec?.internalTrafficPolicy === 'Local';
    for (const port of svc.spec?.ports ?? []) {
      const all: { ep: string; ready: boolean; servingTerminating: boolean; node?: string }[] = [];
      for (const slice of slices) {
        if (slice.metadata?.namespace !== ns || slice.metadata?.labels?.['kubernetes.io/service-name'] !== name || slice.addressType !== 'IPv4') continue;
        const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
        if (!sp || sp.port == null) continue;
        for (const e of slice.endpoints ?? []) {
          if (!e.addresses?.[0]) continue;
          const ready = e.conditions?.ready ?? true;
          const serving = e.conditions?.serving ?? ready;
          all.push({ ep: `${e.addresses[0]}:${sp.port}`, ready, servingTerminating: serving && e.conditions?.terminating === true, ...(e.nodeName ? { node: e.nodeName } : {}) });
        }
      }
      const eligible = local ? all.filter((e) => e.node === node) : all;
      let chosen = eligible.filter((e) => e.ready);
      if (chosen.length === 0) chosen = eligible.filter((e) => e.servingTerminating);
      // A service port without usable endpoints has no nat rules (it is REJECTed or DROPped instead).
      if (chosen.length > 0) out[`${ns}/${name}${port.name ? `:${port.name}` : ''}`] = [...new Set(chosen.map((e) => e.ep))].sort();
    }
  }
  return out;
}

/** Differences between a node's rules and what the API says, one line each; empty when they agree. */
export function ruleMismatches(rules: NodeRules | undefined, services: readonly Service[], slices: readonly EndpointSlice[], node: string): string[] {
  const want = expectedEndpoints(services, slices, node);
  const have = rules ? endpointsInRules(rules) : {};
  const problems: string[] = [];
  for (const name of [...new Set([...Object.keys(want), ...Object.keys(have)])].sort()) {
    const w = (want[name] ?? []).join(',');
    const h = (have[name] ?? []).join(',');
    if (w !== h) problems.push(`${node}: ${name} rules lead to [${h}], endpoints are [${w}]`);
  }
  return problems;
}
