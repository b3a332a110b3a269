// Checking untyped input (YAML, JSON, a caller's object) field by field, so every problem is reported as
// one line naming where it is: `cluster.nodes[1].capacity.cpu: "four" is not a valid quantity`.

/** Bad input: `path` says where (`cluster.nodes[0].name`), `problem` what is wrong with it. */
export class InputError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'InputError';
  }
}

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function object(value: unknown, path: string): Obj {
  if (!isObject(value)) throw new InputError(path, `must be a mapping, got ${describeValue(value)}`);
  return value;
}

export function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new InputError(path, `must be a list, got ${describeValue(value)}`);
  return value;
}

/** Rejects fields nobody reads: a typo must not silently fall back to a default. */
export function onlyKeys(obj: Obj, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new InputError(join(path, key), `unknown field; expected one of: ${allowed.join(', ')}`);
    }
  }
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new InputError(path, `must be a non-empty string, got ${describeValue(value)}`);
  return value;
}

export function optionalString(obj: Obj, key: string, path: string): string | undefined {
  return obj[key] === undefined ? undefined : string(obj[key], join(path, key));
}

export function integer(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InputError(path, `must be a whole number, got ${describeValue(value)}`);
  if (value < min || value > max) throw new InputError(path, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function optionalInteger(obj: Obj, key: string, path: string, min: number, max?: number): number | undefined {
  return obj[key] === undefined ? undefined : integer(obj[key], join(path, key), min, max);
}

export function number(value: unknown, path: string, min: number, max = Number.MAX_VALUE): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputError(path, `must be a number, got ${describeValue(value)}`);
  if (value < min || value > max) throw new InputError(path, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new InputError(path, `must be true or false, got ${describeValue(value)}`);
  return value;
}

export function optionalBoolean(obj: Obj, key: string, path: string): boolean | undefined {
  return obj[key] === undefined ? undefined : boolean(obj[key], join(path, key));
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new InputError(path, `must be one of ${allowed.join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

/** A map of string → string (labels, annotations). */
export function stringMap(value: unknown, path: string): Record<string, string> {
  const obj = object(value, path);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (typeof v !== 'string') throw new InputError(join(path, key), `must be a string, got ${describeValue(v)} (quote numbers and booleans)`);
    out[key] = v;
  }
  return out;
}
