// The scheduler's shared informers: what the default profile's plugins read.
//   pods          every non-terminal pod (upstream's field selector): unassigned ones of ours feed the
//                 queue, assigned ones the scheduler cache
//   nodes         the cache's nodes (allocatable, labels, taints, images)
//   namespaces    labels for InterPodAffinity's namespaceSelector terms
//   services,     DefaultSelector of PodTopologySpread's system-default constraints (statefulsets and
//   replicasets   replicationcontrollers are not served by this apiserver)
import type { Namespace, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { PODS, REPLICASETS, type InformerSpec, type InformerState, type ResourceTarget } from '../../src/client/index.ts';

const NODES: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'nodes' });
const NAMESPACES: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'namespaces' });
const SERVICES: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'services' });

/** newPodInformer: terminal pods free their resources, so the scheduler never caches them. */
export const NON_TERMINAL_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

export const INFORMER_SPECS = {
  pods: Object.freeze({ name: 'pods', resource: PODS, fieldSelector: NON_TERMINAL_PODS }) as InformerSpec<Pod>,
  nodes: Object.freeze({ name: 'nodes', resource: NODES }) as InformerSpec<Node>,
  namespaces: Object.freeze({ name: 'namespaces', resource: NAMESPACES }) as InformerSpec<Namespace>,
  services: Object.freeze({ name: 'services', resource: SERVICES }) as InformerSpec<Service>,
  replicasets: Object.freeze({ name: 'replicasets', resource: REPLICASETS }) as InformerSpec<ReplicaSet>,
} as const;

export interface Informers {
  pods: InformerState<Pod>;
  nodes: InformerState<Node>;
  namespaces: InformerState<Namespace>;
  services: InformerState<Service>;
  replicasets: InformerState<ReplicaSet>;
}

export type InformerName = keyof Informers;

export const INFORMER_NAMES: readonly InformerName[] = ['nodes', 'namespaces', 'services', 'replicasets', 'pods'];
