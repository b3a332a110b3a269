// The shared informers of the controller-manager: one per resource, as the SharedInformerFactory gives
// every controller the same cache. Each controller module names the informers it needs; only the union
// of what the enabled controllers need is started (listed and watched).
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ConfigMap, Endpoints, Namespace, Node, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  CONTROLLER_UID_INDEX, DEPLOYMENTS, NODE_NAME_INDEX, PODS, REPLICASETS, byControllerUid, byNodeName, newInformer,
  type IndexFunc, type InformerOptions, type InformerSpec, type InformerState, type KubeObject, type ResourceTarget,
} from '../../src/client/index.ts';

const target = (group: string, resource: string): ResourceTarget => Object.freeze({ group, version: 'v1', resource });

export const NODES = target('', 'nodes');
export const LEASES = target('coordination.k8s.io', 'leases');
export const SERVICES = target('', 'services');
export const ENDPOINTS = target('', 'endpoints');
export const ENDPOINTSLICES = target('discovery.k8s.io', 'endpointslices');
export const JOBS = target('batch', 'jobs');
export const DAEMONSETS = target('apps', 'daemonsets');
export const NAMESPACES = target('', 'namespaces');
export const CONFIGMAPS = target('', 'configmaps');
export const SECRETS = target('', 'secrets');

/** The garbage collector's indexes: an object by uid, and the objects owned by a uid. */
export const UID_INDEX = 'uid';
export const OWNER_UID_INDEX = 'ownerUid';
const byUid: IndexFunc<KubeObject> = (o) => [o.metadata?.uid ?? ''];
const byOwnerUid: IndexFunc<KubeObject> = (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid);
const gc = { [UID_INDEX]: byUid, [OWNER_UID_INDEX]: byOwnerUid };

/** The namespace of the kubelets' node Leases (v1.NamespaceNodeLease). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** discovery.LabelServiceName: which Service an EndpointSlice belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const SERVICE_NAME_INDEX = 'serviceName';

export interface Informers {
  readonly deployments: InformerState<Deployment>;
  readonly replicasets: InformerState<ReplicaSet>;
  readonly pods: InformerState<Pod>;
  readonly nodes: InformerState<Node>;
  readonly leases: InformerState<Lease>;
  readonly services: InformerState<Service>;
  readonly endpoints: InformerState<Endpoints>;
  readonly endpointslices: InformerState<EndpointSlice>;
  readonly jobs: InformerState<Job>;
  readonly daemonsets: InformerState<DaemonSet>;
  readonly namespaces: InformerState<Namespace>;
  readonly configmaps: InformerState<ConfigMap>;
  readonly secrets: InformerState<Secret>;
}

export type InformerName = keyof Informers;

type Specs = { readonly [K in InformerName]: InformerSpec<Informers[K] extends InformerState<infer T> ? T : never> };

export const INFORMER_SPECS: Specs = Object.freeze({
  deployments: { name: 'deployments', resource: DEPLOYMENTS, indexers: gc },
  replicasets: { name: 'replicasets', resource: REPLICASETS, indexers: { [CONTROLLER_UID_INDEX]: byControllerUid, ...gc } },
  pods: { name: 'pods', resource: PODS, indexers: { [CONTROLLER_UID_INDEX]: byControllerUid, [NODE_NAME_INDEX]: byNodeName, ...gc } },
  nodes: { name: 'nodes', resource: NODES, indexers: gc },
  // The node lifecycle controller reads only the kubelets' Leases (owned by their Nodes).
  leases: { name: 'leases', resource: LEASES, namespace: NODE_LEASE_NAMESPACE, indexers: gc },
  services: { name: 'services', resource: SERVICES, indexers: gc },
  endpoints: { name: 'endpoints', resource: ENDPOINTS, indexers: gc },
  endpointslices: {
    name: 'endpointslices', resource: ENDPOINTSLICES,
    indexers: { [SERVICE_NAME_INDEX]: (s: EndpointSlice) => [`${s.metadata?.namespace ?? ''}/${s.metadata?.labels?.[SERVICE_NAME_LABEL] ?? ''}`], ...gc },
  },
  jobs: { name: 'jobs', resource: JOBS, indexers: { [CONTROLLER_UID_INDEX]: byControllerUid, ...gc } },
  daemonsets: { name: 'daemonsets', resource: DAEMONSETS, indexers: gc },
  namespaces: { name: 'namespaces', resource: NAMESPACES },
  configmaps: { name: 'configmaps', resource: CONFIGMAPS, indexers: gc },
  secrets: { name: 'secrets', resource: SECRETS, indexers: gc },
});

/** The informers the garbage collector builds its ownership graph from (all but namespaces). */
export const GC_INFORMERS: readonly InformerName[] = [
  'pods', 'replicasets', 'deployments', 'daemonsets', 'jobs', 'services', 'endpoints', 'endpointslices', 'configmaps', 'secrets', 'nodes', 'leases',
];

export const INFORMER_NAMES = Object.keys(INFORMER_SPECS) as InformerName[];

/** Every informer, stopped; a manager starts only those its controllers need. */
export function newInformers(options: InformerOptions): Informers {
  return Object.fromEntries(INFORMER_NAMES.map((name) => [name, newInformer(INFORMER_SPECS[name] as never, options)])) as unknown as Informers;
}
