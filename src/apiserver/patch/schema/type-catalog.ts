// The Kubernetes API types, read from the `kubernetes-types` package's declarations (generated from
// upstream's OpenAPI, so they carry every field and its documentation). This is the compact description
// the OpenAPI documents and the strict field check are generated from: nothing is written out by hand.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';

/** A field's type, as the declarations spell it. */
export type TypeExpr =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'literal'; value: string }
  | { kind: 'intOrString' }
  | { kind: 'array'; items: TypeExpr }
  | { kind: 'map'; values: TypeExpr }
  | { kind: 'ref'; module: string; name: string };

export interface Field {
  name: string;
  type: TypeExpr;
  required: boolean;
  description: string;
}

export type Declaration =
  | { kind: 'struct'; module: string; name: string; description: string; fields: Field[] }
  | { kind: 'alias'; module: string; name: string; description: string; type: TypeExpr };

export class TypeCatalogError extends Error {}

const PACKAGE_ROOT = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));

/** "core/v1" → its declarations, parsed once. */
const modules = new Map<string, Map<string, Declaration>>();

function docText(lines: string[]): string {
  return lines
    .map((l) => l.replace(/^\s*\/\*\*\s?/, '').replace(/\s?\*\/\s*$/, '').replace(/^\s*\*\s?/, ''))
    .join('\n')
    .trim();
}

function parseType(text: string, imports: Map<string, string>, module: string): TypeExpr {
  const t = text.trim().replace(/;$/, '').trim();
  if (t === 'string') return { kind: 'string' };
  if (t === 'number') return { kind: 'number' };
  if (t === 'boolean') return { kind: 'boolean' };
  if (t === 'number | string' || t === 'string | number') return { kind: 'intOrString' };
  const literal = /^"([^"]*)"$/.exec(t);
  if (literal) return { kind: 'literal', value: literal[1] };
  const array = /^Array<(.*)>$/s.exec(t);
  if (array) return { kind: 'array', items: parseType(array[1], imports, module) };
  const map = /^\{\s*\[name: string\]:\s*(.*?);?\s*\}$/s.exec(t);
  if (map) return { kind: 'map', values: parseType(map[1], imports, module) };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) return { kind: 'ref', module: imports.get(t) ?? module, name: t };
  throw new TypeCatalogError(`unsupported type in ${module}: ${t}`);
}

function parseModule(module: string): Map<string, Declaration> {
  const file = join(PACKAGE_ROOT, `${module}.d.ts`);
  const lines = readFileSync(file, 'utf8').split('\n');
  const imports = new Map<string, string>();
  const decls = new Map<string, Declaration>();
  let doc: string[] = [];
  let inDoc = false;
  let current: Extract<Declaration, { kind: 'struct' }> | undefined;
  let pending: { required: boolean; name: string; doc: string } | undefined;
  let pendingType = '';

  for (const line of lines) {
    const imp = /^import \{([^}]*)\} from "([^"]+)";/.exec(line);
    if (imp) {
      const from = posix.normalize(posix.join(posix.dirname(module), imp[2]));
      for (const name of imp[1].split(',').map((s) => s.trim()).filter(Boolean)) imports.set(name, from);
      continue;
    }
    if (inDoc || /^\s*\/\*\*/.test(line)) {
      if (!inDoc) doc = [];
      doc.push(line);
      inDoc = !/\*\/\s*$/.test(line);
      continue;
    }
    if (pending) {
      pendingType += `\n${line}`;
      if (/;\s*$/.test(line) && (pendingType.match(/\{/g) ?? []).length === (pendingType.match(/\}/g) ?? []).length) {
        current!.fields.push({ name: pending.name, type: parseType(pendingType, imports, module), required: pending.required, description: pending.doc });
        pending = undefined;
      }
      continue;
    }
    const iface = /^export interface (\w+) \{(\})?/.exec(line);
    if (iface) {
      current = { kind: 'struct', module, name: iface[1], description: docText(doc), fields: [] };
      decls.set(iface[1], current);
      doc = [];
      if (iface[2]) current = undefined;
      continue;
    }
    const alias = /^export type (\w+) = (.*);$/.exec(line);
    if (alias) {
      decls.set(alias[1], { kind: 'alias', module, name: alias[1], description: docText(doc), type: parseType(alias[2], imports, module) });
      doc = [];
      continue;
    }
    if (/^\}/.test(line)) {
      current = undefined;
      continue;
    }
    const prop = /^ {4}(?:readonly )?("?[^"?:\s]+"?)(\?)?: (.*)$/.exec(line);
    if (prop && current) {
      const name = prop[1].replace(/^"|"$/g, '');
      const rest = prop[3];
      const opens = (rest.match(/\{/g) ?? []).length;
      const closes = (rest.match(/\}/g) ?? []).length;
      if (/;\s*$/.test(rest) && opens === closes) {
        current.fields.push({ name, type: parseType(rest, imports, module), required: prop[2] !== '?', description: docText(doc) });
      } else {
        pending = { required: prop[2] !== '?', name, doc: docText(doc) };
        pendingType = rest;
      }
      doc = [];
    }
  }
  return decls;
}

function moduleDecls(module: string): Map<string, Declaration> {
  let decls = modules.get(module);
  if (!decls) {
    decls = parseModule(module);
    modules.set(module, decls);
  }
  return decls;
}

/** The declaration of `name` in `module` ("core/v1", "meta/v1", "api/resource", "runtime", …). */
export function declaration(module: string, name: string): Declaration {
  const decl = moduleDecls(module).get(name);
  if (!decl) throw new TypeCatalogError(`no type ${name} in kubernetes-types/${module}`);
  return decl;
}

/** The group-version module of an API group: "" → core/v1, "apps" → apps/v1, "events.k8s.io" → events/v1. */
export function moduleOf(group: string, version: string): string {
  const name = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  return `${name}/${version}`;
}
