// Defaulting as kube-apiserver does it, in three layers a caller combines per request:
//   applyDefaults      — SetDefaults_* run on every decode (create *and* update);
//   prepareForCreate   — the registry strategy's create-time mutations (status reset,
//                        generation 1, namespace finalizer, job selector, service IP families);
//   addDefaultTolerations — an admission plugin, create only, pods only (see defaults/pod.ts).
// All are pure: they return a new object and never mutate their argument.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Endpoints, Namespace, Node, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { defaultPod } from './defaults/pod.ts';
import { defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet } from './defaults/workloads.ts';
import {
  defaultEndpointSlice,
  defaultEndpoints,
  defaultNamespace,
  defaultNode,
  defaultSecret,
  defaultService,
} from './defaults/core.ts';
import {
  prepareDaemonSet,
  prepareDeployment,
  prepareJob,
  prepareNamespace,
  preparePod,
  prepareReplicaSet,
  prepareService,
} from './defaults/create.ts';

export { addDefaultTolerations } from './defaults/pod.ts';

/** Anything with apiVersion/kind; defaulting dispatches on "group/Kind". */
export interface TypedObject {
  apiVersion?: string;
  kind?: string;
}

function groupKind(obj: TypedObject): string {
  const apiVersion = obj.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  return `${slash < 0 ? '' : apiVersion.slice(0, slash)}/${obj.kind ?? ''}`;
}

/** Mutating defaulters run on a private deep copy; the rest return new objects themselves. */
const DEFAULTERS: Readonly<Record<string, (obj: never) => unknown>> = {
  '/Pod': (p: Pod) => defaultPod(p),
  'apps/Deployment': (d: Deployment) => defaultDeployment(d),
  'apps/ReplicaSet': (rs: ReplicaSet) => defaultReplicaSet(rs),
  'apps/DaemonSet': (ds: DaemonSet) => defaultDaemonSet(ds),
  'batch/Job': (j: Job) => defaultJob(j),
  '/Service': (s: Service) => defaultService(s),
  '/Namespace': (ns: Namespace) => defaultNamespace(ns),
  '/Secret': (s: Secret) => defaultSecret(s),
  '/Node': (n: Node) => defaultNode(n),
  '/Endpoints': (e: Endpoints) => defaultEndpoints(e),
  'discovery.k8s.io/EndpointSlice': (s: EndpointSlice) => defaultEndpointSlice(s),
};

/** SetDefaults for the object's kind; kinds without defaults come back as an equal copy. */
export function applyDefaults<T extends TypedObject>(obj: T): T {
  const copy = structuredClone(obj);
  const defaulter = DEFAULTERS[groupKind(obj)] as ((o: T) => T | void) | undefined;
  const replaced = defaulter?.(copy);
  return replaced ?? copy;
}

const PREPARERS: Readonly<Record<string, (obj: never) => unknown>> = {
  '/Pod': preparePod,
  '/Namespace': prepareNamespace,
  '/Service': prepareService,
  'apps/Deployment': prepareDeployment,
  'apps/ReplicaSet': prepareReplicaSet,
  'apps/DaemonSet': prepareDaemonSet,
  'batch/Job': prepareJob,
};

/** The kind's PrepareForCreate. Expects defaults already applied and metadata.uid set. */
export function prepareForCreate<T extends TypedObject>(obj: T): T {
  const prepare = PREPARERS[groupKind(obj)] as ((o: T) => T) | undefined;
  return prepare === undefined ? structuredClone(obj) : prepare(structuredClone(obj));
}

/** What a create stores, short of system metadata and admission: defaults, then strategy. */
export function defaultForCreate<T extends TypedObject>(obj: T): T {
  return prepareForCreate(applyDefaults(obj));
}
