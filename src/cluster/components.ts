// The builder's seam to the per-cluster components that live in their own host modules: kube-scheduler,
// each node's kubelet + container runtime, and each node's kube-proxy.
import type { KubeletMachineConfig } from '../../machines/kubelet/config.ts';
import type { SchedulerConfig } from '../../machines/scheduler/config.ts';
import type { Address } from '../bus/envelope.ts';
import type { Simulation } from '../host/simulation.ts';
import type { RegistryConfig } from '../kubelet/registry.ts';
import { hostNode, kubeletAddress, runtimeAddress } from './hosts/node.ts';
import { hostKubeProxy } from './hosts/kube-proxy.ts';
import { hostScheduler } from './hosts/scheduler.ts';
import type { NodeSpec } from './spec.ts';

export function hostSchedulerIfPresent(sim: Simulation, address: Address, options: { apiserver: Address; config?: Record<string, unknown> }): Address | undefined {
  hostScheduler(sim, address, { apiserver: options.apiserver, config: options.config as Partial<SchedulerConfig> | undefined });
  return address;
}

/** Hosts the node's runtime and kubelet; returns their addresses. */
export function hostNodeIfPresent(
  sim: Simulation, node: NodeSpec, options: { apiserver: Address; index: number; registry?: RegistryConfig; kubelet?: Record<string, unknown> },
): Address[] {
  hostNode(sim, node, {
    apiserver: options.apiserver, index: options.index,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.kubelet ? { kubelet: options.kubelet as Partial<KubeletMachineConfig> } : {}),
  });
  return [runtimeAddress(node.name), kubeletAddress(node.name)];
}

export function hostKubeProxyIfPresent(
  sim: Simulation, node: string, options: { apiserver: Address; mode?: 'iptables' | 'ipvs'; config?: Record<string, unknown> },
): Address | undefined {
  return hostKubeProxy(sim, node, {
    apiserver: options.apiserver, ...(options.mode ? { mode: options.mode } : {}), ...(options.config ? { config: options.config } : {}),
  }).address;
}
