// batch/v1 Job validation (pkg/apis/batch/validation): ValidateJob and ValidateJobUpdate.
import type { Job } from 'kubernetes-types/batch/v1.js';
import { type Cause, FieldPath, invalid, nonNegative, notSupported, required } from './causes.ts';
import { goLabelSelector, goLiteral, goStructApprox } from './go-format.ts';
import { validateImmutableField, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { validatePodTemplateSpec } from './pod.ts';
import { isDNS1123Label, nameIsDNSSubdomain } from './rules.ts';
import { templateLabelsMismatch } from './workloads.ts';
import { matches, selectorFromLabelSelector } from '../labels.ts';

const MAX_PARALLELISM_FOR_INDEXED_JOB = 100_000;

function validateJobSpec(job: Job, path: FieldPath): Cause[] {
  const spec = job.spec;
  const causes: Cause[] = [
    ...nonNegative(path.child('parallelism'), spec?.parallelism),
    ...nonNegative(path.child('completions'), spec?.completions),
    ...nonNegative(path.child('activeDeadlineSeconds'), spec?.activeDeadlineSeconds),
    ...nonNegative(path.child('backoffLimit'), spec?.backoffLimit),
    ...nonNegative(path.child('ttlSecondsAfterFinished'), spec?.ttlSecondsAfterFinished),
  ];
  const mode = spec?.completionMode;
  if (mode !== undefined) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') causes.push(notSupported(String(path.child('completionMode')), mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (spec?.completions === undefined) causes.push(required(String(path.child('completions')), 'when completion mode is Indexed'));
      if ((spec?.parallelism ?? 0) > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        causes.push(invalid(String(path.child('parallelism')), spec!.parallelism!, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
      }
    }
  }
  causes.push(...validatePodTemplateSpec(spec?.template, path.child('template')));
  // restartPolicy was defaulted to Always if unset, so Always and "" read as "not chosen".
  const restartPolicy = spec?.template?.spec?.restartPolicy ?? '';
  const rpPath = String(path.child('template', 'spec', 'restartPolicy'));
  if (restartPolicy === 'Always' || restartPolicy === '') causes.push(required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') causes.push(notSupported(rpPath, restartPolicy, ['OnFailure', 'Never']));
  else if (spec?.podFailurePolicy !== undefined && restartPolicy !== 'Never') {
    causes.push(invalid(rpPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return causes;
}

export function validateJob(job: Job): Cause[] {
  const path = FieldPath.root('spec');
  const causes = [...validateObjectMeta(job.metadata, true, nameIsDNSSubdomain), ...validateJobSpec(job, path)];
  const selector = job.spec?.selector;
  if (selector === undefined) causes.push(required(String(path.child('selector'))));
  else causes.push(...validateLabelSelector(selector, path.child('selector')));
  // Manual or generated, the selector must match the pods the job creates.
  let sel;
  try {
    sel = selectorFromLabelSelector(selector);
  } catch {
    sel = undefined;
  }
  if (sel !== undefined && !matches(sel, job.spec?.template?.metadata?.labels)) causes.push(templateLabelsMismatch(job.spec?.template, path.child('template')));
  const completions = job.spec?.completions;
  if (job.spec?.completionMode === 'Indexed' && completions !== undefined && completions > 0) {
    // Pod hostnames get "-<index>" appended; the largest must still be a DNS label.
    const name = job.metadata?.name ?? '';
    const maxHostname = `${name}-${completions - 1}`;
    if (isDNS1123Label(maxHostname).length > 0) {
      causes.push(invalid('metadata.name', name, `will not able to create pod with invalid DNS label: ${maxHostname}`));
    }
  }
  return causes;
}

/** Completions are immutable, except an Indexed job may scale them together with parallelism. */
function validateCompletionsUpdate(next: Job, prev: Job, path: FieldPath): Cause[] {
  const n = next.spec?.completions;
  const p = prev.spec?.completions;
  if (next.spec?.completionMode !== 'Indexed') return validateImmutableField(n, p, path, n ?? null);
  if (n === p || n === undefined) return [];
  return n !== next.spec?.parallelism ? [invalid(String(path), n, 'can only be modified in tandem with spec.parallelism')] : [];
}

export function validateJobUpdate(next: Job, prev: Job): Cause[] {
  const path = FieldPath.root('spec');
  const n = next.spec;
  const p = prev.spec;
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateJob(next).filter((c) => !c.field.startsWith('metadata.')),
    ...validateCompletionsUpdate(next, prev, path.child('completions')),
    ...validateImmutableField(n?.selector, p?.selector, path.child('selector'), n?.selector === undefined ? null : goLiteral(goLabelSelector(n.selector))),
    // Upstream prints the whole core.PodTemplateSpec struct here; an approximation stands in.
    ...validateImmutableField(n?.template, p?.template, path.child('template'), goLiteral(goStructApprox('core.PodTemplateSpec', n?.template))),
    ...validateImmutableField(n?.completionMode, p?.completionMode, path.child('completionMode'), n?.completionMode ?? null),
    ...validateImmutableField(n?.podFailurePolicy, p?.podFailurePolicy, path.child('podFailurePolicy'), goLiteral(goStructApprox('batch.PodFailurePolicy', n?.podFailurePolicy))),
    ...validateImmutableField(n?.backoffLimitPerIndex, p?.backoffLimitPerIndex, path.child('backoffLimitPerIndex'), n?.backoffLimitPerIndex ?? null),
  ];
}
