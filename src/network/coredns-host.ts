// CoreDNS on the bus (by convention at `coredns-0`), and reading what it would answer.
import { coreDnsMachine, type CoreDnsContext } from '../../machines/coredns/coredns.machine.ts';
import { dnsRecords, ready, type CoreDnsConfig } from '../../machines/coredns/state.ts';
import type { Address } from '../bus/envelope.ts';
import type { ComponentHost } from '../host/component-host.ts';
import type { Simulation } from '../host/simulation.ts';
import type { DnsRecords } from './dns.ts';

export const COREDNS_ADDRESS = 'coredns-0';

export function hostCoreDns(sim: Simulation, options: { apiserver: Address; address?: Address; clusterDomain?: string }): ComponentHost<CoreDnsConfig> {
  return sim.add<CoreDnsConfig>(options.address ?? COREDNS_ADDRESS, coreDnsMachine, {
    apiserver: options.apiserver, ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
  });
}

/** The records a running, ready CoreDNS answers from; undefined when it is down or not ready (queries time out). */
export function coreDnsRecords(sim: Simulation, address: Address = COREDNS_ADDRESS): DnsRecords | undefined {
  if (!sim.has(address)) return undefined;
  const snapshot = sim.host(address).snapshot();
  if (!snapshot) return undefined;
  const { dns } = snapshot.context as CoreDnsContext;
  return ready(dns) ? dnsRecords(dns) : undefined;
}
