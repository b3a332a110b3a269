// The OpenAPI v3 documents kube-apiserver serves: the index at /openapi/v3 and one document per
// group/version, generated from the kubernetes-types declarations of the kinds this model serves. They are
// what `kubectl explain` reads, and what kubectl's default validation checks to leave field validation to
// the server (`fieldValidation=Strict`).
import { createHash } from 'node:crypto';
import { RESOURCES } from '../../api/resources.ts';
import { jsonReply, type HttpReply } from '../reply.ts';
import { resourcePaths } from './paths.ts';
import { schemasFor, type Schema } from './schemas.ts';
import { moduleOf } from '../../apiserver/patch/schema/type-catalog.ts';

export { strictDecodingMessage, unknownFields } from './unknown-fields.ts';

interface GroupVersion {
  group: string;
  version: string;
}

/** "api/v1", "apis/apps/v1": the index keys and URL suffixes. */
function gvPath(gv: GroupVersion): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function servedGroupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of RESOURCES) seen.set(gvPath(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** Kinds a group/version's operations name besides its resources (subresource bodies, errors). */
function extraRoots(gv: GroupVersion): { module: string; name: string }[] {
  const extra = [{ module: 'meta/v1', name: 'Status' }, { module: 'meta/v1', name: 'DeleteOptions' }, { module: 'meta/v1', name: 'Patch' }];
  const resources = RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version);
  if (resources.some((r) => r.subresources.includes('scale'))) extra.push({ module: 'autoscaling/v1', name: 'Scale' });
  if (resources.some((r) => r.subresources.includes('eviction'))) extra.push({ module: 'policy/v1', name: 'Eviction' });
  if (resources.some((r) => r.subresources.includes('binding'))) extra.push({ module: 'core/v1', name: 'Binding' });
  return extra;
}

function buildDocument(gv: GroupVersion): object {
  const resources = RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version);
  const module = moduleOf(gv.group, gv.version);
  const roots = resources.flatMap((r) => [{ module, name: r.kind }, { module, name: `${r.kind}List` }]);
  const paths: Record<string, Schema> = {};
  for (const r of resources) Object.assign(paths, resourcePaths(r));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.30.0' },
    paths,
    components: {
      schemas: schemasFor([...roots, ...extraRoots(gv)]),
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
 * `/openapi/v3` (the index) and `/openapi/v3/api/v1`, `/openapi/v3/apis/<g>/<v>` (documents); the query
 * string (`?hash=…`) is ignored. Undefined for paths outside /openapi; `/openapi/v2` is not served (404).
 */
export function openapiResponse(path: string): HttpReply | undefined {
  const clean = path.split('?')[0].replace(/\/+$/, '');
  if (clean !== '/openapi' && !clean.startsWith('/openapi/')) return undefined;
  if (clean === '/openapi/v3') return jsonReply(index());
  if (clean.startsWith('/openapi/v3/')) {
    const doc = documentFor(clean.slice('/openapi/v3/'.length));
    return doc ? { status: 200, contentType: 'application/json', body: doc.body } : NOT_FOUND;
  }
  return NOT_FOUND;
}
