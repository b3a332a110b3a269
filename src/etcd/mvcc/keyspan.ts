// Normalises etcd's (key, range_end) encoding into an explicit span.
// Keys compare by UTF-16 code unit (JS `<`), which equals etcd's byte order for ASCII keys
// (every Kubernetes registry key).
import type { KeySelector } from './types.ts';

/** Highest code unit; the analogue of byte 0xff in etcd's prefix-end computation. */
const MAX_UNIT = 0xffff;

export type KeySpan =
  | { kind: 'key'; key: string }
  /** Half-open [start, end); end undefined = unbounded above. */
  | { kind: 'range'; start: string; end: string | undefined };

/** The smallest key greater than every key with this prefix; undefined when none exists. */
export function prefixEnd(prefix: string): string | undefined {
  let i = prefix.length - 1;
  while (i >= 0 && prefix.charCodeAt(i) === MAX_UNIT) i--;
  if (i < 0) return undefined;
  return prefix.slice(0, i) + String.fromCharCode(prefix.charCodeAt(i) + 1);
}

export function toSpan(sel: KeySelector): KeySpan {
  if (sel.prefix) return { kind: 'range', start: sel.key, end: prefixEnd(sel.key) };
  if (sel.rangeEnd === undefined || sel.rangeEnd === '') return { kind: 'key', key: sel.key };
  // etcd: range_end "\0" selects every key >= key.
  if (sel.rangeEnd === '\0') return { kind: 'range', start: sel.key, end: undefined };
  return { kind: 'range', start: sel.key, end: sel.rangeEnd };
}

export function spanContains(span: KeySpan, key: string): boolean {
  if (span.kind === 'key') return key === span.key;
  return key >= span.start && (span.end === undefined || key < span.end);
}
