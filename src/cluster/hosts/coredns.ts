// CoreDNS in the cluster, at `coredns-0`: kubeadm's cluster DNS (the kube-dns Service at 10.96.0.10),
// watching Services and EndpointSlices through one kube-apiserver. A request to
// `<svc>.<ns>.svc.cluster.local` resolves through it (src/network/request.ts reads its caches).
import type { Address } from '../../bus/envelope.ts';
import type { Simulation } from '../../host/simulation.ts';
import { COREDNS_ADDRESS, hostCoreDns } from '../../network/coredns-host.ts';

export { COREDNS_ADDRESS };

/**
 * Add-ons talk over links of fixed latency (the default link's midpoint when it is uniform, else 2 ms), so
 * hosting one draws nothing from the network's random stream and every other seeded run stays exactly as
 * it was without it. A fault (degrade, partition) still applies on top.
 */
export function addOnLinks(sim: Simulation, address: Address): void {
  const base = sim.network.link('*', '*').latency;
  const ms = base.kind === 'constant' ? base.ms : base.kind === 'uniform' ? (base.minMs + base.maxMs) / 2 : 2;
  const model = { latency: { kind: 'constant' as const, ms } };
  sim.network.addLayer(`add-on:${address}:out`, address, '*', model);
  sim.network.addLayer(`add-on:${address}:in`, '*', address, model);
}

/** Hosts CoreDNS unless the spec turned it off (`components.coredns: false`); returns its address. */
export function hostCoreDnsIfEnabled(sim: Simulation, options: { enabled: boolean; apiserver: Address }): Address | undefined {
  if (!options.enabled) return undefined;
  addOnLinks(sim, COREDNS_ADDRESS);
  hostCoreDns(sim, { apiserver: options.apiserver });
  return COREDNS_ADDRESS;
}
