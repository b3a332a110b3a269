// fieldValidation=Strict: the fields of a request body that the kind's schema does not have, as the
// apiserver's strict decoder reports them (`unknown field "spec.template.spec.containers[0].imagee"`).
import { splitApiVersion } from '../../api/resources.ts';
import { declaration, moduleOf, TypeCatalogError, type Declaration, type TypeExpr } from '../../apiserver/patch/schema/type-catalog.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walkType(t: TypeExpr, value: unknown, path: string, out: string[]): void {
  if (t.kind === 'array' && Array.isArray(value)) value.forEach((v, i) => walkType(t.items, v, `${path}[${i}]`, out));
  else if (t.kind === 'map' && isObject(value)) for (const [k, v] of Object.entries(value)) walkType(t.values, v, `${path}.${k}`, out);
  else if (t.kind === 'ref' && isObject(value)) walkStruct(declaration(t.module, t.name), value, path, out);
}

function walkStruct(decl: Declaration, value: Record<string, unknown>, path: string, out: string[]): void {
  // Aliases (Time, Quantity) and free-form structs (FieldsV1, RawExtension) accept anything.
  if (decl.kind !== 'struct' || decl.fields.length === 0) return;
  for (const [key, v] of Object.entries(value)) {
    const field = decl.fields.find((f) => f.name === key);
    const at = path === '' ? key : `${path}.${key}`;
    if (!field) out.push(at);
    else walkType(field.type, v, at, out);
  }
}

/**
 * The unknown fields of `obj` (a body of `kind` in `apiVersion`), in document order; empty when the kind
 * is not one the catalog knows (nothing to check against).
 */
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  if (!isObject(obj)) return [];
  const { group, version } = splitApiVersion(apiVersion);
  let decl: Declaration;
  try {
    decl = declaration(moduleOf(group, version), kind);
  } catch (e) {
    if (e instanceof TypeCatalogError || (e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: string[] = [];
  walkStruct(decl, obj, '', out);
  return out;
}

/** The decoder's message for them: `strict decoding error: unknown field "a", unknown field "b"`. */
export function strictDecodingMessage(fields: readonly string[]): string {
  return `strict decoding error: ${fields.map((f) => `unknown field "${f}"`).join(', ')}`;
}
