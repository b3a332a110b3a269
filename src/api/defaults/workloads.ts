// SetDefaults_* for apps/v1 and batch/v1 workloads. Each mutates an already-cloned object.
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { defaultPodSpec } from './pod-spec.ts';

function defaultTemplate(template: PodTemplateSpec | undefined): void {
  if (template?.spec !== undefined) defaultPodSpec(template.spec);
}

export function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  if (spec === undefined) return;
  if (spec.replicas === undefined) spec.replicas = 1;
  const strategy = (spec.strategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    if (rollingUpdate.maxUnavailable === undefined) rollingUpdate.maxUnavailable = '25%';
    if (rollingUpdate.maxSurge === undefined) rollingUpdate.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
  defaultTemplate(spec.template);
}

export function defaultReplicaSet(rs: ReplicaSet): void {
  if (rs.spec === undefined) return;
  if (rs.spec.replicas === undefined) rs.spec.replicas = 1;
  defaultTemplate(rs.spec.template);
}

export function defaultDaemonSet(ds: DaemonSet): void {
  if (ds.spec === undefined) return;
  const strategy = (ds.spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    if (rollingUpdate.maxUnavailable === undefined) rollingUpdate.maxUnavailable = 1;
    if (rollingUpdate.maxSurge === undefined) rollingUpdate.maxSurge = 0;
  }
  if (ds.spec.revisionHistoryLimit === undefined) ds.spec.revisionHistoryLimit = 10;
  defaultTemplate(ds.spec.template);
}

export function defaultJob(job: Job): void {
  const spec = job.spec;
  if (spec === undefined) return;
  // A non-parallel job may leave both unset: both become 1. Setting only parallelism leaves
  // completions nil, which makes the job a work queue.
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism === undefined) spec.parallelism = 1;
  if (spec.backoffLimit === undefined) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  // Decoding copies the template's labels onto an unlabelled Job (before any generated ones).
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels !== undefined && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata = { ...job.metadata, labels: { ...templateLabels } };
  }
  if (spec.completionMode === undefined) spec.completionMode = 'NonIndexed';
  if (spec.suspend === undefined) spec.suspend = false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) if (!pattern.status) pattern.status = 'True';
  }
  if (spec.podReplacementPolicy === undefined) {
    spec.podReplacementPolicy = spec.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed';
  }
  if (spec.manualSelector === undefined) spec.manualSelector = false;
  defaultTemplate(spec.template);
}
