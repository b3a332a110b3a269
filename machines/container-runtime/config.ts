// What a container runtime host (containerd behind the CRI, with its CNI plugin) is configured with.
import type { RegistryConfig } from '../../src/kubelet/registry.ts';

export interface ContainerRuntimeConfig {
  /** The node this runtime runs on: part of every container/sandbox id. */
  readonly node: string;
  /** The node's pod CIDR: the CNI plugin's (host-local) address range. */
  readonly podCIDR: string;
  /** The simulated image registry: which images exist, their sizes and pull latencies. */
  readonly registry?: RegistryConfig;
  /** kubelet serializeImagePulls (default true): one pull at a time. */
  readonly serializeImagePulls?: boolean;
}
