// Convergence checking over whole-cluster snapshots: eventually-stable reconciliation (ESR) for every
// Deployment, ReplicaSet, DaemonSet, Job and Service, the nodes, and each node's kube-proxy rules.
// See docs/verification.md, "Cluster convergence".
export { checkConvergence, checkStable, type StabilityResult } from './check.ts';
export {
  describeObject, fromObjects, fromRegistryEntries, fromResourceLists,
  type CheckedResource, type CheckedResources, type ClusterView, type StoredObject, type ViewOptions,
} from './view.ts';
export { formatViolations, violation, type ConvergenceProperty, type SafetyProperty, type Violation } from './violation.ts';
export { checkDeployment, checkReplicaSet, sameTemplateIgnoringHash, POD_TEMPLATE_HASH_LABEL } from './workloads.ts';
export { checkDaemonSet, daemonPlacement, currentDaemonRevision, CONTROLLER_REVISION_HASH_LABEL } from './daemonset.ts';
export { checkJob } from './job.ts';
export { checkService, checkKubeProxyRules } from './services.ts';
export { checkNodes } from './nodes.ts';
export * as pods from './pods.ts';
