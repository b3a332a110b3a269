// ObjectMeta, label, annotation and label-selector validation (apimachinery's
// ValidateObjectMeta / ValidateObjectMetaUpdate and metav1 validation), same order and wording.
import type { LabelSelector, ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import {
  type Cause,
  FieldPath,
  IMMUTABLE,
  forbidden,
  invalid,
  nonNegative,
  required,
  tooLong,
} from './causes.ts';
import { type BadValue, goLiteral, goStringSlice, goStructApprox } from './go-format.ts';
import { byteLength, isQualifiedName, isValidLabelValue, nameIsDNSLabel, type NameValidator } from './rules.ts';

export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;
const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

function sortedEntries(m: Readonly<Record<string, string>> | undefined): [string, string][] {
  return Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function validateLabelName(name: string, path: FieldPath): Cause[] {
  return isQualifiedName(name).map((msg) => invalid(String(path), name, msg));
}

/** Errors name the map (e.g. metadata.labels), not the key — as upstream does. */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  for (const [k, v] of sortedEntries(labels)) {
    causes.push(...validateLabelName(k, path));
    causes.push(...isValidLabelValue(v).map((msg) => invalid(String(path), v, msg)));
  }
  return causes;
}

export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  let size = 0;
  for (const [k, v] of sortedEntries(annotations)) {
    // Annotation keys are qualified names, case-insensitively.
    causes.push(...isQualifiedName(k.toLowerCase()).map((msg) => invalid(String(path), k, msg)));
    size += byteLength(k) + byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) causes.push(tooLong(String(path), TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return causes;
}

function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const slash = (ref.apiVersion ?? '').indexOf('/');
    const version = slash < 0 ? ref.apiVersion ?? '' : ref.apiVersion.slice(slash + 1);
    if (version === '') causes.push(invalid(String(path.child('apiVersion')), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) causes.push(invalid(String(path.child('kind')), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) causes.push(invalid(String(path.child('name')), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) causes.push(invalid(String(path.child('uid')), ref.uid ?? '', 'must not be empty'));
    if (ref.apiVersion === 'v1' && ref.kind === 'Event') {
      causes.push(invalid(String(path), goLiteral(goStructApprox('v1.OwnerReference', ref)), '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        causes.push(
          invalid(
            String(path),
            goLiteral(goStructApprox('[]v1.OwnerReference', refs)),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else firstController = current;
    }
  }
  return causes;
}

function validateFinalizers(finalizers: readonly string[] | undefined, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  const list = finalizers ?? [];
  for (const f of list) causes.push(...validateLabelName(f, path));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    causes.push(invalid(String(path), goLiteral(goStringSlice(list)), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return causes;
}

/** Core's extra rule: an unqualified finalizer must be one of the standard ones. */
export function validateKubeFinalizerNames(finalizers: readonly string[] | undefined, path: FieldPath): Cause[] {
  return (finalizers ?? [])
    .filter((f) => !f.includes('/') && !STANDARD_FINALIZERS.includes(f))
    .map((f) => invalid(String(path), f, 'name is neither a standard finalizer name nor is it fully qualified'));
}

/** ValidateObjectMeta (core flavour, with the kube finalizer-name check). */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  requiresNamespace: boolean,
  nameFn: NameValidator,
  path: FieldPath = FieldPath.root('metadata'),
): Cause[] {
  const m = meta ?? {};
  const causes: Cause[] = [];
  if (m.generateName) {
    causes.push(...nameFn(m.generateName, true).map((msg) => invalid(String(path.child('generateName')), m.generateName, msg)));
  }
  if (!m.name) causes.push(required(String(path.child('name')), 'name or generateName is required'));
  else causes.push(...nameFn(m.name, false).map((msg) => invalid(String(path.child('name')), m.name, msg)));
  if (requiresNamespace) {
    if (!m.namespace) causes.push(required(String(path.child('namespace'))));
    else causes.push(...nameIsDNSLabel(m.namespace, false).map((msg) => invalid(String(path.child('namespace')), m.namespace, msg)));
  } else if (m.namespace) {
    causes.push(forbidden(String(path.child('namespace')), 'not allowed on this type'));
  }
  causes.push(...nonNegative(path.child('generation'), m.generation));
  causes.push(...validateLabels(m.labels, path.child('labels')));
  causes.push(...validateAnnotations(m.annotations, path.child('annotations')));
  causes.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  causes.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  causes.push(...validateKubeFinalizerNames(m.finalizers, path.child('finalizers')));
  return causes;
}

/** Go's time.Time String() for an RFC 3339 UTC timestamp, as immutable-field errors print it. */
function goTime(ts: string | undefined): BadValue {
  if (ts === undefined) return null;
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return goLiteral(`${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`);
}

function immutable(path: FieldPath, newValue: BadValue, same: boolean): Cause[] {
  return same ? [] : [invalid(String(path), newValue, IMMUTABLE)];
}

/** ValidateImmutableField for JSON-comparable values. */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: FieldPath, rendered: BadValue): Cause[] {
  return immutable(path, rendered, semanticEqual(newValue, oldValue));
}

/** apiequality.Semantic.DeepEqual on decoded JSON: key order irrelevant, absent == undefined. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => semanticEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
  return true;
}

export function validateObjectMetaUpdate(
  newMeta: ObjectMeta | undefined,
  oldMeta: ObjectMeta | undefined,
  path: FieldPath = FieldPath.root('metadata'),
): Cause[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const causes: Cause[] = [];
  if (o.deletionTimestamp !== undefined) {
    const extra = [...new Set(n.finalizers ?? [])].filter((f) => !(o.finalizers ?? []).includes(f)).sort();
    if (extra.length > 0) {
      causes.push(
        forbidden(
          String(path.child('finalizers')),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`,
        ),
      );
    }
  }
  if (!n.resourceVersion) causes.push(invalid(String(path.child('resourceVersion')), n.resourceVersion ?? '', 'must be specified for an update'));
  if ((n.generation ?? 0) < (o.generation ?? 0)) causes.push(invalid(String(path.child('generation')), n.generation ?? 0, 'must not be decremented'));
  causes.push(...immutable(path.child('name'), n.name ?? '', (n.name ?? '') === (o.name ?? '')));
  causes.push(...immutable(path.child('namespace'), n.namespace ?? '', (n.namespace ?? '') === (o.namespace ?? '')));
  causes.push(...immutable(path.child('uid'), n.uid ?? '', (n.uid ?? '') === (o.uid ?? '')));
  causes.push(...immutable(path.child('creationTimestamp'), goTime(n.creationTimestamp) ?? goLiteral('0001-01-01 00:00:00 +0000 UTC'), sameInstant(n.creationTimestamp, o.creationTimestamp)));
  causes.push(...immutable(path.child('deletionTimestamp'), goTime(n.deletionTimestamp), sameInstant(n.deletionTimestamp, o.deletionTimestamp)));
  causes.push(
    ...immutable(path.child('deletionGracePeriodSeconds'), n.deletionGracePeriodSeconds ?? null, n.deletionGracePeriodSeconds === o.deletionGracePeriodSeconds),
  );
  causes.push(...validateLabels(n.labels, path.child('labels')));
  causes.push(...validateAnnotations(n.annotations, path.child('annotations')));
  causes.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  causes.push(...validateKubeFinalizerNames(n.finalizers, path.child('finalizers')));
  return causes;
}

function sameInstant(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return new Date(a).getTime() === new Date(b).getTime();
}

export interface SelectorValidationOptions {
  readonly allowInvalidLabelValueInSelector?: boolean;
}

/** metav1 ValidateLabelSelector; a nil selector is valid here (callers decide if it is required). */
export function validateLabelSelector(sel: LabelSelector | undefined, path: FieldPath, opts: SelectorValidationOptions = {}): Cause[] {
  if (sel === undefined) return [];
  const causes = validateLabels(sel.matchLabels, path.child('matchLabels'));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) causes.push(required(String(p.child('values')), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) causes.push(forbidden(String(p.child('values')), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        causes.push(invalid(String(p.child('operator')), expr.operator, 'not a valid selector operator'));
    }
    causes.push(...validateLabelName(expr.key, p.child('key')));
    if (!opts.allowInvalidLabelValueInSelector) {
      values.forEach((v, j) => causes.push(...isValidLabelValue(v).map((msg) => invalid(String(p.child('values').index(j)), v, msg))));
    }
  });
  return causes;
}
