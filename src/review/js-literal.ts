/** A fragment of source emitted verbatim (a stub function), where a value would otherwise be serialized. */
export class RawCode {
  constructor(readonly code: string) {}
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/**
 * Writes a JSON-like value as a JavaScript object literal, laid out the way a person would write a machine
 * config: bare keys where possible, double-quoted strings, short primitive arrays on one line.
 */
export function toJsLiteral(value: unknown, indent = 0): string {
  if (value instanceof RawCode) return value.code;
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return String(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as a literal`);
      return String(value);
    case 'object':
      return Array.isArray(value) ? arrayLiteral(value, indent) : objectLiteral(value as Record<string, unknown>, indent);
    default:
      throw new TypeError(`cannot write a ${typeof value} as a literal`);
  }
}

function arrayLiteral(items: unknown[], indent: number): string {
  if (items.length === 0) return '[]';
  const primitive = items.every((item) => item === null || typeof item !== 'object');
  const inline = `[${items.map((item) => toJsLiteral(item, indent)).join(', ')}]`;
  if (primitive && inline.length <= 80) return inline;
  const pad = '  '.repeat(indent + 1);
  return `[\n${items.map((item) => `${pad}${toJsLiteral(item, indent + 1)},`).join('\n')}\n${'  '.repeat(indent)}]`;
}

function objectLiteral(object: Record<string, unknown>, indent: number): string {
  const entries = Object.entries(object).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  const pad = '  '.repeat(indent + 1);
  const lines = entries.map(([key, item]) => {
    const name = isIdentifier(key) ? key : JSON.stringify(key);
    return `${pad}${name}: ${toJsLiteral(item, indent + 1)},`;
  });
  return `{\n${lines.join('\n')}\n${'  '.repeat(indent)}}`;
}

/** True when the value can be written by `toJsLiteral` without loss (plain data only). */
export function isPlainData(value: unknown): boolean {
  if (value === null || ['string', 'boolean'].includes(typeof value)) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return false;
    return Object.values(value as object).every((item) => item === undefined || isPlainData(item));
  }
  return false;
}
