// kube-proxy on a node, at `<node>/kube-proxy` (the host whose disk holds the node's service rules).
import { kubeProxyMachine } from '../../../machines/kube-proxy/kube-proxy.machine.ts';
import type { KubeProxyConfig, ProxyMode } from '../../../machines/kube-proxy/config.ts';
import type { Address } from '../../bus/envelope.ts';
import type { ComponentHost } from '../../host/component-host.ts';
import type { Simulation } from '../../host/simulation.ts';
import { kubeProxyAddress } from '../../network/kernel.ts';

export type { KubeProxyConfig, ProxyMode };

/** Hosts kube-proxy for `nodeName` (e.g. "node-2"), talking to `options.apiserver`; iptables mode by default. */
export function hostKubeProxy(
  sim: Simulation,
  nodeName: string,
  options: { apiserver: Address; mode?: ProxyMode; config?: Partial<Omit<KubeProxyConfig, 'apiserver' | 'nodeName' | 'mode'>> },
): ComponentHost<KubeProxyConfig> {
  return sim.add<KubeProxyConfig>(kubeProxyAddress(nodeName), kubeProxyMachine, {
    ...options.config, apiserver: options.apiserver, nodeName, mode: options.mode ?? 'iptables',
  });
}
