// What a kubelet host is configured with, and the kubelet's own defaults (v1.30).
import type { Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { UserInfo } from '../../src/apiserver/protocol.ts';
import type { NodeConfig } from '../../src/kubelet/node-status.ts';
import type { RegistryConfig } from '../../src/kubelet/registry.ts';

export interface KubeletMachineConfig {
  /** The kube-apiserver this kubelet talks to (e.g. "apiserver-0"). */
  readonly apiserver: Address;
  /** Its container runtime's CRI endpoint on the bus (e.g. "node-1/containerd"). */
  readonly runtime: Address;
  /** The Node it registers: name, InternalIP, capacity, labels, pod CIDR… */
  readonly node: NodeConfig;
  /** --register-with-taints. */
  readonly taints?: readonly Taint[];
  /** --register-schedulable=false: registers with spec.unschedulable and the unschedulable taint. */
  readonly unschedulable?: boolean;
  /** The registry the runtime pulls from; the kubelet only uses it to predict a pull's outcome in its cache. */
  readonly registry?: RegistryConfig;
  /** A call to the apiserver unanswered this long failed (the lease client's timeout is the renew interval). */
  readonly requestTimeoutMs?: number;
  /** A CRI call unanswered this long failed: the runtime is treated as unreachable. */
  readonly criTimeoutMs?: number;
  /** Static pod manifests (/etc/kubernetes/manifests, --pod-manifest-path): run without the API, mirrored to it. */
  readonly staticPods?: readonly Pod[];
}

export interface ResolvedKubeletConfig {
  readonly apiserver: Address;
  readonly runtime: Address;
  readonly node: NodeConfig;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
  readonly registry: RegistryConfig;
  readonly requestTimeoutMs: number;
  readonly criTimeoutMs: number;
  readonly staticPods: readonly Pod[];
  readonly user: UserInfo;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_CRI_TIMEOUT_MS = 2_000;

/** The node authorizer's identity: every kubelet authenticates as system:node:<name>. */
export function kubeletUser(nodeName: string): UserInfo {
  return { username: `system:node:${nodeName}`, groups: ['system:nodes', 'system:authenticated'] };
}

export function resolveKubeletConfig(config: KubeletMachineConfig): ResolvedKubeletConfig {
  if (!config.apiserver) throw new Error('kubelet: config.apiserver is required');
  if (!config.runtime) throw new Error('kubelet: config.runtime is required');
  if (!config.node?.name) throw new Error('kubelet: config.node.name is required');
  return {
    apiserver: config.apiserver,
    runtime: config.runtime,
    node: config.node,
    taints: config.taints ?? [],
    unschedulable: config.unschedulable ?? false,
    registry: config.registry ?? {},
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    criTimeoutMs: config.criTimeoutMs ?? DEFAULT_CRI_TIMEOUT_MS,
    staticPods: config.staticPods ?? [],
    user: kubeletUser(config.node.name),
  };
}
