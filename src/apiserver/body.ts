import { apiVersionOf, findDecodeError, splitApiVersion, type ResourceInfo } from '../api/index.ts';
import { badRequest, fail } from './errors.ts';
import { isPlainObject, type KubeObject } from './objects.ts';

/**
 * Request bodies as kube-apiserver's decoder sees them. The body arrives already parsed (the HTTP front
 * door parses JSON), so what is checked here is what the Go decoder refuses: a non-object, a missing or
 * mistyped kind/apiVersion, another group/version or kind than the URL's, mistyped metadata, and
 * malformed quantities. Messages follow the handler's transformDecodeError.
 */

/** The kind a body must carry: the resource's own, or a subresource's (Scale, Binding, Eviction). */
export interface ExpectedKind {
  kind: string;
  /** Accepted apiVersions; the first is the one named in messages. */
  apiVersions: readonly string[];
}

export function expectedKindOf(resource: ResourceInfo): ExpectedKind {
  return { kind: resource.kind, apiVersions: [apiVersionOf(resource)] };
}

function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (value === null) return 'null';
  return typeof value === 'number' ? 'number' : typeof value;
}

function serialized(body: unknown): string {
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    return '';
  }
}

/** summarizeData(body, 30): objects as text, anything else as hex. */
function summarize(text: string): string {
  if (text.length === 0) return '<empty>';
  const bytes = new TextEncoder().encode(text);
  const cut = bytes.length > 30 ? bytes.slice(0, 30) : bytes;
  const more = bytes.length > 30 ? ' ...' : '';
  if (text[0] === '{') return new TextDecoder().decode(cut) + more;
  return [...cut].map((b) => b.toString(16).padStart(2, '0')).join('') + more;
}

const TYPE_META_STRUCT = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

function unrecognized(expected: ExpectedKind, reason: string, text: string): never {
  fail(badRequest(`the object provided is unrecognized (must be of type ${expected.kind}): ${reason} (${summarize(text)})`));
}

function cannotHandle(kind: string, version: string, expected: ExpectedKind, reason: string): never {
  fail(badRequest(`${kind} in version "${version}" cannot be handled as a ${expected.kind}: ${reason}`));
}

const META_STRINGS = ['name', 'generateName', 'namespace', 'resourceVersion', 'uid'] as const;
const META_STRING_MAPS = ['labels', 'annotations'] as const;

/** The first type error the Go decoder would hit in metadata and the top-level sections. */
function typeErrorIn(obj: Record<string, unknown>, kind: string): string | undefined {
  const meta = obj.metadata;
  if (meta !== undefined && meta !== null) {
    if (!isPlainObject(meta)) return `json: cannot unmarshal ${jsonTypeName(meta)} into Go struct field ${kind}.metadata of type v1.ObjectMeta`;
    for (const field of META_STRINGS) {
      const v = meta[field];
      if (v !== undefined && v !== null && typeof v !== 'string') {
        return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ObjectMeta.metadata.${field} of type string`;
      }
    }
    for (const field of META_STRING_MAPS) {
      const v = meta[field];
      if (v === undefined || v === null) continue;
      if (!isPlainObject(v)) return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ObjectMeta.metadata.${field} of type map[string]string`;
      for (const value of Object.values(v)) {
        if (typeof value !== 'string' && value !== null) {
          return `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ObjectMeta.metadata.${field} of type string`;
        }
      }
    }
    const finalizers = meta.finalizers;
    if (finalizers !== undefined && finalizers !== null) {
      if (!Array.isArray(finalizers)) return `json: cannot unmarshal ${jsonTypeName(finalizers)} into Go struct field ObjectMeta.metadata.finalizers of type []string`;
      const bad = finalizers.find((f) => typeof f !== 'string');
      if (bad !== undefined) return `json: cannot unmarshal ${jsonTypeName(bad)} into Go struct field ObjectMeta.metadata.finalizers of type string`;
    }
  }
  // ConfigMap and Secret payloads are map[string]string (Secret data: base64 strings).
  if (kind === 'ConfigMap' || kind === 'Secret') {
    for (const field of ['data', 'stringData', 'binaryData']) {
      const v = obj[field];
      if (v === undefined || v === null) continue;
      if (!isPlainObject(v)) return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ${kind}.${field} of type map[string]string`;
      const bad = Object.values(v).find((x) => typeof x !== 'string' && x !== null);
      if (bad !== undefined) return `json: cannot unmarshal ${jsonTypeName(bad)} into Go struct field ${kind}.${field} of type string`;
    }
  }
  for (const section of ['spec', 'status'] as const) {
    const v = obj[section];
    if (v !== undefined && v !== null && !isPlainObject(v)) {
      return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ${kind}.${section} of type v1.${kind}${section === 'spec' ? 'Spec' : 'Status'}`;
    }
  }
  return undefined;
}

/**
 * The body as an object of the expected kind. Missing apiVersion/kind are refused (kubesim is stricter
 * than upstream here, which defaults them from the URL for built-in types).
 */
export function decodeBody(body: unknown, expected: ExpectedKind): KubeObject {
  // The body as sent, for error messages only (serialising every body would cost a copy per request).
  const text = (): string => (body === undefined ? '' : serialized(body));
  if (body === undefined) unrecognized(expected, "couldn't get version/kind; json parse error: unexpected end of JSON input", text());
  if (body !== null && !isPlainObject(body)) {
    unrecognized(expected, `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonTypeName(body)} into Go value of type ${TYPE_META_STRUCT}`, text());
  }
  const obj = (body ?? {}) as Record<string, unknown>;
  for (const field of ['apiVersion', 'kind'] as const) {
    const v = obj[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      unrecognized(expected, `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonTypeName(v)} into Go struct field .${field} of type string`, text());
    }
  }
  const kind = (obj.kind as string | undefined) ?? '';
  const apiVersion = (obj.apiVersion as string | undefined) ?? '';
  if (kind === '') unrecognized(expected, `Object 'Kind' is missing in '${text()}'`, text());
  const { version } = splitApiVersion(apiVersion);
  if (apiVersion === '') cannotHandle(kind, '', expected, `Object 'apiVersion' is missing in '${text()}'`);
  if (!expected.apiVersions.includes(apiVersion)) {
    fail(badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expected.apiVersions[0]})`));
  }
  if (kind !== expected.kind) cannotHandle(kind, version, expected, `the object's kind does not match the kind the URL serves (${expected.kind})`);
  const typeError = typeErrorIn(obj, kind);
  if (typeError) cannotHandle(kind, version, expected, typeError);
  const decoded = withoutNullSections(obj);
  let quantityError: string | undefined;
  try {
    quantityError = findDecodeError(decoded);
  } catch (e) {
    cannotHandle(kind, version, expected, (e as Error).message);
  }
  if (quantityError) fail(badRequest(quantityError));
  return decoded;
}

/** JSON null for a struct decodes to its zero value in Go: the section is simply absent. */
function withoutNullSections(obj: Record<string, unknown>): KubeObject {
  const out: Record<string, unknown> = { ...obj };
  for (const section of ['metadata', 'spec', 'status']) if (out[section] === null) delete out[section];
  return out as KubeObject;
}
