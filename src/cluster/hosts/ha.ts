// The replicated control plane of an HA cluster: kube-controller-manager and kube-scheduler replicas
// (each elects its leader through a Lease), and the apiserver load balancer the nodes talk to.
//
//   kcm-0…kcm-(n-1), scheduler-0…   replica i talks to apiserver-(i mod apiservers), as each sits on its
//                                   own control-plane node of kubeadm's stacked topology; a spec's
//                                   `components.<c>.apiserver` points every replica at that one instead
//   apiserver-lb                    only with more than one apiserver (one apiserver: nodes talk to it)
import { controllerManagerMachine } from '../../../machines/controller-manager/controller-manager.machine.ts';
import type { ControllerManagerConfig } from '../../../machines/controller-manager/config.ts';
import { loadBalancerMachine } from '../../../machines/load-balancer/load-balancer.machine.ts';
import { LOAD_BALANCER_ADDRESS, type LoadBalancerConfig } from '../../../machines/load-balancer/config.ts';
import type { SchedulerConfig } from '../../../machines/scheduler/config.ts';
import type { Address } from '../../bus/envelope.ts';
import type { Simulation } from '../../host/simulation.ts';
import type { ComponentSettings } from '../spec.ts';
import { hostScheduler } from './scheduler.ts';

export { LOAD_BALANCER_ADDRESS };

export const controllerManagerAddress = (i: number): Address => `kcm-${i}`;
export const schedulerAddress = (i: number): Address => `scheduler-${i}`;

/** The `replicas` a component's settings ask for (validated by resolve-spec), and the rest of them. */
function split<T extends { replicas?: unknown; apiserver?: unknown }>(settings: T | undefined): { replicas: number; apiserver?: Address; rest: Omit<T, 'replicas' | 'apiserver'> } {
  const { replicas, apiserver, ...rest } = settings ?? ({} as T);
  return { replicas: typeof replicas === 'number' ? replicas : 1, ...(typeof apiserver === 'string' ? { apiserver } : {}), rest };
}

/** Hosts every kube-controller-manager replica; returns their addresses. */
export function hostControllerManagers(sim: Simulation, components: ComponentSettings, apiservers: readonly Address[]): Address[] {
  const { replicas, apiserver, rest } = split(components.controllerManager);
  return Array.from({ length: replicas }, (_, i) => {
    const address = controllerManagerAddress(i);
    sim.add<ControllerManagerConfig>(address, controllerManagerMachine, { ...(rest as Partial<ControllerManagerConfig>), apiserver: apiserver ?? apiservers[i % apiservers.length] });
    return address;
  });
}

/** Hosts every kube-scheduler replica; returns their addresses. */
export function hostSchedulers(sim: Simulation, components: ComponentSettings, apiservers: readonly Address[]): Address[] {
  const { replicas, apiserver, rest } = split(components.scheduler);
  return Array.from({ length: replicas }, (_, i) => {
    const address = schedulerAddress(i);
    hostScheduler(sim, address, { apiserver: apiserver ?? apiservers[i % apiservers.length], config: rest as Partial<SchedulerConfig> });
    return address;
  });
}

/** With several apiservers, the load balancer in front of them (undefined with one). */
export function hostApiserverLoadBalancer(sim: Simulation, apiservers: readonly Address[]): Address | undefined {
  if (apiservers.length < 2) return undefined;
  sim.add<LoadBalancerConfig>(LOAD_BALANCER_ADDRESS, loadBalancerMachine, { backends: apiservers });
  return LOAD_BALANCER_ADDRESS;
}
