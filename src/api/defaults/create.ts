// Create-time mutations done by each kind's registry strategy (PrepareForCreate) rather than by
// decoding defaults: they must not re-run on update (e.g. a namespace's "kubernetes" finalizer is
// removed by the namespace controller and must stay removed).
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import { podQOSClass } from '../qos.ts';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const DAEMONSET_TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
export const NAMESPACE_FINALIZER = 'kubernetes';

export function preparePod(pod: Pod): Pod {
  return { ...pod, status: { phase: 'Pending', qosClass: podQOSClass(pod) } };
}

export function prepareNamespace(ns: Namespace): Namespace {
  const finalizers = ns.spec?.finalizers ?? [];
  return {
    ...ns,
    spec: { ...ns.spec, finalizers: finalizers.includes(NAMESPACE_FINALIZER) ? finalizers : [...finalizers, NAMESPACE_FINALIZER] },
    status: { phase: 'Active' },
  };
}

// Status is reset to its zero value; JSON keeps the fields Go does not mark omitempty.
export function prepareDeployment(d: Deployment): Deployment {
  return { ...d, metadata: { ...d.metadata, generation: 1 }, status: {} };
}

export function prepareReplicaSet(rs: ReplicaSet): ReplicaSet {
  return { ...rs, metadata: { ...rs.metadata, generation: 1 }, status: { replicas: 0 } };
}

export function prepareDaemonSet(ds: DaemonSet): DaemonSet {
  const annotations = ds.metadata?.annotations ?? {};
  // TemplateGeneration (an annotation in apps/v1) starts at 1.
  const current = Number(annotations[DAEMONSET_TEMPLATE_GENERATION_ANNOTATION] ?? '0');
  const templateGeneration = Number.isInteger(current) && current >= 1 ? String(current) : '1';
  return {
    ...ds,
    metadata: {
      ...ds.metadata,
      generation: 1,
      annotations: { ...annotations, [DAEMONSET_TEMPLATE_GENERATION_ANNOTATION]: templateGeneration },
    },
    status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 },
  };
}

/**
 * Unless spec.manualSelector, select on the job's UID and label the template to match (both the
 * batch.kubernetes.io/ labels and the legacy unprefixed ones). Needs metadata.uid set, as the
 * apiserver fills system fields before the strategy runs.
 */
export function prepareJob(job: Job): Job {
  const base: Job = { ...job, metadata: { ...job.metadata, generation: 1 }, status: {} };
  const spec = job.spec;
  if (spec === undefined || spec.manualSelector === true) return base;
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  const labels = { ...spec.template.metadata?.labels };
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(key in labels)) labels[key] = name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(key in labels)) labels[key] = uid;
  const matchLabels = { ...spec.selector?.matchLabels };
  if (!(CONTROLLER_UID_LABEL in matchLabels)) matchLabels[CONTROLLER_UID_LABEL] = uid;
  return {
    ...base,
    spec: {
      ...spec,
      selector: { ...spec.selector, matchLabels },
      template: { ...spec.template, metadata: { ...spec.template.metadata, labels } },
    },
  };
}

function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None' || svc.spec?.clusterIPs?.[0] === 'None';
}

/**
 * The Service REST create path on a single-stack IPv4 cluster: IP family fields are filled in
 * (cluster IP allocation itself belongs to the allocator, not this module); status starts empty.
 */
export function prepareService(svc: Service): Service {
  const spec = svc.spec;
  if (spec === undefined) return svc;
  const withStatus: Service = { ...svc, status: { loadBalancer: {} } };
  if (spec.type === 'ExternalName') return withStatus;
  const selectorless = Object.keys(spec.selector ?? {}).length === 0;
  const ipFamilyPolicy = spec.ipFamilyPolicy ?? (isHeadless(svc) && selectorless ? 'RequireDualStack' : 'SingleStack');
  const ipFamilies = spec.ipFamilies && spec.ipFamilies.length > 0 ? spec.ipFamilies : ['IPv4'];
  return { ...withStatus, spec: { ...spec, ipFamilyPolicy, ipFamilies } };
}
