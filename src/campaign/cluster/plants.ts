import type { ComponentSettings } from '../../cluster/spec.ts';
import type { Plant } from '../types.ts';

/** The cluster corpus of planted bugs: each lives behind its component's `config.plant`. */
export const CLUSTER_PLANTS: readonly (Plant & { settings: keyof ComponentSettings | 'kubeProxy' })[] = [
  {
    name: 'rs-no-expectations', component: 'controller-manager (ReplicaSet)', settings: 'controllerManager',
    caughtBy: 'ESR (stability: pods churn) / safety', description: 'the ReplicaSet controller acts on a cache that lags its own writes (no expectations)',
  },
  {
    name: 'endpoints-include-unready', component: 'controller-manager (Endpoints, EndpointSlice)', settings: 'controllerManager',
    caughtBy: 'ESR: service-endpoints', description: 'unready pods are published as ready endpoints',
  },
  {
    name: 'evict-without-toleration-wait', component: 'controller-manager (taint eviction)', settings: 'controllerManager',
    caughtBy: 'safety: eviction honours tolerationSeconds', description: 'tolerating pods are evicted as soon as their node is tainted NoExecute',
  },
  {
    name: 'ignore-assume-cache', component: 'scheduler', settings: 'scheduler',
    caughtBy: 'safety: node-allocatable', description: 'each cycle schedules against the informer snapshot without the pods it has just assumed',
  },
  {
    name: 'kube-proxy-never-removes-endpoint', component: 'kube-proxy', settings: 'kubeProxy',
    caughtBy: 'ESR: kube-proxy-rules', description: 'endpoints that leave an EndpointSlice stay in the node rules for ever',
  },
];

export function findClusterPlant(name: string | undefined) {
  return name === undefined ? undefined : CLUSTER_PLANTS.find((p) => p.name === name);
}
