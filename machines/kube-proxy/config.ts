// What a kube-proxy host is configured with, and kube-proxy 1.30's defaults (KubeProxyConfiguration
// v1alpha1): iptables syncPeriod 30 s / minSyncPeriod 1 s, IPVS syncPeriod 30 s / minSyncPeriod 0,
// clusterCIDR 10.244.0.0/16 (kubeadm with the usual pod network), masquerade bit 14 (mark 0x4000).
import type { Address } from '../../src/bus/envelope.ts';
import type { UserInfo } from '../../src/apiserver/protocol.ts';
import { DEFAULT_INFORMER_OPTIONS, type InformerOptions } from '../../src/client/index.ts';

export type ProxyMode = 'iptables' | 'ipvs';

/** Bugs a test can plant to show a checker catches them. */
export type Plant =
  /** Endpoints that leave an EndpointSlice (deleted, or no longer ready) stay in the rules forever. */
  | 'kube-proxy-never-removes-endpoint';

export interface KubeProxyConfig {
  /** The kube-apiserver this process talks to (e.g. "apiserver-0"). */
  apiserver: Address;
  /** The node this kube-proxy programs (its --hostname-override), e.g. "node-2". */
  nodeName: string;
  mode?: ProxyMode;
  /** The node's IP; default: 172.18.0.<i+1> for "node-<i>" (the cluster's address plan). */
  nodeIP?: string;
  /** --cluster-cidr: traffic from outside it to a ClusterIP is masqueraded. */
  clusterCIDR?: string;
  /** Periodic full resync (IPVS) or rule check (iptables' canary monitor). */
  syncPeriodMs?: number;
  /** At most one sync per this interval after a burst of two. */
  minSyncPeriodMs?: number;
  informer?: Partial<Omit<InformerOptions, 'apiserver' | 'idPrefix' | 'user'>>;
  plant?: Plant;
}

export interface ResolvedConfig {
  apiserver: Address;
  nodeName: string;
  mode: ProxyMode;
  nodeIP: string;
  clusterCIDR: string;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  informer: Omit<InformerOptions, 'apiserver' | 'idPrefix'>;
  plant?: Plant;
}

/** kube-proxy authenticates as system:kube-proxy (kubeadm's kube-proxy service account binding). */
export const KUBE_PROXY_USER: UserInfo = Object.freeze({
  username: 'system:serviceaccount:kube-system:kube-proxy',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
}) as UserInfo;

/** The address plan: node i (1-based) is 172.18.0.<i+1>. */
export function defaultNodeIP(nodeName: string): string {
  const match = /^node-(\d+)$/.exec(nodeName);
  const index = match ? Number(match[1]) : 1;
  return `172.18.0.${index + 1}`;
}

export function resolveConfig(config: KubeProxyConfig): ResolvedConfig {
  if (!config.apiserver) throw new Error('kube-proxy: config.apiserver is required');
  if (!config.nodeName) throw new Error('kube-proxy: config.nodeName is required');
  const mode = config.mode ?? 'iptables';
  return {
    apiserver: config.apiserver,
    nodeName: config.nodeName,
    mode,
    nodeIP: config.nodeIP ?? defaultNodeIP(config.nodeName),
    clusterCIDR: config.clusterCIDR ?? '10.244.0.0/16',
    syncPeriodMs: config.syncPeriodMs ?? 30_000,
    minSyncPeriodMs: config.minSyncPeriodMs ?? (mode === 'iptables' ? 1_000 : 0),
    informer: { ...DEFAULT_INFORMER_OPTIONS, ...config.informer, user: KUBE_PROXY_USER },
    ...(config.plant ? { plant: config.plant } : {}),
  };
}
