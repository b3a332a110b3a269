// OpenAPI v3 component schemas generated from the type catalog, named and shaped as kube-apiserver
// publishes them (io.k8s.api.core.v1.Pod, references wrapped in allOf, x-kubernetes-* extensions).
import { ATOMIC_STRUCTS, markersOf } from '../../apiserver/patch/schema/list-markers.ts';
import { declaration, type Declaration, type TypeExpr } from '../../apiserver/patch/schema/type-catalog.ts';

export type Schema = Record<string, unknown>;

/** The Go package path of a kubernetes-types module, as the schema names spell it. */
export function schemaPrefix(module: string): string {
  switch (module) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    default:
      return `io.k8s.api.${module.replace('/', '.')}`;
  }
}

export function schemaName(module: string, name: string): string {
  return `${schemaPrefix(module)}.${name}`;
}

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

const INT_OR_STRING_SCHEMA: Schema = {
  description:
    'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  format: 'int-or-string',
  oneOf: [{ type: 'integer' }, { type: 'string' }],
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** A group/version/kind a top-level type declares through its literal apiVersion and kind fields. */
export function gvkOf(decl: Declaration): { group: string; version: string; kind: string } | undefined {
  if (decl.kind !== 'struct') return undefined;
  const apiVersion = decl.fields.find((f) => f.name === 'apiVersion')?.type;
  const kind = decl.fields.find((f) => f.name === 'kind')?.type;
  if (apiVersion?.kind !== 'literal' || kind?.kind !== 'literal') return undefined;
  const slash = apiVersion.value.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion.value, kind: kind.value } : { group: apiVersion.value.slice(0, slash), version: apiVersion.value.slice(slash + 1), kind: kind.value };
}

/** The schema of a value of type `t`; named types it refers to are added to `pending`. */
function typeSchema(t: TypeExpr, pending: (module: string, name: string) => string): Schema {
  switch (t.kind) {
    case 'string':
    case 'literal':
      return { type: 'string' };
    case 'number':
      return { type: 'integer', format: 'int32' };
    case 'boolean':
      return { type: 'boolean' };
    case 'intOrString':
      return { allOf: [ref(INT_OR_STRING)] };
    case 'array':
      return { type: 'array', items: typeSchema(t.items, pending) };
    case 'map':
      return { type: 'object', additionalProperties: typeSchema(t.values, pending) };
    case 'ref': {
      const name = pending(t.module, t.name);
      const decl = declaration(t.module, t.name);
      return decl.kind === 'struct' && decl.fields.length > 0 ? { allOf: [ref(name)], default: {} } : { allOf: [ref(name)] };
    }
  }
}

function declarationSchema(decl: Declaration, pending: (module: string, name: string) => string): Schema {
  if (decl.kind === 'alias') {
    // Time, MicroTime and Quantity are strings with their own formats.
    if (decl.name === 'Time' || decl.name === 'MicroTime') return { description: decl.description, type: 'string', format: 'date-time' };
    if (decl.name === 'Quantity') return { description: decl.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
    return { description: decl.description, ...typeSchema(decl.type, pending) };
  }
  if (decl.fields.length === 0) return { description: decl.description, type: 'object' }; // FieldsV1, RawExtension: free-form
  const properties: Record<string, Schema> = {};
  for (const field of decl.fields) {
    const base = typeSchema(field.type, pending);
    const markers = markersOf(decl.module, decl.name, field.name);
    properties[field.name] = {
      ...base,
      ...(field.description ? { description: field.description } : {}),
      ...(markers?.listType ? { 'x-kubernetes-list-type': markers.listType } : {}),
      ...(markers?.listMapKeys ? { 'x-kubernetes-list-map-keys': markers.listMapKeys } : {}),
      ...(markers?.patchMergeKey ? { 'x-kubernetes-patch-merge-key': markers.patchMergeKey } : {}),
      ...(markers?.patchStrategy ? { 'x-kubernetes-patch-strategy': markers.patchStrategy } : {}),
    };
  }
  const required = decl.fields.filter((f) => f.required).map((f) => f.name);
  const gvk = gvkOf(decl);
  return {
    description: decl.description,
    type: 'object',
    ...(required.length > 0 ? { required } : {}),
    properties,
    ...(ATOMIC_STRUCTS.has(`${decl.module}.${decl.name}`) ? { 'x-kubernetes-map-type': 'atomic' } : {}),
    ...(gvk ? { 'x-kubernetes-group-version-kind': [gvk] } : {}),
  };
}

/** Every schema reachable from the roots, by name. */
export function schemasFor(roots: readonly { module: string; name: string }[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const queue: { module: string; name: string }[] = [];
  let needsIntOrString = false;
  const pending = (module: string, name: string): string => {
    const full = schemaName(module, name);
    if (!(full in out) && !queue.some((q) => q.module === module && q.name === name)) queue.push({ module, name });
    return full;
  };
  for (const r of roots) pending(r.module, r.name);
  while (queue.length > 0) {
    const next = queue.shift()!;
    const full = schemaName(next.module, next.name);
    if (full in out) continue;
    const decl = declaration(next.module, next.name);
    out[full] = {}; // reserve: recursive types (JSONSchemaProps) terminate
    out[full] = declarationSchema(decl, pending);
    if (JSON.stringify(out[full]).includes(INT_OR_STRING)) needsIntOrString = true;
  }
  if (needsIntOrString) out[INT_OR_STRING] = INT_OR_STRING_SCHEMA;
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}
