// A set of field paths, as structured-merge-diff's fieldpath.Set: a trie whose edges are path elements
// spelled as in FieldsV1 ("f:name", `k:{"name":"nginx"}`, `v:"x"`, "i:0") and whose nodes may be members
// (the path itself is in the set, FieldsV1's "."). Immutable operations return new sets.

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static empty(): FieldSet {
    return new FieldSet();
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** The child node for an element, created when missing. */
  child(element: string): FieldSet {
    let c = this.children.get(element);
    if (!c) {
      c = new FieldSet();
      this.children.set(element, c);
    }
    return c;
  }

  insert(path: readonly string[]): void {
    let node: FieldSet = this;
    for (const e of path) node = node.child(e);
    node.member = true;
  }

  has(path: readonly string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const e of path) {
      node = node.children.get(e);
      if (!node) return false;
    }
    return node.member;
  }

  /** The node at `path`, or undefined. */
  at(path: readonly string[]): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const e of path) {
      node = node?.children.get(e);
      if (!node) return undefined;
    }
    return node;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [e, c] of this.children) out.children.set(e, c.clone());
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.member ||= other.member;
    for (const [e, c] of other.children) {
      const mine = out.children.get(e);
      out.children.set(e, mine ? mine.union(c) : c.clone());
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [e, c] of this.children) {
      const theirs = other.children.get(e);
      const d = theirs ? c.difference(theirs) : c.clone();
      if (!d.isEmpty()) out.children.set(e, d);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [e, c] of this.children) {
      const theirs = other.children.get(e);
      if (!theirs) continue;
      const i = c.intersection(theirs);
      if (!i.isEmpty()) out.children.set(e, i);
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  /** Member paths in fieldpath.Set.Iterate order: a node's member children first, then deeper ones. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    const keys = sortedElements([...this.children.keys()]);
    for (const e of keys) if (this.children.get(e)!.member) out.push([...prefix, e]);
    for (const e of keys) {
      const c = this.children.get(e)!;
      if (c.children.size > 0) out.push(...c.paths([...prefix, e]));
    }
    return out;
  }

  /** The FieldsV1 JSON form. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const e of sortedElements([...this.children.keys()])) {
      const c = this.children.get(e)!;
      if (!c.isEmpty()) out[e] = c.toFieldsV1();
    }
    return out;
  }

  static fromFieldsV1(raw: unknown): FieldSet {
    const node = new FieldSet();
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return node;
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length === 0) node.member = true;
    for (const [e, v] of entries) {
      if (e === '.') node.member = true;
      else node.children.set(e, FieldSet.fromFieldsV1(v));
    }
    return node;
  }
}

/** Field names, then keys, values and indexes, as fieldpath orders path elements. */
const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function sortedElements(elements: string[]): string[] {
  return elements.sort((a, b) => (KIND_ORDER[a[0]] ?? 9) - (KIND_ORDER[b[0]] ?? 9) || (a < b ? -1 : a > b ? 1 : 0));
}

/** JSON with object keys sorted, as the key and value elements are spelled. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const fieldElement = (name: string): string => `f:${name}`;
export const valueElement = (value: unknown): string => `v:${canonicalJson(value)}`;
export const indexElement = (i: number): string => `i:${i}`;

/** Schema defaults of key fields, used when an item omits them (ports default to TCP). */
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

/** `k:{"name":"nginx"}` for an item of a list keyed by `keys` (undefined when no key is present). */
export function keyElement(item: unknown, keys: readonly string[]): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const obj = item as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const k of [...keys].sort()) {
    const v = obj[k] ?? KEY_DEFAULTS[k];
    if (v === undefined || v === null) continue; // optional key fields may be absent
    fields[k] = v;
  }
  if (Object.keys(fields).length === 0) return undefined;
  return `k:${canonicalJson(fields)}`;
}

/** fieldpath.Path.String(): `.spec.containers[name="nginx"].image`. */
export function pathString(path: readonly string[]): string {
  return path
    .map((e) => {
      const body = e.slice(2);
      switch (e[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const fields = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.keys(fields).map((k) => `${k}=${JSON.stringify(fields[k])}`).join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
