// Renders values the way kube-apiserver's field errors print them (Go's %q / %#v), because
// the bad value is part of the message a client sees, e.g.
//   Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

/** A value already rendered in Go syntax; printed verbatim. */
export interface GoLiteral {
  readonly go: string;
}

export type BadValue = string | number | boolean | null | undefined | GoLiteral;

export function goLiteral(go: string): GoLiteral {
  return { go };
}

// strconv.Quote: printable runes kept, the rest escaped Go-style.
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export function renderBadValue(value: BadValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.go;
}

export function goStringMap(m: Readonly<Record<string, string>> | undefined | null): string {
  if (m === undefined || m === null) return 'map[string]string(nil)';
  const body = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(m[k])}`)
    .join(', ');
  return `map[string]string{${body}}`;
}

export function goStringSlice(xs: readonly string[] | undefined | null): string {
  if (xs === undefined || xs === null) return '[]string(nil)';
  return `[]string{${xs.map(goQuote).join(', ')}}`;
}

// Go prints a non-nil pointer as its address; the address is meaningless in a model, so a
// fixed, obviously-synthetic one stands in for it.
export function goPointer(type: string, isSet: boolean): string {
  return isSet ? `(*${type})(0xc000000000)` : `(*${type})(nil)`;
}

export function goLabelSelector(sel: LabelSelector): string {
  const exprs = sel.matchExpressions;
  const exprText =
    exprs === undefined
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${exprs
          .map(
            (e) =>
              `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${goStringSlice(e.values)}}`,
          )
          .join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprText}}`;
}

// intstr.IntOrString has a pointer-receiver String(), so errors print its struct form.
export function goIntOrString(v: number | string | undefined): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`;
}

/** Fallback for large structs whose exact Go rendering is out of reach: type name + JSON. */
export function goStructApprox(type: string, value: unknown): string {
  return `${type}${JSON.stringify(value ?? null)}`;
}
