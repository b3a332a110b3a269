// A whole cluster in one Simulation, driven from code: build it from a spec, run it in virtual time,
// apply manifests and act as kubectl would (always through an apiserver actor), read objects and events.
export { buildCluster, buildResolvedCluster, CONTROLLER_MANAGER, SCHEDULER_ADDRESS, type BuildOptions } from './build.ts';
export { Cluster, ApplyError, type ClusterLayout, type ListOptions, type ObservedEvent } from './cluster.ts';
export type { ClusterSpec, ComponentSettings, NodeCapacity, NodeEntry, NodePool, NodeSpec, ResolvedClusterSpec } from './spec.ts';
export { DEFAULT_APISERVERS, DEFAULT_ETCD_MEMBERS, DEFAULT_NODE_CAPACITY, DEFAULT_NODE_COUNT } from './spec.ts';
export { resolveClusterSpec, resolveLink, LIMITS } from './resolve-spec.ts';
export { InputError } from './input-check.ts';
export {
  ApiError, ConnectionRefusedError, RequestTimeoutError, UserClient, KUBECTL_USER, USER_ADDRESS, bodyOf, statusOf, type Requester,
} from './user-client.ts';
export { ClientInformer } from './client-informer.ts';
export {
  LAST_APPLIED, ManifestError, applyObjects, describeApply, parseManifest, withLastApplied,
  type ApplyOptions, type ApplyResult, type ManifestObject,
} from './kubectl/apply.ts';
export { threeWayPatch } from './kubectl/three-way-patch.ts';
export { KubectlError, type DeleteOptions } from './kubectl/verbs.ts';
export { UnknownResourceError, parseTarget, qualifiedName, resolveResource } from './kubectl/resources.ts';
