// apps/v1 validation (pkg/apis/apps/validation) plus the selector immutability the registry
// strategies add on update for apps/v1.
import type { DaemonSet, Deployment, ReplicaSet, RollingUpdateDaemonSet } from 'kubernetes-types/apps/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { type Cause, FieldPath, forbidden, invalid, nonNegative, notSupported, required } from './causes.ts';
import { goIntOrString, goLabelSelector, goLiteral, goPointer, goQuote, goStringMap } from './go-format.ts';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, validateImmutableField } from './object-meta.ts';
import { validatePodTemplateSpec } from './pod.ts';
import { isValidPercent, nameIsDNSSubdomain } from './rules.ts';
import { matches, selectorFromLabelSelector, isEverything, type Selector } from '../labels.ts';

type IntOrString = number | string | undefined;

function selectorOrUndefined(sel: LabelSelector | undefined): Selector | undefined {
  try {
    return selectorFromLabelSelector(sel);
  } catch {
    return undefined;
  }
}

const selectorValue = (sel: LabelSelector | undefined) => (sel === undefined ? null : goLiteral(goLabelSelector(sel)));

export function templateLabelsMismatch(template: PodTemplateSpec | undefined, path: FieldPath): Cause {
  return invalid(String(path.child('metadata', 'labels')), goLiteral(goStringMap(template?.metadata?.labels)), '`selector` does not match template `labels`');
}

/** The selector checks shared by Deployment and ReplicaSet (ValidateDeploymentSpec & co). */
function validateSelectorAndTemplate(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  kindWord: string,
  path: FieldPath,
): Cause[] {
  const causes: Cause[] = [];
  const selPath = path.child('selector');
  if (selector === undefined) causes.push(required(String(selPath)));
  else {
    causes.push(...validateLabelSelector(selector, selPath));
    if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
      causes.push(invalid(String(selPath), selectorValue(selector), `empty selector is invalid for ${kindWord}`));
    }
  }
  const sel = selectorOrUndefined(selector);
  if (sel === undefined) {
    causes.push(invalid(String(selPath), selectorValue(selector), 'invalid label selector'));
    return causes;
  }
  causes.push(...validatePodTemplateForReplicaSet(template, sel, 'ReplicaSet', path.child('template')));
  return causes;
}

/** ValidatePodTemplateSpecForReplicaSet: note a nil selector matches nothing, so it also fails here. */
function validatePodTemplateForReplicaSet(template: PodTemplateSpec | undefined, sel: Selector, owner: string, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  if (!isEverything(sel) && !matches(sel, template?.metadata?.labels)) causes.push(templateLabelsMismatch(template, path));
  causes.push(...validatePodTemplateSpec(template, path));
  const restartPolicy = template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') causes.push(notSupported(String(path.child('spec', 'restartPolicy')), restartPolicy, ['Always']));
  if (template?.spec?.activeDeadlineSeconds !== undefined) {
    causes.push(forbidden(String(path.child('spec', 'activeDeadlineSeconds')), `activeDeadlineSeconds in ${owner} is not Supported`));
  }
  return causes;
}

function percentValue(v: IntOrString): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return undefined;
  return Number(v.slice(0, -1));
}

/** getIntOrPercentValue: a malformed string counts as 0 (intstr.IntValue of a non-number). */
function intOrPercentValue(v: IntOrString): number {
  const pct = percentValue(v);
  if (pct !== undefined) return pct;
  if (typeof v === 'number') return v;
  const n = Number.parseInt(v ?? '', 10);
  return Number.isNaN(n) ? 0 : n;
}

function validatePositiveIntOrPercent(v: IntOrString, path: FieldPath): Cause[] {
  if (typeof v === 'string') return isValidPercent(v).map((msg) => invalid(String(path), goLiteral(goIntOrString(v)), msg));
  return nonNegative(path, v ?? 0);
}

function notMoreThan100Percent(v: IntOrString, path: FieldPath): Cause[] {
  const pct = percentValue(v);
  return pct !== undefined && pct > 100 ? [invalid(String(path), goLiteral(goIntOrString(v)), 'must not be greater than 100%')] : [];
}

function validateDeploymentStrategy(d: Deployment, path: FieldPath): Cause[] {
  const strategy = d.spec?.strategy ?? {};
  const rollingUpdate = strategy.rollingUpdate;
  switch (strategy.type) {
    case 'Recreate':
      return rollingUpdate === undefined ? [] : [forbidden(String(path.child('rollingUpdate')), "may not be specified when strategy `type` is 'Recreate'")];
    case 'RollingUpdate': {
      if (rollingUpdate === undefined) return [required(String(path.child('rollingUpdate')), 'this should be defaulted and never be nil')];
      const ruPath = path.child('rollingUpdate');
      const causes = [
        ...validatePositiveIntOrPercent(rollingUpdate.maxUnavailable, ruPath.child('maxUnavailable')),
        ...validatePositiveIntOrPercent(rollingUpdate.maxSurge, ruPath.child('maxSurge')),
      ];
      if (intOrPercentValue(rollingUpdate.maxUnavailable) === 0 && intOrPercentValue(rollingUpdate.maxSurge) === 0) {
        causes.push(invalid(String(ruPath.child('maxUnavailable')), goLiteral(goIntOrString(rollingUpdate.maxUnavailable)), 'may not be 0 when `maxSurge` is 0'));
      }
      causes.push(...notMoreThan100Percent(rollingUpdate.maxUnavailable, ruPath.child('maxUnavailable')));
      return causes;
    }
    default: {
      // Upstream passes the whole strategy struct as the bad value.
      const bad = `apps.DeploymentStrategy{Type:${goQuote(strategy.type ?? '')}, RollingUpdate:${goPointer('apps.RollingUpdateDeployment', rollingUpdate !== undefined)}}`;
      return [notSupported(String(path), goLiteral(bad), ['Recreate', 'RollingUpdate'])];
    }
  }
}

export function validateDeployment(d: Deployment): Cause[] {
  const path = FieldPath.root('spec');
  const spec = d.spec;
  const causes = [...validateObjectMeta(d.metadata, true, nameIsDNSSubdomain), ...nonNegative(path.child('replicas'), spec?.replicas)];
  causes.push(...validateSelectorAndTemplate(spec?.selector, spec?.template, 'deployment', path));
  causes.push(...validateDeploymentStrategy(d, path.child('strategy')));
  causes.push(...nonNegative(path.child('minReadySeconds'), spec?.minReadySeconds));
  causes.push(...nonNegative(path.child('revisionHistoryLimit'), spec?.revisionHistoryLimit));
  const pds = spec?.progressDeadlineSeconds;
  if (pds !== undefined) {
    causes.push(...nonNegative(path.child('progressDeadlineSeconds'), pds));
    if (pds <= (spec?.minReadySeconds ?? 0)) causes.push(invalid(String(path.child('progressDeadlineSeconds')), pds, 'must be greater than minReadySeconds'));
  }
  return causes;
}

export function validateReplicaSet(rs: ReplicaSet): Cause[] {
  const path = FieldPath.root('spec');
  const spec = rs.spec;
  return [
    ...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain),
    ...nonNegative(path.child('replicas'), spec?.replicas),
    ...nonNegative(path.child('minReadySeconds'), spec?.minReadySeconds),
    // "for deployment" is upstream's wording for ReplicaSets too.
    ...validateSelectorAndTemplate(spec?.selector, spec?.template, 'deployment', path),
  ];
}

function validateRollingUpdateDaemonSet(ru: RollingUpdateDaemonSet, path: FieldPath): Cause[] {
  const causes = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, path.child('maxUnavailable')),
    ...validatePositiveIntOrPercent(ru.maxSurge, path.child('maxSurge')),
    ...notMoreThan100Percent(ru.maxUnavailable, path.child('maxUnavailable')),
    ...notMoreThan100Percent(ru.maxSurge, path.child('maxSurge')),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    causes.push(invalid(String(path.child('maxSurge')), goLiteral(goIntOrString(ru.maxSurge)), 'may not be set when maxUnavailable is non-zero'));
  } else if (!hasUnavailable && !hasSurge) {
    causes.push(required(String(path.child('maxUnavailable')), 'cannot be 0 when maxSurge is 0'));
  }
  return causes;
}

export function validateDaemonSet(ds: DaemonSet): Cause[] {
  const path = FieldPath.root('spec');
  const spec = ds.spec;
  const causes = [...validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain), ...validateLabelSelector(spec?.selector, path.child('selector'))];
  const sel = selectorOrUndefined(spec?.selector);
  if (sel !== undefined && !matches(sel, spec?.template?.metadata?.labels)) causes.push(templateLabelsMismatch(spec?.template, path.child('template')));
  const selector = spec?.selector;
  if (selector !== undefined && Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
    causes.push(invalid(String(path.child('selector')), selectorValue(selector), 'empty selector is invalid for daemonset'));
  }
  causes.push(...validatePodTemplateSpec(spec?.template, path.child('template')));
  const restartPolicy = spec?.template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') causes.push(notSupported(String(path.child('template', 'spec', 'restartPolicy')), restartPolicy, ['Always']));
  if (spec?.template?.spec?.activeDeadlineSeconds !== undefined) {
    causes.push(forbidden(String(path.child('template', 'spec', 'activeDeadlineSeconds')), 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  causes.push(...nonNegative(path.child('minReadySeconds'), spec?.minReadySeconds));
  const strategy = spec?.updateStrategy ?? {};
  const stratPath = path.child('updateStrategy');
  if (strategy.type === 'RollingUpdate') {
    if (strategy.rollingUpdate === undefined) causes.push(required(String(stratPath.child('rollingUpdate'))));
    else causes.push(...validateRollingUpdateDaemonSet(strategy.rollingUpdate, stratPath.child('rollingUpdate')));
  } else if (strategy.type !== 'OnDelete') {
    const bad = `apps.DaemonSetUpdateStrategy{Type:${goQuote(strategy.type ?? '')}, RollingUpdate:${goPointer('apps.RollingUpdateDaemonSet', strategy.rollingUpdate !== undefined)}}`;
    causes.push(notSupported(String(stratPath), goLiteral(bad), ['RollingUpdate', 'OnDelete']));
  }
  causes.push(...nonNegative(path.child('revisionHistoryLimit'), spec?.revisionHistoryLimit));
  return causes;
}

function immutableSelector(next: LabelSelector | undefined, prev: LabelSelector | undefined): Cause[] {
  return validateImmutableField(next, prev, FieldPath.root('spec').child('selector'), selectorValue(next));
}

export function validateDeploymentUpdate(next: Deployment, prev: Deployment): Cause[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateDeployment(next).filter((c) => !c.field.startsWith('metadata.')),
    ...immutableSelector(next.spec?.selector, prev.spec?.selector),
  ];
}

export function validateReplicaSetUpdate(next: ReplicaSet, prev: ReplicaSet): Cause[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateReplicaSet(next).filter((c) => !c.field.startsWith('metadata.')),
    ...immutableSelector(next.spec?.selector, prev.spec?.selector),
  ];
}

export function validateDaemonSetUpdate(next: DaemonSet, prev: DaemonSet): Cause[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateDaemonSet(next).filter((c) => !c.field.startsWith('metadata.')),
    ...immutableSelector(next.spec?.selector, prev.spec?.selector),
  ];
}
