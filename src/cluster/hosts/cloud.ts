// The cloud side of the cluster: the simulated cloud's load balancer API at `cloud-provider` and the
// cloud-controller-manager at `ccm-0` (its service controller), which talks to one kube-apiserver.
import { cloudControllerManagerMachine } from '../../../machines/cloud-controller-manager/cloud-controller-manager.machine.ts';
import { cloudProviderMachine } from '../../../machines/cloud-controller-manager/cloud-provider.machine.ts';
import type { CloudControllerManagerConfig } from '../../../machines/cloud-controller-manager/config.ts';
import type { Address } from '../../bus/envelope.ts';
import type { CloudConfig } from '../../cloud/cloud.ts';
import { CLOUD_PROVIDER_ADDRESS } from '../../cloud/protocol.ts';
import type { Simulation } from '../../host/simulation.ts';
import { addOnLinks } from './add-on-links.ts';

export const CLOUD_CONTROLLER_MANAGER = 'ccm-0';

/** Hosts the cloud and the cloud-controller-manager unless the spec turned them off; returns their addresses. */
export function hostCloudIfEnabled(
  sim: Simulation, options: { enabled: boolean; apiserver: Address; cloud?: CloudConfig },
): { cloudControllerManager: Address; cloud: Address } | undefined {
  if (!options.enabled) return undefined;
  addOnLinks(sim, CLOUD_PROVIDER_ADDRESS);
  addOnLinks(sim, CLOUD_CONTROLLER_MANAGER);
  sim.add<CloudConfig>(CLOUD_PROVIDER_ADDRESS, cloudProviderMachine, options.cloud ?? {});
  sim.add<CloudControllerManagerConfig>(CLOUD_CONTROLLER_MANAGER, cloudControllerManagerMachine, { apiserver: options.apiserver, cloud: CLOUD_PROVIDER_ADDRESS });
  return { cloudControllerManager: CLOUD_CONTROLLER_MANAGER, cloud: CLOUD_PROVIDER_ADDRESS };
}
