// One worker node on the bus: its container runtime at `<node>/containerd` and its kubelet at
// `<node>/kubelet` (one host, so a partition of the node cuts both off together).
import type { Taint } from 'kubernetes-types/core/v1.js';
import { containerRuntimeMachine } from '../../../machines/container-runtime/container-runtime.machine.ts';
import type { ContainerRuntimeConfig } from '../../../machines/container-runtime/config.ts';
import { kubeletMachine } from '../../../machines/kubelet/kubelet.machine.ts';
import type { KubeletMachineConfig } from '../../../machines/kubelet/config.ts';
import type { Address } from '../../bus/envelope.ts';
import type { ComponentHost } from '../../host/component-host.ts';
import type { Simulation } from '../../host/simulation.ts';
import type { NodeConfig } from '../../kubelet/node-status.ts';
import type { RegistryConfig } from '../../kubelet/registry.ts';

export interface NodeSpec {
  name: string;
  capacity?: { cpu?: string; memory?: string; pods?: string; 'ephemeral-storage'?: string };
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  podCIDR?: string;
  hostIP?: string;
}

/** What a node has when its spec does not say: a modest VM (4 cores, 8 GiB, 100 GiB disk, 110 pods). */
export const DEFAULT_NODE_CAPACITY = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' } as const;

/** Node i (1-based) gets pod CIDR 10.244.<i>.0/24 and host IP 172.18.0.<i+1>. */
export function nodeDefaults(index: number): { podCIDR: string; hostIP: string } {
  return { podCIDR: `10.244.${index}.0/24`, hostIP: `172.18.0.${index + 1}` };
}

export function kubeletAddress(node: string): Address {
  return `${node}/kubelet`;
}

export function runtimeAddress(node: string): Address {
  return `${node}/containerd`;
}

/** The kubelet's NodeConfig for a spec (capacity defaults filled in). */
export function nodeConfigOf(node: NodeSpec, index: number): NodeConfig {
  const defaults = nodeDefaults(index);
  const capacity = { ...DEFAULT_NODE_CAPACITY, ...node.capacity };
  return {
    name: node.name,
    internalIP: node.hostIP ?? defaults.hostIP,
    cpu: capacity.cpu,
    memory: capacity.memory,
    ephemeralStorage: capacity['ephemeral-storage'],
    maxPods: Number(capacity.pods),
    podCIDR: node.podCIDR ?? defaults.podCIDR,
    ...(node.labels ? { labels: node.labels } : {}),
  };
}

/**
 * Hosts node `node` (the index-th node, 1-based): the runtime first, so the kubelet's first CRI call finds
 * it, then the kubelet, which registers the Node with `options.apiserver`.
 */
export function hostNode(
  sim: Simulation,
  node: NodeSpec,
  options: { apiserver: Address; index: number; registry?: RegistryConfig; kubelet?: Partial<KubeletMachineConfig> },
): { kubelet: ComponentHost; runtime: ComponentHost } {
  const config = nodeConfigOf(node, options.index);
  const runtimeConfig: ContainerRuntimeConfig = {
    node: node.name,
    podCIDR: config.podCIDR!,
    ...(options.registry ? { registry: options.registry } : {}),
  };
  const runtime = sim.add<ContainerRuntimeConfig>(runtimeAddress(node.name), containerRuntimeMachine, runtimeConfig);
  const kubeletConfig: KubeletMachineConfig = {
    apiserver: options.apiserver,
    runtime: runtimeAddress(node.name),
    node: config,
    ...(node.taints ? { taints: node.taints } : {}),
    ...(node.unschedulable ? { unschedulable: true } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    ...options.kubelet,
  };
  const kubelet = sim.add<KubeletMachineConfig>(kubeletAddress(node.name), kubeletMachine, kubeletConfig);
  return { kubelet: kubelet as ComponentHost, runtime: runtime as ComponentHost };
}
