// The OpenAPI documents kube-apiserver serves: Swagger 2.0 at /openapi/v2 (v2.ts, JSON or protobuf), and
// v3: the index at /openapi/v3 and one document per group/version, generated from the kubernetes-types
// declarations of the kinds this model serves. They are what `kubectl explain` reads, and what kubectl's
// default validation checks to leave field validation to the server (`fieldValidation=Strict`).
import { createHash } from 'node:crypto';
import { RESOURCES } from '../../api/resources.ts';
import { jsonReply, type HttpReply } from '../reply.ts';
import { resourcePaths } from './paths.ts';
import { schemasFor, type Schema } from './schemas.ts';
import { swaggerDocument } from './v2.ts';
import { encodeSwagger } from './v2-protobuf.ts';
import { gvPath, schemaRoots, servedGroupVersions, type GroupVersion } from './group-versions.ts';

export { strictDecodingMessage, unknownFields } from './unknown-fields.ts';

function buildDocument(gv: GroupVersion): object {
  const resources = RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version);
  const paths: Record<string, Schema> = {};
  for (const r of resources) Object.assign(paths, resourcePaths(r));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.30.0' },
    paths,
    components: {
      schemas: schemasFor(schemaRoots(gv)),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

/** Documents are static: serialized once, with the content hash the index advertises. */
const documents = new Map<string, { body: string; hash: string }>();

function documentFor(path: string): { body: string; hash: string } | undefined {
  const gv = servedGroupVersions().find((g) => gvPath(g) === path);
  if (!gv) return undefined;
  let doc = documents.get(path);
  if (!doc) {
    const body = JSON.stringify(buildDocument(gv));
    doc = { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
    documents.set(path, doc);
  }
  return doc;
}

function index(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of servedGroupVersions()) {
    const p = gvPath(gv);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${documentFor(p)!.hash}` };
  }
  return { paths };
}

const NOT_FOUND: HttpReply = { status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found\n' };

/**
 * What kubectl ≤ 1.28 asks /openapi/v2 for. The `@` form is not a valid media type for Go's
 * mime.ParseMediaType, so kube-openapi answers either with the dotted spelling (client-go fails on the other).
 */
const V2_PROTOBUF = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'];
const V2_PROTOBUF_REPLY = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

let v2: { json: string; protobuf: Uint8Array } | undefined;

/** `/openapi/v2`: protobuf when the Accept names gnostic's type, else JSON (both built once). */
function swaggerReply(accept: string | undefined): HttpReply {
  v2 ??= (() => {
    const doc = swaggerDocument();
    return { json: JSON.stringify(doc), protobuf: encodeSwagger(doc) };
  })();
  const wanted = (accept ?? '').split(',').map((r) => r.split(';')[0].trim().toLowerCase());
  const proto = V2_PROTOBUF.some((t) => wanted.includes(t));
  return proto ? { status: 200, contentType: V2_PROTOBUF_REPLY, body: v2.protobuf } : { status: 200, contentType: 'application/json', body: v2.json };
}

/**
 * `/openapi/v2` (Swagger 2.0, JSON or protobuf), `/openapi/v3` (the index) and `/openapi/v3/api/v1`,
 * `/openapi/v3/apis/<g>/<v>` (documents); the query string (`?hash=…`) is ignored. Undefined for paths
 * outside /openapi.
 */
export function openapiResponse(path: string, accept?: string): HttpReply | undefined {
  const clean = path.split('?')[0].replace(/\/+$/, '');
  if (clean !== '/openapi' && !clean.startsWith('/openapi/')) return undefined;
  if (clean === '/openapi/v2') return swaggerReply(accept);
  if (clean === '/openapi/v3') return jsonReply(index());
  if (clean.startsWith('/openapi/v3/')) {
    const doc = documentFor(clean.slice('/openapi/v3/'.length));
    return doc ? { status: 200, contentType: 'application/json', body: doc.body } : NOT_FOUND;
  }
  return NOT_FOUND;
}
