// The Swagger 2.0 document kube-apiserver serves at /openapi/v2, derived from the OpenAPI v3 documents
// (same schemas, same operations) the way kube-openapi writes both: `$ref`s point at `#/definitions/…`
// and stand alone instead of inside `allOf`, parameters carry their type directly, request bodies are
// `in: body` parameters, and the int-or-string and quantity unions are plain strings with a format.
// kubectl 1.27 and 1.28 need it for their default validation (and read strategic-merge keys from it).
import { RESOURCES } from '../../api/resources.ts';
import { schemaRoots, servedGroupVersions } from './group-versions.ts';
import { resourcePaths } from './paths.ts';
import { schemasFor, type Schema } from './schemas.ts';

const V3_REF = '#/components/schemas/';

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One v3 schema as its v2 form. */
export function schemaToV2(schema: Schema): Schema {
  const allOf = schema.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && typeof allOf[0].$ref === 'string') {
    // A reference with a description: v2 puts them side by side; the v3 `default: {}` is not carried over.
    const { allOf: _, default: __, ...rest } = schema;
    return { ...schemaToV2(rest), $ref: (allOf[0].$ref as string).replace(V3_REF, '#/definitions/') };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace(V3_REF, '#/definitions/');
    else if (key === 'oneOf') out.type = 'string'; // IntOrString, Quantity: strings in Swagger 2.0
    else if (key === 'properties' && isObject(value)) out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaToV2(v as Schema)]));
    else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) out[key] = schemaToV2(value);
    else out[key] = value;
  }
  return out;
}

/** A v3 parameter (`schema: {type}`) as v2 (`type` beside the name). */
function parameterToV2(p: Schema): Schema {
  const { schema, ...rest } = p;
  return { ...rest, ...(isObject(schema) ? schema : {}) };
}

const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function operationToV2(op: Schema): Schema {
  const out: Schema = {};
  const parameters = Array.isArray(op.parameters) ? op.parameters.map((p) => parameterToV2(p as Schema)) : [];
  const body = isObject(op.requestBody) && isObject(op.requestBody.content) ? op.requestBody.content : undefined;
  if (body) {
    const first = Object.values(body)[0] as Schema;
    parameters.unshift({ name: 'body', in: 'body', required: true, schema: schemaToV2(first.schema as Schema) });
  }
  for (const [key, value] of Object.entries(op)) {
    if (key === 'parameters' || key === 'requestBody') continue;
    if (key === 'responses' && isObject(value)) {
      out.responses = Object.fromEntries(Object.entries(value).map(([code, r]) => {
        const content = isObject((r as Schema).content) ? ((r as Schema).content as Record<string, Schema>) : undefined;
        const schema = content?.['application/json']?.schema;
        return [code, { description: (r as Schema).description, ...(isObject(schema) ? { schema: schemaToV2(schema) } : {}) }];
      }));
    } else {
      out[key] = value;
    }
    if (key === 'operationId') {
      out.consumes = body ? Object.keys(body) : ['*/*'];
      out.produces = PRODUCES;
      out.schemes = ['https'];
    }
  }
  if (parameters.length > 0) out.parameters = parameters;
  return out;
}

function pathItemToV2(item: Schema): Schema {
  return Object.fromEntries(Object.entries(item).map(([key, value]) => {
    if (key === 'parameters' && Array.isArray(value)) return [key, value.map((p) => parameterToV2(p as Schema))];
    return [key, isObject(value) ? operationToV2(value) : value];
  }));
}

let cached: Schema | undefined;

/** The whole document: every served kind's definitions and every resource's paths (built once). */
export function swaggerDocument(): Schema {
  if (cached) return cached;
  const definitions = schemasFor(servedGroupVersions().flatMap(schemaRoots));
  const paths: Record<string, Schema> = {};
  for (const r of RESOURCES) for (const [path, item] of Object.entries(resourcePaths(r))) paths[path] = pathItemToV2(item);
  cached = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.30.0' },
    paths: Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]])),
    definitions: Object.fromEntries(Object.entries(definitions).map(([name, s]) => [name, schemaToV2(s)])),
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
  return cached;
}
