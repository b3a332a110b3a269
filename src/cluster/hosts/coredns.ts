// CoreDNS in the cluster, at `coredns-0`: kubeadm's cluster DNS (the kube-dns Service at 10.96.0.10),
// watching Services and EndpointSlices through one kube-apiserver. A request to
// `<svc>.<ns>.svc.cluster.local` resolves through it (src/network/request.ts reads its caches).
import type { Address } from '../../bus/envelope.ts';
import type { Simulation } from '../../host/simulation.ts';
import { COREDNS_ADDRESS, hostCoreDns } from '../../network/coredns-host.ts';
import { addOnLinks } from './add-on-links.ts';

export { COREDNS_ADDRESS };

/** Hosts CoreDNS unless the spec turned it off (`components.coredns: false`); returns its address. */
export function hostCoreDnsIfEnabled(sim: Simulation, options: { enabled: boolean; apiserver: Address }): Address | undefined {
  if (!options.enabled) return undefined;
  addOnLinks(sim, COREDNS_ADDRESS);
  hostCoreDns(sim, { apiserver: options.apiserver });
  return COREDNS_ADDRESS;
}
