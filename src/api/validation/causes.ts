// Field errors as metav1.StatusCause: `type` is the CauseType, `field` the JSON path and
// `message` the error body kube-apiserver puts in the cause (everything after "<field>: ").
import { type BadValue, renderBadValue, goQuote } from './go-format.ts';

export type CauseType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueForbidden'
  | 'FieldValueNotFound';

export interface Cause {
  readonly type: CauseType;
  readonly field: string;
  readonly message: string;
}

function withDetail(head: string, detail: string): string {
  return detail.length > 0 ? `${head}: ${detail}` : head;
}

export function invalid(field: string, value: BadValue, detail: string): Cause {
  return { type: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${renderBadValue(value)}`, detail) };
}

export function required(field: string, detail = ''): Cause {
  return { type: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

export function forbidden(field: string, detail: string): Cause {
  return { type: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

export function duplicate(field: string, value: BadValue): Cause {
  return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${renderBadValue(value)}` };
}

export function notSupported(field: string, value: BadValue, validValues: readonly string[]): Cause {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${renderBadValue(value)}`, detail) };
}

export function notFound(field: string, value: BadValue): Cause {
  return { type: 'FieldValueNotFound', field, message: `Not found: ${renderBadValue(value)}` };
}

export function tooLong(field: string, maxBytes: number): Cause {
  return { type: 'FieldValueTooLong', field, message: `Too long: must have at most ${maxBytes} bytes` };
}

/** field.Error.Error(): "<field>: <body>". */
export function causeToString(c: Cause): string {
  return `${c.field}: ${c.message}`;
}

export const IMMUTABLE = 'field is immutable';
export const NEGATIVE = 'must be greater than or equal to 0';

/** Small path builder mirroring field.Path: child(".x"), index("[0]"), key("[k]"). */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name: string): FieldPath {
    return new FieldPath(name);
  }
  child(...names: string[]): FieldPath {
    return new FieldPath([this.text, ...names].filter((s) => s.length > 0).join('.'));
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}

export function nonNegative(field: FieldPath, value: number | undefined): Cause[] {
  return value !== undefined && value < 0 ? [invalid(String(field), value, NEGATIVE)] : [];
}
