// What the apiserver load balancer is configured with: HAProxy's defaults for a kubeadm HA control plane
// (`balance roundrobin` + a stick table on the source address, `check inter 2s fall 3 rise 2`).
import type { Address } from '../../src/bus/envelope.ts';

export interface LoadBalancerConfig {
  /** The kube-apiservers behind it, e.g. ["apiserver-0", "apiserver-1", "apiserver-2"]. */
  backends: readonly Address[];
  /** `inter`: how often each backend is health-checked (a probe unanswered by the next one is a miss). */
  checkIntervalMs?: number;
  /** `fall`: consecutive misses that take an up backend down. */
  fall?: number;
  /** `rise`: consecutive answers that bring a down backend back up. */
  rise?: number;
}

export interface ResolvedLoadBalancerConfig {
  readonly backends: readonly Address[];
  readonly checkIntervalMs: number;
  readonly fall: number;
  readonly rise: number;
}

export const LOAD_BALANCER_ADDRESS = 'apiserver-lb';

export function resolveLoadBalancerConfig(c: LoadBalancerConfig): ResolvedLoadBalancerConfig {
  if (!c.backends || c.backends.length === 0) throw new Error('load-balancer: config.backends must name at least one apiserver');
  return { backends: [...c.backends], checkIntervalMs: c.checkIntervalMs ?? 2_000, fall: c.fall ?? 3, rise: c.rise ?? 2 };
}
