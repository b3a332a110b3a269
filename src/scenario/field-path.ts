// Field paths in `expect: { object: { fields } }`:
//   status.readyReplicas                        a field
//   spec.template.spec.containers[0].image      a list item by index
//   status.conditions[type=Available].status    the first list item whose field has that value
//   metadata.annotations["deployment.kubernetes.io/revision"]   a key with dots or slashes

export type PathToken = { field: string } | { index: number } | { match: string; value: string };

export function parseFieldPath(text: string): PathToken[] {
  const tokens: PathToken[] = [];
  let rest = text;
  let first = true;
  while (rest.length > 0) {
    let m: RegExpExecArray | null;
    if ((m = (first ? /^([A-Za-z_$][\w$-]*)/ : /^\.([A-Za-z_$][\w$-]*)/).exec(rest))) tokens.push({ field: m[1] });
    else if ((m = /^\[(\d+)\]/.exec(rest))) tokens.push({ index: Number(m[1]) });
    else if ((m = /^\["([^"]+)"\]/.exec(rest))) tokens.push({ field: m[1] });
    else if ((m = /^\[([\w.-]+)=([^\]]*)\]/.exec(rest))) tokens.push({ match: m[1], value: m[2] });
    else throw new Error(`"${text}" is not a field path; write e.g. status.readyReplicas, status.conditions[type=Available].status or metadata.annotations["a.b/c"]`);
    rest = rest.slice(m[0].length);
    first = false;
  }
  if (tokens.length === 0) throw new Error('empty field path');
  return tokens;
}

/** The value at the path, or undefined when any step is missing. */
export function readField(obj: unknown, tokens: readonly PathToken[]): unknown {
  let current = obj;
  for (const token of tokens) {
    if (current === null || typeof current !== 'object') return undefined;
    if ('field' in token) current = (current as Record<string, unknown>)[token.field];
    else if ('index' in token) current = Array.isArray(current) ? current[token.index] : undefined;
    else {
      current = Array.isArray(current)
        ? current.find((item) => item !== null && typeof item === 'object' && String((item as Record<string, unknown>)[token.match]) === token.value)
        : undefined;
    }
  }
  return current;
}
