// The links the add-ons (CoreDNS, the cloud-controller-manager and the simulated cloud) talk over.
import type { Address } from '../../bus/envelope.ts';
import type { Simulation } from '../../host/simulation.ts';

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
