import { apiserverMachine } from '../../machines/apiserver/apiserver.machine.ts';
import { etcdClientMachine } from '../../machines/etcd-client/etcd-client.machine.ts';
import type { EtcdClientConfig } from '../../machines/etcd-client/types.ts';
import type { Address } from '../bus/envelope.ts';
import type { ComponentHost } from '../host/component-host.ts';
import type { Simulation } from '../host/simulation.ts';
import type { ApiServerConfig } from './config.ts';

export interface HostedApiServer {
  apiserver: ComponentHost<ApiServerConfig>;
  etcdClient: ComponentHost<EtcdClientConfig>;
}

/**
 * Hosts a kube-apiserver at `address` and its etcd client at `<address>/etcd` (the same host, so a
 * partition of the host cuts both). The client is added first so the apiserver's first messages find it.
 */
export function hostApiServer(
  sim: Simulation,
  address: Address,
  options: { etcdMembers: Address[]; etcdClient?: Omit<EtcdClientConfig, 'members'>; config?: ApiServerConfig },
): HostedApiServer {
  const clientAddress = options.config?.etcdClient ?? `${address}/etcd`;
  const etcdClient = sim.add<EtcdClientConfig>(clientAddress, etcdClientMachine, { members: options.etcdMembers, ...options.etcdClient });
  const apiserver = sim.add<ApiServerConfig>(address, apiserverMachine, { ...options.config, etcdClient: clientAddress });
  return { apiserver, etcdClient };
}
