import type { ComponentSettings } from '../../cluster/spec.ts';
import type { Plant } from '../types.ts';

export type PlantSettings = keyof ComponentSettings | 'kubeProxy';

/** The cluster corpus of planted bugs: each lives behind its component's (or components') `config.plant`. */
export const CLUSTER_PLANTS: readonly (Plant & { settings: PlantSettings | readonly PlantSettings[] })[] = [
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
  {
    name: 'leader-acts-after-losing-lease', component: 'scheduler and controller-manager (leader election)', settings: ['scheduler', 'controllerManager'],
    caughtBy: 'safety: leader-per-term', description: 'a replica that loses its lease ignores OnStoppedLeading and keeps acting under the term it lost',
  },
];

/** True when `plant` is switched on through `settings`. */
export function plantedIn(plant: (typeof CLUSTER_PLANTS)[number] | undefined, settings: PlantSettings): boolean {
  if (!plant) return false;
  return typeof plant.settings === 'string' ? plant.settings === settings : plant.settings.includes(settings);
}

export function findClusterPlant(name: string | undefined) {
  return name === undefined ? undefined : CLUSTER_PLANTS.find((p) => p.name === name);
}
