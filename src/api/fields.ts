// Field selectors: the string grammar of k8s.io/apimachinery/pkg/fields, the per-kind field
// label conversion kube-apiserver applies (whose rejections become 400 BadRequest), and the
// per-kind selectable field sets the registry matches against.
//
// Two lists per kind, as upstream keeps them: what the conversion func *accepts* and what the
// strategy's ToSelectableFields *sets*. They differ: pods accept `status.podIPs` but never set
// it, so selecting on it matches only the empty value.
import type { Pod } from 'kubernetes-types/core/v1.js';

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
}

export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

export const EVERYTHING_FIELDS: FieldSelector = { requirements: [] };

// ---- grammar (fields.ParseSelector) ---------------------------------------------------------

/** Splits on unescaped commas; escapes stay in place for UnescapeValue. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

// "==" is tried before "=" so it does not leave a stray "=" in the value.
const TERM_OPERATORS = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the offending rune with %v, i.e. as its code point number.
    else if (c === ',' || c === '=') throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

export function escapeFieldValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

/** fields.ParseSelector. Terms are kept in Go's order: sorted by their raw text. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (t === undefined) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    requirements.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value: unescapeValue(t.rhs) });
  }
  return { requirements };
}

export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

export type FieldSet = Readonly<Record<string, string>>;

/** A missing field reads as "" (fields.Set.Get), which is why `spec.nodeName=` selects unscheduled pods. */
export function fieldsMatch(sel: FieldSelector, fields: FieldSet): boolean {
  return sel.requirements.every((r) => {
    const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
    return r.operator === '=' ? actual === r.value : actual !== r.value;
  });
}

// ---- per-kind field labels --------------------------------------------------------------------

interface KindFieldRules {
  /** Accepted client labels mapped to the canonical label used for matching. */
  readonly accepted: Readonly<Record<string, string>>;
  readonly reject: (label: string) => string;
  readonly selectable: (obj: Record<string, unknown>) => Record<string, string>;
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

function identity(...labels: string[]): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [l, l]));
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

// generic.ObjectMetaFieldsSet
function metaFields(obj: Record<string, unknown>, namespaced: boolean): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': str(get(obj, 'metadata.name')) };
  if (namespaced) out['metadata.namespace'] = str(get(obj, 'metadata.namespace'));
  return out;
}

function podFields(obj: Record<string, unknown>): Record<string, string> {
  const pod = obj as Pod;
  const podIPs = pod.status?.podIPs ?? [];
  return {
    ...metaFields(obj, true),
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
    'status.phase': pod.status?.phase ?? '',
    // Upstream reads status.podIPs[0]; fall back to the singular field kept in sync with it.
    'status.podIP': podIPs[0]?.ip ?? pod.status?.podIP ?? '',
    'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
  };
}

const CORE_EVENT_LABELS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
];

function coreEventFields(obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = { ...metaFields(obj, true) };
  for (const label of CORE_EVENT_LABELS) out[label] = str(get(obj, label));
  const reporting = str(obj.reportingComponent);
  out.reason = str(obj.reason);
  out.reportingComponent = reporting;
  out.source = str(get(obj, 'source.component')) || reporting;
  out.type = str(obj.type);
  return out;
}

// events.k8s.io/v1 shares storage with core events; its wire names differ.
function eventsV1Fields(obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = { ...metaFields(obj, true) };
  for (const label of CORE_EVENT_LABELS) out[label] = str(get(obj, label.replace('involvedObject.', 'regarding.')));
  const reporting = str(obj.reportingController);
  out.reason = str(obj.reason);
  out.reportingComponent = reporting;
  out.source = str(get(obj, 'deprecatedSource.component')) || reporting;
  out.type = str(obj.type);
  return out;
}

const metadataOnly = (namespaced: boolean): KindFieldRules => ({
  accepted: identity('metadata.name', 'metadata.namespace'),
  // runtime.DefaultMetaV1FieldSelectorConversion: every kind without its own conversion func.
  reject: (label) => `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
  selectable: (obj) => metaFields(obj, namespaced),
});

// Keyed by "group/Kind" ("" group for core).
const RULES: Readonly<Record<string, KindFieldRules>> = {
  '/Pod': {
    accepted: {
      ...identity(
        'metadata.name',
        'metadata.namespace',
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.podIPs',
        'status.nominatedNodeName',
      ),
      'spec.host': 'spec.nodeName', // legacy v1 clients
    },
    reject: notSupported,
    selectable: podFields,
  },
  '/Node': {
    accepted: identity('metadata.name', 'spec.unschedulable'),
    reject: notSupported,
    selectable: (obj) => ({ ...metaFields(obj, false), 'spec.unschedulable': String(get(obj, 'spec.unschedulable') === true) }),
  },
  '/Namespace': {
    accepted: identity('status.phase', 'metadata.name'),
    reject: notSupported,
    selectable: (obj) => ({ ...metaFields(obj, false), 'status.phase': str(get(obj, 'status.phase')), name: str(get(obj, 'metadata.name')) }),
  },
  '/Secret': {
    accepted: identity('type', 'metadata.namespace', 'metadata.name'),
    reject: notSupported,
    selectable: (obj) => ({ ...metaFields(obj, true), type: str(obj.type) }),
  },
  '/Service': {
    accepted: identity('metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'),
    reject: notSupported,
    selectable: (obj) => ({
      ...metaFields(obj, true),
      'spec.clusterIP': str(get(obj, 'spec.clusterIP')),
      'spec.type': str(get(obj, 'spec.type')),
    }),
  },
  '/Event': {
    accepted: identity(...CORE_EVENT_LABELS, 'reason', 'reportingComponent', 'source', 'type', 'metadata.namespace', 'metadata.name'),
    reject: notSupported,
    selectable: coreEventFields,
  },
  'events.k8s.io/Event': {
    accepted: {
      ...Object.fromEntries(CORE_EVENT_LABELS.map((l) => [l.replace('involvedObject.', 'regarding.'), l])),
      reason: 'reason',
      type: 'type',
      reportingController: 'reportingComponent',
      'metadata.namespace': 'metadata.namespace',
      'metadata.name': 'metadata.name',
    },
    reject: notSupported,
    selectable: eventsV1Fields,
  },
  'batch/Job': {
    accepted: identity('metadata.name', 'metadata.namespace', 'status.successful'),
    reject: (label) => `field label "${label}" not supported for Job`,
    selectable: (obj) => ({ ...metaFields(obj, true), 'status.successful': String(get(obj, 'status.succeeded') ?? 0) }),
  },
};

function rulesFor(group: string, kind: string, namespaced: boolean): KindFieldRules {
  return RULES[`${group}/${kind}`] ?? metadataOnly(namespaced);
}

export interface KindRef {
  readonly group: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/**
 * Scheme.ConvertFieldLabel over every requirement (fields.Selector.Transform): maps aliases to
 * canonical labels, or throws the message kube-apiserver returns as a 400 BadRequest.
 */
export function convertFieldSelector(ref: KindRef, sel: FieldSelector): FieldSelector {
  const rules = rulesFor(ref.group, ref.kind, ref.namespaced);
  return {
    requirements: sel.requirements.map((r) => {
      const canonical = rules.accepted[r.field];
      if (canonical === undefined) throw new FieldSelectorError(rules.reject(r.field));
      return { ...r, field: canonical };
    }),
  };
}

/** The strategy's ToSelectableFields for an object of this kind. */
export function selectableFields(ref: KindRef, obj: object): FieldSet {
  return rulesFor(ref.group, ref.kind, ref.namespaced).selectable(obj as Record<string, unknown>);
}

/** Parse + convert + match in one step; for callers holding a raw query string. */
export function objectMatchesFieldSelector(ref: KindRef, selector: string, obj: object): boolean {
  return fieldsMatch(convertFieldSelector(ref, parseFieldSelector(selector)), selectableFields(ref, obj));
}
