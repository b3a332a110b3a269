// PodSpec, PodTemplateSpec and Pod validation (ValidatePodSpec, ValidatePodTemplateSpec,
// ValidatePodCreate, ValidatePodUpdate) in upstream order and wording.
import type { Container, Pod, PodSpec, PodTemplateSpec, Toleration, Volume } from 'kubernetes-types/core/v1.js';
import { type Cause, FieldPath, duplicate, forbidden, invalid, notSupported, required } from './causes.ts';
import { goLiteral, goPointer, goQuote } from './go-format.ts';
import {
  validateContainerCommon,
  validateContainerLifecycle,
  validateDNS1123LabelField,
  validateInitContainerRestartPolicy,
} from './containers.ts';
import { validateAnnotations, validateLabelName, validateLabels, validateObjectMeta, validateObjectMetaUpdate, semanticEqual } from './object-meta.ts';
import { inclusiveRangeError, isValidLabelValue, nameIsDNSSubdomain } from './rules.ts';

const MAX_INT32 = 2147483647;
export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

// Checked in this order upstream; the first one present is "the" source.
const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'quobyte', 'cephfs', 'cinder', 'flexVolume', 'downwardAPI', 'fc', 'azureFile',
  'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'configMap', 'scaleIO', 'projected',
  'csi', 'ephemeral', 'image',
] as const;

function validateVolumes(volumes: readonly Volume[] | undefined, path: FieldPath): { names: Set<string>; causes: Cause[] } {
  const names = new Set<string>();
  const causes: Cause[] = [];
  (volumes ?? []).forEach((vol, i) => {
    const p = path.index(i);
    const errs: Cause[] = [];
    const record = vol as unknown as Record<string, unknown>;
    const present = VOLUME_SOURCES.filter((k) => record[k] !== undefined && record[k] !== null);
    if (present.length === 0) errs.push(required(String(p), 'must specify a volume type'));
    for (const extra of present.slice(1)) errs.push(forbidden(String(p.child(extra)), 'may not specify more than 1 volume type'));
    if (!vol.name) errs.push(required(String(p.child('name'))));
    else errs.push(...validateDNS1123LabelField(vol.name, p.child('name')));
    if (names.has(vol.name)) errs.push(duplicate(String(p.child('name')), vol.name));
    if (errs.length === 0) names.add(vol.name);
    causes.push(...errs);
  });
  return { names, causes };
}

function goToleration(t: Toleration): string {
  return (
    `core.Toleration{Key:${goQuote(t.key ?? '')}, Operator:${goQuote(t.operator ?? '')}, Value:${goQuote(t.value ?? '')}, ` +
    `Effect:${goQuote(t.effect ?? '')}, TolerationSeconds:${goPointer('int64', t.tolerationSeconds !== undefined)}}`
  );
}

export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: FieldPath): Cause[] {
  if (!allowEmpty && !effect) return [required(String(path))];
  return TAINT_EFFECTS.includes(effect ?? '') ? [] : [notSupported(String(path), effect ?? '', TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: readonly Toleration[] | undefined, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = path.index(i);
    if (t.key) causes.push(...validateLabelName(t.key, p.child('key')));
    if (!t.key && t.operator !== 'Exists') {
      causes.push(invalid(String(p.child('operator')), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      causes.push(invalid(String(p.child('effect')), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator === 'Equal' || !t.operator) {
      const errs = isValidLabelValue(t.value ?? '');
      if (errs.length > 0) causes.push(invalid(String(p.child('operator')), t.value ?? '', errs.join(';')));
    } else if (t.operator === 'Exists') {
      if (t.value) causes.push(invalid(String(p.child('operator')), goLiteral(goToleration(t)), "value must be empty when `operator` is 'Exists'"));
    } else {
      causes.push(notSupported(String(p.child('operator')), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect) causes.push(...validateTaintEffect(t.effect, true, p.child('effect')));
  });
  return causes;
}

function validateContainers(spec: PodSpec, volumes: ReadonlySet<string>, path: FieldPath): Cause[] {
  const containers = spec.containers ?? [];
  if (containers.length === 0) return [required(String(path))];
  const causes: Cause[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = path.index(i);
    causes.push(...validateContainerCommon(c, volumes, p));
    if (names.has(c.name)) causes.push(duplicate(String(p.child('name')), c.name));
    else names.add(c.name);
    causes.push(...validateContainerLifecycle(c, 'container', p));
  });
  return causes;
}

function validateInitContainers(spec: PodSpec, volumes: ReadonlySet<string>, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  const names = new Set((spec.containers ?? []).map((c) => c.name));
  (spec.initContainers ?? []).forEach((c, i) => {
    const p = path.index(i);
    causes.push(...validateContainerCommon(c, volumes, p));
    causes.push(...validateInitContainerRestartPolicy(c, p));
    if (names.has(c.name)) causes.push(duplicate(String(p.child('name')), c.name));
    else if (c.name) names.add(c.name);
    causes.push(...validateContainerLifecycle(c, 'initContainer', p));
  });
  return causes;
}

/** Host ports must be unique per (hostIP, protocol, port) across a pod's containers. */
function validateHostPortConflicts(containers: readonly Container[], path: FieldPath): Cause[] {
  const seen = new Set<string>();
  const causes: Cause[] = [];
  containers.forEach((c, ci) =>
    (c.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${port.hostIP ?? ''}/${port.protocol ?? ''}/${port.hostPort}`;
      if (seen.has(key)) causes.push(duplicate(String(path.index(ci).child('ports').index(pi).child('hostPort')), key));
      else seen.add(key);
    }),
  );
  return causes;
}

function nameField(value: string | undefined, path: FieldPath): Cause[] {
  return value ? nameIsDNSSubdomain(value, false).map((msg) => invalid(String(path), value, msg)) : [];
}

export function validatePodSpec(spec: PodSpec | undefined, path: FieldPath): Cause[] {
  const s = spec ?? ({ containers: [] } as PodSpec);
  const causes: Cause[] = [];
  if (s.terminationGracePeriodSeconds === undefined) causes.push(required(String(path.child('terminationGracePeriodSeconds'))));
  const volumes = validateVolumes(s.volumes, path.child('volumes'));
  causes.push(...volumes.causes);
  causes.push(...validateContainers(s, volumes.names, path.child('containers')));
  causes.push(...validateHostPortConflicts(s.containers ?? [], path.child('containers')));
  causes.push(...validateInitContainers(s, volumes.names, path.child('initContainers')));
  if (!s.restartPolicy) causes.push(required(String(path.child('restartPolicy'))));
  else if (!RESTART_POLICIES.includes(s.restartPolicy)) causes.push(notSupported(String(path.child('restartPolicy')), s.restartPolicy, RESTART_POLICIES));
  if (!s.dnsPolicy) causes.push(required(String(path.child('dnsPolicy'))));
  else if (!DNS_POLICIES.includes(s.dnsPolicy)) causes.push(notSupported(String(path.child('dnsPolicy')), s.dnsPolicy, DNS_POLICIES));
  causes.push(...validateLabels(s.nodeSelector, path.child('nodeSelector')));
  if (s.dnsPolicy === 'None' && s.dnsConfig === undefined) {
    causes.push(required(String(path.child('dnsConfig')), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  causes.push(...nameField(s.serviceAccountName, path.child('serviceAccountName')));
  causes.push(...nameField(s.nodeName, path.child('nodeName')));
  const ads = s.activeDeadlineSeconds;
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32)) causes.push(invalid(String(path.child('activeDeadlineSeconds')), ads, inclusiveRangeError(1, MAX_INT32)));
  if (s.hostname) causes.push(...validateDNS1123LabelField(s.hostname, path.child('hostname')));
  if (s.subdomain) causes.push(...validateDNS1123LabelField(s.subdomain, path.child('subdomain')));
  causes.push(...validateTolerations(s.tolerations, path.child('tolerations')));
  causes.push(...nameField(s.priorityClassName, path.child('priorityClassName')));
  return causes;
}

/** Note the quirk: template labels are reported at <path>.labels, not <path>.metadata.labels. */
export function validatePodTemplateSpec(template: PodTemplateSpec | undefined, path: FieldPath): Cause[] {
  const causes = [
    ...validateLabels(template?.metadata?.labels, path.child('labels')),
    ...validateAnnotations(template?.metadata?.annotations, path.child('annotations')),
    ...validatePodSpec(template?.spec, path.child('spec')),
  ];
  if ((template?.spec?.ephemeralContainers ?? []).length > 0) {
    causes.push(forbidden(String(path.child('spec', 'ephemeralContainers')), 'ephemeral containers not allowed in pod template'));
  }
  return causes;
}

function validatePodMetadataAndSpec(pod: Pod): Cause[] {
  const spec = FieldPath.root('spec');
  const causes = [
    ...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain),
    ...validatePodSpec(pod.spec, spec),
  ];
  // Only pods (not templates) reject whitespace around images.
  for (const [list, name] of [[pod.spec?.containers, 'containers'], [pod.spec?.initContainers, 'initContainers']] as const) {
    (list ?? []).forEach((c, i) => {
      if (c.image !== undefined && c.image.trim() !== c.image) {
        causes.push(invalid(String(spec.child(name).index(i).child('image')), c.image, 'must not have leading or trailing whitespace'));
      }
    });
  }
  return causes;
}

export function validatePod(pod: Pod): Cause[] {
  const spec = FieldPath.root('spec');
  const causes = validatePodMetadataAndSpec(pod);
  if ((pod.spec?.ephemeralContainers ?? []).length > 0) causes.push(forbidden(String(spec.child('ephemeralContainers')), 'cannot be set on create'));
  if (pod.spec?.nodeName && (pod.spec.schedulingGates ?? []).length > 0) {
    causes.push(forbidden(String(spec.child('nodeName')), 'cannot be set until all schedulingGates have been cleared'));
  }
  return causes;
}

// ---- update -------------------------------------------------------------------------------

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateContainerImageUpdates(
  next: readonly Container[] | undefined,
  prev: readonly Container[] | undefined,
  path: FieldPath,
): { causes: Cause[]; stop: boolean } {
  const n = next ?? [];
  if (n.length !== (prev ?? []).length) return { causes: [forbidden(String(path), 'pod updates may not add or remove containers')], stop: true };
  const causes: Cause[] = [];
  n.forEach((c, i) => {
    if (!c.image) causes.push(required(String(path.index(i).child('image'))));
    if ((c.image ?? '').trim() !== (c.image ?? '')) {
      causes.push(invalid(String(path.index(i).child('image')), c.image, 'must not have leading or trailing whitespace'));
    }
  });
  return { causes, stop: false };
}

function validateOnlyAddedTolerations(next: readonly Toleration[] | undefined, prev: readonly Toleration[] | undefined, path: FieldPath): Cause[] {
  for (const old of prev ?? []) {
    const kept = (next ?? []).some((t) => semanticEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!kept) return [forbidden(String(path), 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, path);
}

/** A short, deterministic stand-in for the cmp.Diff upstream appends (which prints Go structs). */
function specDiff(prev: unknown, next: unknown, at = 'spec'): string[] {
  if (semanticEqual(prev, next)) return [];
  const bothObjects = prev !== null && next !== null && typeof prev === 'object' && typeof next === 'object';
  if (!bothObjects || Array.isArray(prev) !== Array.isArray(next)) {
    return [`  ${at}: ${JSON.stringify(prev ?? null)} -> ${JSON.stringify(next ?? null)}`];
  }
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(p), ...Object.keys(n)])].sort();
  return keys.flatMap((k) => specDiff(p[k], n[k], Array.isArray(prev) ? `${at}[${k}]` : `${at}.${k}`));
}

export function validatePodUpdate(next: Pod, prev: Pod): Cause[] {
  const spec = FieldPath.root('spec');
  const causes = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validatePodMetadataAndSpec(next)];
  for (const key of ['containers', 'initContainers'] as const) {
    const r = validateContainerImageUpdates(next.spec?.[key], prev.spec?.[key], spec.child(key));
    causes.push(...r.causes);
    if (r.stop) return causes;
  }
  const nextAds = next.spec?.activeDeadlineSeconds;
  const prevAds = prev.spec?.activeDeadlineSeconds;
  if (nextAds !== undefined) {
    if (nextAds < 0 || nextAds > MAX_INT32) {
      causes.push(invalid(String(spec.child('activeDeadlineSeconds')), nextAds, inclusiveRangeError(0, MAX_INT32)));
      return causes;
    }
    if (prevAds !== undefined && prevAds < nextAds) {
      causes.push(invalid(String(spec.child('activeDeadlineSeconds')), nextAds, 'must be less than or equal to previous value'));
      return causes;
    }
  } else if (prevAds !== undefined) {
    causes.push(invalid(String(spec.child('activeDeadlineSeconds')), null, 'must not update from a positive integer to nil value'));
  }
  causes.push(...validateOnlyAddedTolerations(next.spec?.tolerations, prev.spec?.tolerations, spec.child('tolerations')));
  const oldGates = new Set((prev.spec?.schedulingGates ?? []).map((g) => g.name));
  (next.spec?.schedulingGates ?? []).forEach((g, i) => {
    if (!oldGates.has(g.name)) {
      causes.push(forbidden(String(spec.child('schedulingGates').index(i).child('name')), `only deletion is allowed, but found new scheduling gate '${g.name}'`));
    }
  });
  if (semanticEqual(next.spec, prev.spec)) return causes;

  // Overwrite every field that may change with its old value; any remaining difference is forbidden.
  const munged = structuredClone(next.spec ?? ({} as PodSpec));
  const oldSpec = prev.spec ?? ({} as PodSpec);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: oldSpec.containers?.[i]?.image }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: oldSpec.initContainers?.[i]?.image }));
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  munged.schedulingGates = oldSpec.schedulingGates;
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (!semanticEqual(munged, oldSpec)) {
    const diff = specDiff(oldSpec, munged).join('\n');
    causes.push(forbidden(String(spec), `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`));
  }
  return causes;
}
