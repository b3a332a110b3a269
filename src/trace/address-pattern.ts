/**
 * A comma-separated list of names or globs (`etcd-2`, `node-*`, `raft.*,etcd.request`): `*` matches any
 * run of characters, `?` one character; everything else is literal. Used to pick addresses (trace
 * filters, live inspection) and message types.
 */
export type NameMatcher = (name: string) => boolean;

export function parsePatternList(list: string): string[] {
  return list.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

/** A matcher for a pattern list; an empty list matches nothing. */
export function nameMatcher(list: string | readonly string[]): NameMatcher {
  const patterns = (typeof list === 'string' ? parsePatternList(list) : list).map(globToRegExp);
  return (name) => patterns.some((pattern) => pattern.test(name));
}
