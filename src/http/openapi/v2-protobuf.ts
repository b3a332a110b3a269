// /openapi/v2 as protobuf: gnostic's `openapi.v2.Document` (github.com/google/gnostic openapiv2/
// OpenAPIv2.proto), which is the only form kubectl ≤ 1.28 asks for (`Accept: application/com.github.
// proto-openapi.spec.v2@v1.0+protobuf`). Only the messages and fields the Swagger document here uses are
// described, with gnostic's field numbers; a decoder with the full descriptor reads the same bytes.
// Vendor extensions (`x-kubernetes-*`) are `NamedAny`s whose value is YAML text, as gnostic writes them.
import { Root, type Type } from 'protobufjs';
import { stringify } from 'yaml';
import type { Schema } from './schemas.ts';

type Fields = Record<string, { id: number; type: string; rule?: 'repeated' }>;
const f = (id: number, type: string, repeated = false) => (repeated ? { id, type, rule: 'repeated' as const } : { id, type });

const MESSAGES: Record<string, Fields> = {
  Document: {
    swagger: f(1, 'string'), info: f(2, 'Info'), schemes: f(5, 'string', true), consumes: f(6, 'string', true), produces: f(7, 'string', true),
    paths: f(8, 'Paths'), definitions: f(9, 'Definitions'), security: f(12, 'SecurityRequirement', true), securityDefinitions: f(13, 'SecurityDefinitions'),
  },
  Info: { title: f(1, 'string'), version: f(2, 'string') },
  Paths: { path: f(2, 'NamedPathItem', true) },
  NamedPathItem: { name: f(1, 'string'), value: f(2, 'PathItem') },
  PathItem: {
    get: f(2, 'Operation'), put: f(3, 'Operation'), post: f(4, 'Operation'), delete: f(5, 'Operation'), patch: f(8, 'Operation'),
    parameters: f(9, 'ParametersItem', true),
  },
  Operation: {
    tags: f(1, 'string', true), description: f(3, 'string'), operationId: f(5, 'string'), produces: f(6, 'string', true), consumes: f(7, 'string', true),
    parameters: f(8, 'ParametersItem', true), responses: f(9, 'Responses'), schemes: f(10, 'string', true), vendorExtension: f(13, 'NamedAny', true),
  },
  ParametersItem: { parameter: f(1, 'Parameter') },
  Parameter: { bodyParameter: f(1, 'BodyParameter'), nonBodyParameter: f(2, 'NonBodyParameter') },
  BodyParameter: { description: f(1, 'string'), name: f(2, 'string'), in: f(3, 'string'), required: f(4, 'bool'), schema: f(5, 'Schema') },
  NonBodyParameter: { queryParameterSubSchema: f(3, 'QueryParameterSubSchema'), pathParameterSubSchema: f(4, 'PathParameterSubSchema') },
  QueryParameterSubSchema: { required: f(1, 'bool'), in: f(2, 'string'), description: f(3, 'string'), name: f(4, 'string'), type: f(6, 'string'), uniqueItems: f(20, 'bool') },
  PathParameterSubSchema: { required: f(1, 'bool'), in: f(2, 'string'), description: f(3, 'string'), name: f(4, 'string'), type: f(5, 'string'), uniqueItems: f(19, 'bool') },
  Responses: { responseCode: f(1, 'NamedResponseValue', true) },
  NamedResponseValue: { name: f(1, 'string'), value: f(2, 'ResponseValue') },
  ResponseValue: { response: f(1, 'Response') },
  Response: { description: f(1, 'string'), schema: f(2, 'SchemaItem') },
  SchemaItem: { schema: f(1, 'Schema') },
  Definitions: { additionalProperties: f(1, 'NamedSchema', true) },
  NamedSchema: { name: f(1, 'string'), value: f(2, 'Schema') },
  Schema: {
    ref: f(1, 'string'), format: f(2, 'string'), description: f(4, 'string'), required: f(19, 'string', true),
    additionalProperties: f(21, 'AdditionalPropertiesItem'), type: f(22, 'TypeItem'), items: f(23, 'ItemsItem'),
    properties: f(25, 'Properties'), vendorExtension: f(31, 'NamedAny', true),
  },
  AdditionalPropertiesItem: { schema: f(1, 'Schema'), boolean: f(2, 'bool') },
  TypeItem: { value: f(1, 'string', true) },
  ItemsItem: { schema: f(1, 'Schema', true) },
  Properties: { additionalProperties: f(1, 'NamedSchema', true) },
  NamedAny: { name: f(1, 'string'), value: f(2, 'Any') },
  Any: { yaml: f(2, 'string') },
  SecurityDefinitions: { additionalProperties: f(1, 'NamedSecurityDefinitionsItem', true) },
  NamedSecurityDefinitionsItem: { name: f(1, 'string'), value: f(2, 'SecurityDefinitionsItem') },
  SecurityDefinitionsItem: { apiKeySecurity: f(2, 'ApiKeySecurity') },
  ApiKeySecurity: { type: f(1, 'string'), name: f(2, 'string'), in: f(3, 'string'), description: f(4, 'string') },
  SecurityRequirement: { additionalProperties: f(1, 'NamedStringArray', true) },
  NamedStringArray: { name: f(1, 'string'), value: f(2, 'StringArray') },
  StringArray: { value: f(1, 'string', true) },
};

let root: Root | undefined;

/** The protobufjs type of a gnostic message (for encoding here, decoding in tests). */
export function gnosticType(name: string): Type {
  root ??= Root.fromJSON({ nested: { openapi: { nested: { v2: { nested: Object.fromEntries(Object.entries(MESSAGES).map(([n, fields]) => [n, { fields }])) } } } } });
  return root.lookupType(`openapi.v2.${name}`);
}

type Message = Record<string, unknown>;

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `x-…` members as NamedAny, their values as YAML. */
function vendorExtensions(obj: Schema): Message[] {
  return Object.entries(obj).filter(([k]) => k.startsWith('x-')).map(([name, value]) => ({ name, value: { yaml: stringify(value) } }));
}

function schemaMessage(s: Schema): Message {
  const m: Message = {};
  if (typeof s.$ref === 'string') m.ref = s.$ref;
  if (typeof s.format === 'string') m.format = s.format;
  if (typeof s.description === 'string') m.description = s.description;
  if (Array.isArray(s.required)) m.required = s.required;
  if (typeof s.type === 'string') m.type = { value: [s.type] };
  if (isObject(s.items)) m.items = { schema: [schemaMessage(s.items)] };
  if (isObject(s.additionalProperties)) m.additionalProperties = { schema: schemaMessage(s.additionalProperties) };
  else if (typeof s.additionalProperties === 'boolean') m.additionalProperties = { boolean: s.additionalProperties };
  if (isObject(s.properties)) {
    m.properties = { additionalProperties: Object.entries(s.properties).map(([name, value]) => ({ name, value: schemaMessage(value as Schema) })) };
  }
  const ext = vendorExtensions(s);
  if (ext.length > 0) m.vendorExtension = ext;
  return m;
}

function parameterMessage(p: Schema): Message {
  if (p.in === 'body') {
    return { parameter: { bodyParameter: { name: p.name, in: 'body', required: p.required === true, ...(typeof p.description === 'string' ? { description: p.description } : {}), schema: schemaMessage(p.schema as Schema) } } };
  }
  const sub = { required: p.required === true, in: p.in, description: p.description, name: p.name, type: p.type, uniqueItems: p.uniqueItems === true };
  return { parameter: { nonBodyParameter: p.in === 'path' ? { pathParameterSubSchema: sub } : { queryParameterSubSchema: sub } } };
}

function operationMessage(op: Schema): Message {
  const responses = isObject(op.responses) ? op.responses : {};
  return {
    tags: op.tags, description: op.description, operationId: op.operationId, produces: op.produces, consumes: op.consumes, schemes: op.schemes,
    parameters: Array.isArray(op.parameters) ? op.parameters.map((p) => parameterMessage(p as Schema)) : [],
    responses: {
      responseCode: Object.entries(responses).map(([name, r]) => {
        const response = r as Schema;
        return { name, value: { response: { description: response.description, ...(isObject(response.schema) ? { schema: { schema: schemaMessage(response.schema) } } : {}) } } };
      }),
    },
    vendorExtension: vendorExtensions(op),
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function pathItemMessage(item: Schema): Message {
  const m: Message = {};
  for (const method of METHODS) if (isObject(item[method])) m[method] = operationMessage(item[method]);
  if (Array.isArray(item.parameters)) m.parameters = item.parameters.map((p) => parameterMessage(p as Schema));
  return m;
}

/** The Swagger document (as `swaggerDocument()` builds it) encoded as gnostic's Document. */
export function encodeSwagger(doc: Schema): Uint8Array {
  const info = doc.info as Schema;
  const securityDefinitions = isObject(doc.securityDefinitions) ? doc.securityDefinitions : {};
  const message: Message = {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version },
    paths: { path: Object.entries(doc.paths as Schema).map(([name, item]) => ({ name, value: pathItemMessage(item as Schema) })) },
    definitions: { additionalProperties: Object.entries(doc.definitions as Schema).map(([name, s]) => ({ name, value: schemaMessage(s as Schema) })) },
    securityDefinitions: {
      additionalProperties: Object.entries(securityDefinitions).map(([name, d]) => ({ name, value: { apiKeySecurity: d } })),
    },
    security: (Array.isArray(doc.security) ? doc.security : []).map((req) => ({
      additionalProperties: Object.entries(req as Record<string, string[]>).map(([name, value]) => ({ name, value: { value } })),
    })),
  };
  const type = gnosticType('Document');
  return type.encode(type.fromObject(message)).finish();
}
