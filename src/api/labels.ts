// Label selectors: parsing (labels/parser.ts), metav1.LabelSelector conversion, matching and
// canonical printing, as k8s.io/apimachinery/pkg/labels does them.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { parseRequirements } from './labels/parser.ts';
import {
  EVERYTHING,
  LabelSelectorError,
  NOTHING,
  newRequirement,
  parseInt64,
  sortedByKey,
  type Labels,
  type Requirement,
  type Selector,
  type SelectorOperator,
} from './labels/requirement.ts';
import { goQuote } from './validation/go-format.ts';

export {
  EVERYTHING,
  LabelSelectorError,
  NOTHING,
  newRequirement,
  type Labels,
  type Requirement,
  type Selector,
  type SelectorOperator,
} from './labels/requirement.ts';

/** labels.Parse: throws LabelSelectorError with the apiserver's message. */
export function parseSelector(input: string): Selector {
  const requirements = parseRequirements(input);
  return { kind: 'requirements', requirements: sortedByKey(requirements) };
}

/** metav1.LabelSelectorAsSelector: nil matches nothing, empty matches everything. */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls === null || ls === undefined) return NOTHING;
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return EVERYTHING;
  const requirements: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) requirements.push(newRequirement(k, '=', [v]));
  for (const expr of exprs) {
    const op = LABEL_SELECTOR_OPERATORS[expr.operator];
    if (op === undefined) throw new LabelSelectorError(`${goQuote(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, op, expr.values));
  }
  return { kind: 'requirements', requirements: sortedByKey(requirements) };
}

const LABEL_SELECTOR_OPERATORS: Readonly<Record<string, SelectorOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** labels.SelectorFromSet: equality on every pair; an empty set selects everything. */
export function selectorFromSet(set: Labels): Selector {
  const requirements = Object.entries(set).map(([key, value]) => ({ key, operator: '=' as const, values: [value] }));
  return { kind: 'requirements', requirements: sortedByKey(requirements) };
}

function has(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has(labels, r.key) && r.values.includes(labels[r.key]);
    case 'notin':
    case '!=':
      return !has(labels, r.key) || !r.values.includes(labels[r.key]);
    case 'exists':
      return has(labels, r.key);
    case '!':
      return !has(labels, r.key);
    case 'gt':
    case 'lt': {
      if (!has(labels, r.key) || r.values.length !== 1) return false;
      const actual = parseInt64(labels[r.key]);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

export function matches(selector: Selector, labels: Labels | undefined): boolean {
  if (selector.kind === 'nothing') return false;
  const set = labels ?? {};
  return selector.requirements.every((r) => requirementMatches(r, set));
}

/** True when the selector restricts nothing (Selector.Empty). `nothing` is not empty. */
export function isEverything(selector: Selector): boolean {
  return selector.kind === 'requirements' && selector.requirements.length === 0;
}

function requirementToString(r: Requirement): string {
  const key = r.operator === '!' ? `!${r.key}` : r.key;
  if (r.operator === 'exists' || r.operator === '!') return key;
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'in':
      return `${key} in (${values})`;
    case 'notin':
      return `${key} notin (${values})`;
    case 'gt':
      return `${key}>${values}`;
    case 'lt':
      return `${key}<${values}`;
    default:
      return `${key}${r.operator}${values}`;
  }
}

/** Selector.String(); the `nothing` selector prints as "" just like Go's. */
export function selectorToString(selector: Selector): string {
  if (selector.kind === 'nothing') return '';
  return selector.requirements.map(requirementToString).join(',');
}
