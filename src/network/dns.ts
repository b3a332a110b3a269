// Cluster DNS as CoreDNS's kubernetes plugin answers it (the DNS-based service discovery spec,
// https://github.com/kubernetes/dns/blob/master/docs/specification.md), over the Services and
// EndpointSlices it has seen:
//   <svc>.<ns>.svc.<zone>             A: the cluster IP; headless: the ready endpoints' IPs;
//                                     ExternalName: a CNAME to spec.externalName
//   <hostname>.<svc>.<ns>.svc.<zone>  A: that endpoint of a headless Service
// and a pod's resolver (resolv.conf `search <ns>.svc.<zone> svc.<zone> <zone>`, `options ndots:5`).
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';

export const CLUSTER_DOMAIN = 'cluster.local';
/** The kube-dns Service's address in a kubeadm cluster (the 10th IP of the service range). */
export const CLUSTER_DNS_IP = '10.96.0.10';
export const NDOTS = 5;

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface DnsRecords {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
}

export type DnsAnswer =
  | { rcode: 'NOERROR'; addresses: string[]; cname?: string }
  | { rcode: 'NXDOMAIN' };

function serviceNamed(records: DnsRecords, namespace: string, name: string): Service | undefined {
  return records.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
}

function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** A headless Service's endpoints: ready ones, or all when it publishes not-ready addresses. */
function headlessEndpoints(records: DnsRecords, svc: Service): { ip: string; hostname?: string }[] {
  const namespace = svc.metadata?.namespace;
  const name = svc.metadata?.name;
  const all = svc.spec?.publishNotReadyAddresses === true;
  const seen = new Set<string>();
  const out: { ip: string; hostname?: string }[] = [];
  for (const slice of records.endpointSlices) {
    if (slice.metadata?.namespace !== namespace || slice.metadata?.labels?.[SERVICE_NAME_LABEL] !== name || slice.addressType !== 'IPv4') continue;
    for (const ep of slice.endpoints ?? []) {
      if (!all && ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses ?? []) {
        if (seen.has(ip)) continue;
        seen.add(ip);
        out.push({ ip, ...(ep.hostname ? { hostname: ep.hostname } : {}) });
      }
    }
  }
  return out.sort((a, b) => (a.ip < b.ip ? -1 : 1));
}

/** An A query for a fully qualified name (no trailing dot needed). */
export function answerA(records: DnsRecords, fqdn: string, zone = CLUSTER_DOMAIN): DnsAnswer {
  const name = fqdn.replace(/\.$/, '').toLowerCase();
  const suffix = `.svc.${zone}`;
  if (!name.endsWith(suffix)) return { rcode: 'NXDOMAIN' };
  const labels = name.slice(0, -suffix.length).split('.');
  if (labels.length === 2) {
    const [svcName, namespace] = labels;
    const svc = serviceNamed(records, namespace, svcName);
    if (!svc) return { rcode: 'NXDOMAIN' };
    if (svc.spec?.type === 'ExternalName') return { rcode: 'NOERROR', addresses: [], cname: svc.spec.externalName };
    if (isHeadless(svc)) return { rcode: 'NOERROR', addresses: headlessEndpoints(records, svc).map((e) => e.ip) };
    return svc.spec?.clusterIP ? { rcode: 'NOERROR', addresses: [svc.spec.clusterIP] } : { rcode: 'NXDOMAIN' };
  }
  if (labels.length === 3) {
    const [hostname, svcName, namespace] = labels;
    const svc = serviceNamed(records, namespace, svcName);
    if (!svc || !isHeadless(svc)) return { rcode: 'NXDOMAIN' };
    const ep = headlessEndpoints(records, svc).find((e) => e.hostname === hostname);
    return ep ? { rcode: 'NOERROR', addresses: [ep.ip] } : { rcode: 'NXDOMAIN' };
  }
  return { rcode: 'NXDOMAIN' };
}

/** The names a pod's resolver tries, in order (glibc with ndots:5 and the ClusterFirst search path). */
export function candidateNames(name: string, namespace: string, zone = CLUSTER_DOMAIN): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const search = [`${namespace}.svc.${zone}`, `svc.${zone}`, zone].map((d) => `${name}.${d}`);
  const dots = name.split('.').length - 1;
  return dots >= NDOTS ? [name, ...search] : [...search, name];
}

export interface Resolution {
  readonly name: string;
  /** The name that answered. */
  readonly fqdn?: string;
  readonly addresses: readonly string[];
  readonly cname?: string;
}

/** getaddrinfo through the search path: the first name that exists answers (an empty answer too). */
export function resolveName(records: DnsRecords, name: string, namespace: string, zone = CLUSTER_DOMAIN): Resolution {
  for (const candidate of candidateNames(name, namespace, zone)) {
    const answer = answerA(records, candidate, zone);
    if (answer.rcode === 'NOERROR') return { name, fqdn: candidate, addresses: answer.addresses, ...(answer.cname ? { cname: answer.cname } : {}) };
  }
  return { name, addresses: [] };
}
