// Spec → a running model: one Simulation with every component at its conventional address.
//
//   etcd-1…etcd-N                        Raft members (machines/etcd-member)
//   apiserver-0…  (+ apiserver-i/etcd)   kube-apiservers, each with its own etcd client
//   kcm-0…                               kube-controller-manager replicas (components.controllerManager.replicas)
//   scheduler-0…                         kube-scheduler replicas (components.scheduler.replicas)
//   apiserver-lb                         the apiserver load balancer the nodes use (with >1 apiserver)
//   node-i/containerd, node-i/kubelet    each worker node's container runtime and kubelet
//   node-i/kube-proxy                    each node's kube-proxy (when that component is present)
//   coredns-0                            CoreDNS (unless components.coredns is false)
//   ccm-0, cloud-provider                cloud-controller-manager and the simulated cloud (unless
//                                        components.cloudControllerManager is false)
//
// Everything starts at virtual time 0, as static pods do on a kubeadm control plane: components that
// come up before the apiserver serves retry with their client's back-off, exactly as they would.
import { etcdMemberMachine } from '../../machines/etcd-member/index.ts';
import type { Address } from '../bus/envelope.ts';
import { hostApiServer } from '../apiserver/host.ts';
import { Simulation, type SimulationOptions } from '../host/simulation.ts';
import type { SimClock } from '../sim/clock.ts';
import { Cluster, type ClusterLayout } from './cluster.ts';
import { hostKubeProxyIfPresent, hostNodeIfPresent } from './components.ts';
import { hostApiserverLoadBalancer, hostControllerManagers, hostSchedulers } from './hosts/ha.ts';
import { resolveClusterSpec } from './resolve-spec.ts';
import { apiserverConfigFor, hostControlPlaneIfEnabled } from './control-plane/nodes.ts';
import { hostCoreDnsIfEnabled } from './hosts/coredns.ts';
import { hostCloudIfEnabled } from './hosts/cloud.ts';
import { nodeNetwork, type ClusterSpec, type ResolvedClusterSpec } from './spec.ts';

export interface BuildOptions {
  seed?: number | string;
  /** Default: a fresh VirtualClock. `kubesim up` passes a RealTimeClock. */
  clock?: SimClock;
  inspect?: SimulationOptions['inspect'];
}

export const CONTROLLER_MANAGER = 'kcm-0';
export const SCHEDULER_ADDRESS = 'scheduler-0';

/**
 * Builds the cluster a spec describes. Throws an InputError (with the field's path) on a bad spec,
 * before anything is hosted. Nothing runs until the caller drives the clock (`cluster.start()`).
 */
export function buildCluster(spec: ClusterSpec | unknown = {}, options: BuildOptions = {}): Cluster {
  return buildResolvedCluster(resolveClusterSpec(spec), options);
}

/** Builds from a spec already checked by `resolveClusterSpec` (a scenario's `cluster:`). */
export function buildResolvedCluster(resolved: ResolvedClusterSpec, options: BuildOptions = {}): Cluster {
  const sim = new Simulation({ seed: options.seed ?? 1, clock: options.clock, link: resolved.network, inspect: options.inspect });

  const etcdMembers = Array.from({ length: resolved.etcdMembers }, (_, i) => `etcd-${i + 1}`);
  for (const member of etcdMembers) sim.add(member, etcdMemberMachine, { members: etcdMembers });

  const apiservers = Array.from({ length: resolved.apiservers }, (_, i) => `apiserver-${i}`);
  for (const [i, address] of apiservers.entries()) {
    hostApiServer(sim, address, { etcdMembers, config: apiserverConfigFor(resolved, resolved.components.apiserver, i) });
  }
  // kubeadm's stacked control plane: the controller-manager and scheduler talk to their own node's
  // apiserver; kubelets (and kube-proxies) are spread over the apiservers as a load balancer would.
  // A spec may point either at another apiserver (a campaign's stale-state fault: a lagging one).
  // Several replicas of each elect a leader through a Lease (hosts/ha.ts); replica i sits on control-plane
  // node i and talks to its apiserver.
  const controlPlaneApiserver = apiservers[0];
  const controllerManagers = hostControllerManagers(sim, resolved.components, apiservers);
  const schedulers = hostSchedulers(sim, resolved.components, apiservers);
  const scheduler: Address | undefined = schedulers[0];

  const coredns = hostCoreDnsIfEnabled(sim, { enabled: resolved.components.coredns !== false, apiserver: controlPlaneApiserver });
  const cloud = hostCloudIfEnabled(sim, { enabled: resolved.components.cloudControllerManager !== false, apiserver: controlPlaneApiserver });

  // With several apiservers the nodes talk to them through the load balancer, as kubeadm's HA setup does.
  const loadBalancer = hostApiserverLoadBalancer(sim, apiservers);
  const nodeApiserver = (index: number): Address => loadBalancer ?? apiservers[(index - 1) % apiservers.length];
  const kubeProxies: Address[] = [];
  let kubelets = false;
  resolved.nodes.forEach((node, i) => {
    kubelets = hostNodeIfPresent(sim, { ...nodeNetwork(i + 1), ...node }, {
      apiserver: nodeApiserver(i + 1),
      index: i + 1,
      ...(resolved.registry ? { registry: resolved.registry } : {}),
      ...(resolved.components.kubelet ? { kubelet: resolved.components.kubelet } : {}),
    }).length > 0;
    const proxy = hostKubeProxyIfPresent(sim, node.name, { apiserver: nodeApiserver(i + 1), mode: resolved.components.kubeProxyMode, config: resolved.components.kubeProxy });
    if (proxy) kubeProxies.push(proxy);
  });

  // kube-system as kubeadm shows it (opt-in, docs/kube-system.md): control-plane nodes with static pods.
  const controlPlane = hostControlPlaneIfEnabled(sim, resolved, { etcdMembers, apiservers, schedulers, controllerManagers });

  const layout: ClusterLayout = {
    etcdMembers,
    apiservers,
    controllerManager: CONTROLLER_MANAGER,
    scheduler,
    controllerManagers,
    schedulers,
    ...(loadBalancer ? { loadBalancer } : {}),
    nodes: [...controlPlane.nodes, ...resolved.nodes.map((n) => n.name)],
    kubelets: kubelets || controlPlane.nodes.length > 0,
    kubeProxies: [...controlPlane.kubeProxies, ...kubeProxies],
    ...(coredns ? { coredns } : {}),
    ...(cloud ?? {}),
  };
  return new Cluster(sim, resolved, layout);
}
