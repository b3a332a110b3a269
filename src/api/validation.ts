// Entry points for validating API objects the way kube-apiserver does before storing them.
// Inputs are expected to be defaulted already (the API validates after defaulting): e.g. an
// undefaulted Pod reports `spec.restartPolicy: Required value`, exactly as the internal
// validation would. Updates expect the store to have carried system metadata over from the
// stored object first (resourceVersion for unconditional updates, uid, creationTimestamp),
// as registry.Store and rest.BeforeUpdate do.
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { ConfigMap, Endpoints, Event, Namespace, Node, Pod, Secret, Service, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Event as EventV1 } from 'kubernetes-types/events/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Cause } from './validation/causes.ts';
import { validatePod, validatePodUpdate } from './validation/pod.ts';
import {
  validateDaemonSet,
  validateDaemonSetUpdate,
  validateDeployment,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
} from './validation/workloads.ts';
import { validateJob, validateJobUpdate } from './validation/job.ts';
import { validateService, validateServiceUpdate } from './validation/service.ts';
import { validateCoreEvent, validateEventsV1Event } from './validation/events.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints } from './validation/endpoints.ts';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateLease,
  validateNamespace,
  validateNamespaceUpdate,
  validateNode,
  validateNodeUpdate,
  validateSecret,
  validateSecretUpdate,
  validateServiceAccount,
} from './validation/core-kinds.ts';
import { validateObjectMetaUpdate } from './validation/object-meta.ts';

export type { Cause, CauseType } from './validation/causes.ts';
export { causeToString } from './validation/causes.ts';
export { aggregateCauses, formatInvalidMessage, invalidStatus } from './validation/status.ts';
export { validatePodSpec, validatePodTemplateSpec } from './validation/pod.ts';
export { validateObjectMeta, validateLabelSelector, validateLabels } from './validation/object-meta.ts';

export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export class UnsupportedKindError extends Error {
  constructor(apiVersion: string | undefined, kind: string | undefined) {
    super(`no validation registered for ${apiVersion ?? '<none>'}, Kind=${kind ?? '<none>'}`);
    this.name = 'UnsupportedKindError';
  }
}

type Create = (obj: never) => Cause[];
type Update = (next: never, prev: never) => Cause[];

const CREATE: Readonly<Record<string, Create>> = {
  'v1/Pod': (o: Pod) => validatePod(o),
  'v1/Namespace': (o: Namespace) => validateNamespace(o),
  'v1/Node': (o: Node) => validateNode(o),
  'v1/ConfigMap': (o: ConfigMap) => validateConfigMap(o),
  'v1/Secret': (o: Secret) => validateSecret(o),
  'v1/Service': (o: Service) => validateService(o),
  'v1/Endpoints': (o: Endpoints) => validateEndpoints(o),
  'v1/ServiceAccount': (o: ServiceAccount) => validateServiceAccount(o),
  'v1/Event': (o: Event) => validateCoreEvent(o),
  'events.k8s.io/v1/Event': (o: EventV1) => validateEventsV1Event(o),
  'coordination.k8s.io/v1/Lease': (o: Lease) => validateLease(o),
  'apps/v1/Deployment': (o: Deployment) => validateDeployment(o),
  'apps/v1/ReplicaSet': (o: ReplicaSet) => validateReplicaSet(o),
  'apps/v1/DaemonSet': (o: DaemonSet) => validateDaemonSet(o),
  'batch/v1/Job': (o: Job) => validateJob(o),
  'discovery.k8s.io/v1/EndpointSlice': (o: EndpointSlice) => validateEndpointSlice(o),
};

// Kinds whose update rules are "valid as on create, plus metadata rules".
const metaUpdateThenCreate =
  (create: Create): Update =>
  (next: ApiObject, prev: ApiObject) => [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...create(next as never).filter((c) => !c.field.startsWith('metadata.')),
  ];

const UPDATE: Readonly<Record<string, Update>> = {
  'v1/Pod': (n: Pod, p: Pod) => validatePodUpdate(n, p),
  'v1/Namespace': (n: Namespace, p: Namespace) => validateNamespaceUpdate(n, p),
  'v1/Node': (n: Node, p: Node) => validateNodeUpdate(n, p),
  'v1/ConfigMap': (n: ConfigMap, p: ConfigMap) => validateConfigMapUpdate(n, p),
  'v1/Secret': (n: Secret, p: Secret) => validateSecretUpdate(n, p),
  'v1/Service': (n: Service, p: Service) => validateServiceUpdate(n, p),
  'v1/Endpoints': metaUpdateThenCreate(CREATE['v1/Endpoints']),
  'v1/ServiceAccount': metaUpdateThenCreate(CREATE['v1/ServiceAccount']),
  'v1/Event': metaUpdateThenCreate(CREATE['v1/Event']),
  'events.k8s.io/v1/Event': metaUpdateThenCreate(CREATE['events.k8s.io/v1/Event']),
  'coordination.k8s.io/v1/Lease': metaUpdateThenCreate(CREATE['coordination.k8s.io/v1/Lease']),
  'apps/v1/Deployment': (n: Deployment, p: Deployment) => validateDeploymentUpdate(n, p),
  'apps/v1/ReplicaSet': (n: ReplicaSet, p: ReplicaSet) => validateReplicaSetUpdate(n, p),
  'apps/v1/DaemonSet': (n: DaemonSet, p: DaemonSet) => validateDaemonSetUpdate(n, p),
  'batch/v1/Job': (n: Job, p: Job) => validateJobUpdate(n, p),
  'discovery.k8s.io/v1/EndpointSlice': (n: EndpointSlice, p: EndpointSlice) => validateEndpointSliceUpdate(n, p),
};

function keyOf(obj: ApiObject): string {
  return `${obj.apiVersion ?? ''}/${obj.kind ?? ''}`;
}

/** Validation for create. Throws UnsupportedKindError for kinds this model does not serve. */
export function validate<T extends ApiObject>(obj: T): Cause[] {
  const fn = CREATE[keyOf(obj)];
  if (fn === undefined) throw new UnsupportedKindError(obj.apiVersion, obj.kind);
  return fn(obj as never);
}

/** Validation for update: `next` replaces `prev`. */
export function validateUpdate<T extends ApiObject>(prev: T, next: T): Cause[] {
  const fn = UPDATE[keyOf(next)];
  if (fn === undefined) throw new UnsupportedKindError(next.apiVersion, next.kind);
  return fn(next as never, prev as never);
}
