// What a cluster is made of, as data: the `cluster:` block of a scenario file, `kubesim up --spec`, or a
// test's `buildCluster({...})`. Every field is optional; the defaults are a small kubeadm-style cluster
// (3 etcd members, 1 kube-apiserver, 3 worker nodes of 4 CPU / 8Gi / 110 pods).
import type { Taint } from 'kubernetes-types/core/v1.js';
import type { ApiServerConfig } from '../apiserver/config.ts';
import type { LinkModel } from '../bus/network.ts';
import type { RegistryConfig } from '../kubelet/registry.ts';
import type { ControllerManagerConfig } from '../../machines/controller-manager/config.ts';
import type { NodeSpec } from './hosts/node.ts';

export type { NodeSpec };

/** Node resources as quantities, as they appear in `status.capacity`. */
export type NodeCapacity = NonNullable<NodeSpec['capacity']>;

/** `count` identical nodes named node-1…node-count. */
export interface NodePool {
  count: number;
  capacity?: NodeCapacity;
  labels?: Record<string, string>;
  taints?: Taint[];
}

/** A node in a list may leave out its name: the i-th (1-based) is then `node-i`. */
export type NodeEntry = Omit<NodeSpec, 'name'> & { name?: string };

/** Component settings passed through to their machines (code only; scenario files rarely need them). */
export interface ComponentSettings {
  apiserver?: ApiServerConfig;
  /**
   * `apiserver` points every replica at one kube-apiserver (default: replica i talks to apiserver-(i mod
   * apiservers), as on kubeadm's stacked control plane); `replicas` (default 1) how many run, kcm-0….
   */
  controllerManager?: Partial<ControllerManagerConfig> & { replicas?: number };
  /** The scheduler's config (see machines/scheduler); `apiserver` and `replicas` as for the controller-manager. */
  scheduler?: Record<string, unknown>;
  /** Every kubelet's config minus what the builder sets (see machines/kubelet). */
  kubelet?: Record<string, unknown>;
  /** kube-proxy mode: iptables (default) or ipvs. */
  kubeProxyMode?: 'iptables' | 'ipvs';
  /** Every kube-proxy's config minus what the builder sets (see machines/kube-proxy); code only (a campaign's plant). */
  kubeProxy?: Record<string, unknown>;
  /** CoreDNS at coredns-0 (default true). */
  coredns?: boolean;
  /** cloud-controller-manager at ccm-0 with the simulated cloud at cloud-provider (default true). */
  cloudControllerManager?: boolean;
}

export interface ClusterSpec {
  etcd?: { members?: number };
  apiservers?: number;
  /** Default: 3 nodes of 4 CPU / 8Gi / 110 pods. */
  nodes?: NodeEntry[] | NodePool;
  /** Image registry: extra images, their pull latency and size, missing tags, resolvable hosts. */
  registry?: RegistryConfig;
  /** The default link model between every pair of addresses (latency, drop, duplicate, reorder). */
  network?: Partial<LinkModel>;
  components?: ComponentSettings;
  /** kube-system as kubeadm shows it (docs/kube-system.md); default off, on in `kubesim up`. */
  controlPlane?: ControlPlaneSpec;
}

export const DEFAULT_NODE_CAPACITY: Required<NodeCapacity> = Object.freeze({
  cpu: '4',
  memory: '8Gi',
  pods: '110',
  'ephemeral-storage': '100Gi',
});

export const DEFAULT_NODE_COUNT = 3;
export const DEFAULT_ETCD_MEMBERS = 3;
export const DEFAULT_APISERVERS = 1;

/** A spec with every default filled in and every node named. */
export interface ResolvedClusterSpec {
  etcdMembers: number;
  apiservers: number;
  nodes: NodeSpec[];
  registry?: RegistryConfig;
  network?: Partial<LinkModel>;
  components: ComponentSettings;
  controlPlane?: Required<ControlPlaneSpec>;
}

/**
 * Node i's (1-based) pod CIDR and host IP. The convention is 10.244.<i>.0/24 and 172.18.0.<i+1>; past
 * 254 nodes the /24s continue into 10.245.0.0, 10.246.0.0… (a cluster CIDR wider than kubeadm's /16) and
 * host IPs into 172.18.1.x, 172.18.2.x…
 */
export function nodeNetwork(index: number): { podCIDR: string; hostIP: string } {
  const host = index + 1;
  return {
    podCIDR: `10.${244 + Math.floor(index / 256)}.${index % 256}.0/24`,
    hostIP: `172.18.${Math.floor(host / 256)}.${host % 256}`,
  };
}

/**
 * `staticPods`: control-plane nodes `control-plane-<i>` whose kubelets run the control-plane static pods
 * (their mirror pods show each actor's health in kube-system). `addons`: what `kubeadm init` adds — the
 * kube-proxy DaemonSet, the CoreDNS Deployment, the kube-dns Service and their ConfigMaps.
 */
export interface ControlPlaneSpec {
  staticPods?: boolean;
  addons?: boolean;
}
