// Label selector requirements: the data model and NewRequirement's validation, with the
// error texts of k8s.io/apimachinery/pkg/labels.
import { isQualifiedName, isValidLabelValue } from '../validation/rules.ts';
import { goQuote, goStringSlice } from '../validation/go-format.ts';

export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** `nothing` is what a nil metav1.LabelSelector converts to: it matches no object. */
export type Selector =
  | { readonly kind: 'requirements'; readonly requirements: readonly Requirement[] }
  | { readonly kind: 'nothing' };

export type Labels = Readonly<Record<string, string>>;

export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

export const EVERYTHING: Selector = { kind: 'requirements', requirements: [] };
export const NOTHING: Selector = { kind: 'nothing' };

export const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const VALID_OPERATORS = [...BINARY_OPERATORS, 'exists', '!'];

// Errors are field.Error strings; Go renders a nil path as "<nil>".
function fieldError(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${value}: ${detail}`;
}

function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

export function labelKeyError(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length > 0 ? fieldError(path, goQuote(key), errs.join('; ')) : undefined;
}

/** NewRequirement: validates key, operator arity and values; throws with Go's aggregate text. */
export function newRequirement(key: string, operator: SelectorOperator, valuesOrNil: readonly string[] | undefined): Requirement {
  const errs: string[] = [];
  const keyErr = labelKeyError(key, 'key');
  if (keyErr !== undefined) errs.push(keyErr);
  const rendered = goStringSlice(valuesOrNil); // Go distinguishes nil ("(nil)") from empty ("{}")
  const values = valuesOrNil ?? [];
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(fieldError('values', rendered, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(fieldError('values', rendered, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(fieldError('values', rendered, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(fieldError('values', rendered, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(fieldError(`values[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errs.push(
        `operator: Unsupported value: ${goQuote(String(operator))}: supported values: ${VALID_OPERATORS.map(goQuote).join(', ')}`,
      );
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(fieldError(`values[${i}][${key}]`, goQuote(v), valueErrs.join('; ')));
  });
  if (errs.length > 0) throw new LabelSelectorError(aggregate(errs));
  return { key, operator, values: [...values] };
}

export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(1n << 63n) && v < 1n << 63n ? v : undefined;
}

export function sortedByKey(reqs: readonly Requirement[]): Requirement[] {
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
