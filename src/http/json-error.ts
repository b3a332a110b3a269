/**
 * A JSON.parse failure reworded as Go's encoding/json words it ("invalid character 'x' looking for
 * beginning of value", "unexpected end of JSON input"), so 400 messages read as kube-apiserver's do.
 * V8 names the offending position; the character there picks the wording. Approximate by nature.
 */

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '\n') return "'\\n'";
  if (c === '\r') return "'\\r'";
  if (c === '\t') return "'\\t'";
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

function positionOf(message: string): number | undefined {
  const at = /at position (\d+)/.exec(message);
  return at ? Number(at[1]) : undefined;
}

export function goJsonError(text: string, error: Error): string {
  const message = error.message;
  if (/Unexpected end of JSON input|Unterminated string/.test(message) || text.trim() === '') return 'unexpected end of JSON input';
  const token = /Unexpected token '?(.)'?/u.exec(message);
  const position = positionOf(message);
  const char = position !== undefined ? text[position] : token?.[1];
  if (char === undefined) return 'unexpected end of JSON input';
  const c = quoteChar(char);
  if (/after JSON|non-whitespace/.test(message)) return `invalid character ${c} after top-level value`;
  if (/Expected property name/.test(message)) return `invalid character ${c} looking for beginning of object key string`;
  if (/Expected ':'/.test(message)) return `invalid character ${c} after object key`;
  if (/after property value/.test(message)) return `invalid character ${c} after object key:value pair`;
  if (/after array element/.test(message)) return `invalid character ${c} after array element`;
  if (/Bad control character/.test(message)) return `invalid character ${c} in string literal`;
  if (/Bad escaped character|Bad Unicode escape/.test(message)) return `invalid character ${c} in string escape code`;
  return `invalid character ${c} looking for beginning of value`;
}
