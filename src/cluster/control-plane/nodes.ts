// The control-plane nodes of a kubeadm cluster: `control-plane-<i>` (i = 1…max(etcd members, apiservers,
// scheduler and controller-manager replicas)), each a real kubelet + containerd (the same machines as a
// worker) registered with kubeadm's role label and NoSchedule taint, whose static pods stand for the
// control-plane actors "on" that node: etcd-i, apiserver-(i-1), and replica i-1 of the scheduler and of the
// controller-manager. Their probes go to those actors over the bus, so a crashed actor shows in its mirror pod.
//
// Network: host IPs 172.18.250.<i> (worker i has 172.18.0.<i+1>; 5 000 workers reach 172.18.19.x), pod
// CIDRs 10.244.0.<16(i-1)>/28 — slices of the /24 no worker uses (worker i has 10.244.<i>.0/24). Static pods
// use the host network; the /28 serves the few pod-network pods that tolerate the taint (CoreDNS).
import type { Taint } from 'kubernetes-types/core/v1.js';
import type { KubeletMachineConfig } from '../../../machines/kubelet/config.ts';
import type { Address } from '../../bus/envelope.ts';
import type { Simulation } from '../../host/simulation.ts';
import type { RegistryConfig } from '../../kubelet/registry.ts';
import { hostKubeProxy } from '../hosts/kube-proxy.ts';
import { hostNode } from '../hosts/node.ts';
import { kubeadmAddonObjects } from './addons.ts';
import { startKubeadmInit } from './kubeadm-init.ts';
import { controlPlaneManifests } from './manifests.ts';

export const CONTROL_PLANE_ROLE = 'node-role.kubernetes.io/control-plane';
export const CONTROL_PLANE_TAINT: Taint = { key: CONTROL_PLANE_ROLE, effect: 'NoSchedule' };

export function controlPlaneNodeName(i: number): string {
  return `control-plane-${i}`;
}

export function controlPlaneNetwork(i: number): { hostIP: string; podCIDR: string } {
  return { hostIP: `172.18.250.${i}`, podCIDR: `10.244.0.${16 * (i - 1)}/28` };
}

export interface ControlPlaneLayout {
  readonly etcdMembers: readonly Address[];
  readonly apiservers: readonly Address[];
  /** kube-scheduler and kube-controller-manager replicas: replica i-1 is on node i. */
  readonly schedulers: readonly Address[];
  readonly controllerManagers: readonly Address[];
  readonly registry?: RegistryConfig;
  readonly kubelet?: Record<string, unknown>;
  /** Host a kube-proxy on every control-plane node too (the kube-proxy DaemonSet runs there). */
  readonly kubeProxyMode?: 'iptables' | 'ipvs';
}

export interface HostedControlPlane {
  readonly nodes: string[];
  readonly kubeProxies: Address[];
  /** Each apiserver's node host IP (the `kubernetes` Service's endpoints). */
  readonly apiserverIPs: Readonly<Record<Address, string>>;
}

/** The number of control-plane nodes a cluster has. */
export function controlPlaneCount(layout: Pick<ControlPlaneLayout, 'etcdMembers' | 'apiservers' | 'schedulers' | 'controllerManagers'>): number {
  return Math.max(layout.etcdMembers.length, layout.apiservers.length, layout.schedulers.length, layout.controllerManagers.length);
}

/** Hosts every control-plane node with its static pods (and, if asked, its kube-proxy). */
export function hostControlPlane(sim: Simulation, layout: ControlPlaneLayout): HostedControlPlane {
  const nodes: string[] = [];
  const kubeProxies: Address[] = [];
  const apiserverIPs: Record<Address, string> = {};
  const count = controlPlaneCount(layout);
  const etcdServers = layout.etcdMembers.map((_, k) => `https://${controlPlaneNetwork(k + 1).hostIP}:2379`);
  for (let i = 1; i <= count; i++) {
    const name = controlPlaneNodeName(i);
    const network = controlPlaneNetwork(i);
    const apiserver = layout.apiservers[i - 1];
    if (apiserver) apiserverIPs[apiserver] = network.hostIP;
    const manifests = controlPlaneManifests({
      hostIP: network.hostIP,
      etcdServers,
      ...(layout.etcdMembers[i - 1] ? { etcd: layout.etcdMembers[i - 1] } : {}),
      ...(apiserver ? { apiserver } : {}),
      ...(layout.schedulers[i - 1] ? { scheduler: layout.schedulers[i - 1] } : {}),
      ...(layout.controllerManagers[i - 1] ? { controllerManager: layout.controllerManagers[i - 1] } : {}),
    }, name);
    // Its kubelet talks to its own apiserver, or (an etcd-only node) to one of the others.
    const localApiserver = apiserver ?? layout.apiservers[(i - 1) % layout.apiservers.length];
    const kubelet: Partial<KubeletMachineConfig> = { ...(layout.kubelet as Partial<KubeletMachineConfig> | undefined), staticPods: manifests };
    hostNode(sim, {
      name,
      ...network,
      labels: { [CONTROL_PLANE_ROLE]: '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' },
      taints: [CONTROL_PLANE_TAINT],
    }, { apiserver: localApiserver, index: i, ...(layout.registry ? { registry: layout.registry } : {}), kubelet });
    nodes.push(name);
    if (layout.kubeProxyMode !== undefined) {
      kubeProxies.push(hostKubeProxy(sim, name, { apiserver: localApiserver, mode: layout.kubeProxyMode }).address);
    }
  }
  return { nodes, kubeProxies, apiserverIPs };
}

/** The builder's one call: hosts the control plane's nodes when the spec asks (`controlPlane.staticPods`). */
export function hostControlPlaneIfEnabled(
  sim: Simulation,
  spec: { controlPlane?: { staticPods: boolean; addons: boolean }; registry?: RegistryConfig; components: { kubelet?: Record<string, unknown>; kubeProxyMode?: 'iptables' | 'ipvs' } },
  layout: Omit<ControlPlaneLayout, 'registry' | 'kubelet' | 'kubeProxyMode'>,
): HostedControlPlane {
  const hosted: HostedControlPlane = spec.controlPlane?.staticPods
    ? hostControlPlane(sim, {
      ...layout,
      ...(spec.registry ? { registry: spec.registry } : {}),
      ...(spec.components.kubelet ? { kubelet: spec.components.kubelet } : {}),
      ...(spec.controlPlane.addons ? { kubeProxyMode: spec.components.kubeProxyMode ?? 'iptables' } : {}),
    })
    : { nodes: [], kubeProxies: [], apiserverIPs: {} };
  // kubeadm init's addon phase: a one-shot client creates kube-proxy, CoreDNS and kube-dns through the API.
  if (spec.controlPlane?.addons) startKubeadmInit(sim, layout.apiservers, kubeadmAddonObjects(`${controlPlaneNetwork(1).hostIP}:6443`));
  return hosted;
}

/**
 * apiserver-<index>'s config: with the control plane on, it advertises its node's IP (and so keeps the
 * `kubernetes` Service pointing at it); otherwise the spec's config unchanged.
 */
export function apiserverConfigFor<C extends object>(spec: { controlPlane?: { staticPods: boolean } }, config: C | undefined, index: number): (C & { advertiseAddress?: string }) | undefined {
  if (!spec.controlPlane?.staticPods) return config;
  return { ...config, advertiseAddress: controlPlaneNetwork(index + 1).hostIP } as C & { advertiseAddress: string };
}
