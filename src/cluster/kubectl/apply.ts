// `kubectl apply -f` (client-side apply): for every object of a multi-document manifest, GET it; if it is
// not there, POST it; otherwise send a strategic merge PATCH computed three-way from the last applied
// configuration (the `kubectl.kubernetes.io/last-applied-configuration` annotation), the new
// configuration and the live object — nothing when they already agree ("unchanged"). A 409 Conflict on the
// patch is retried after a fresh GET, as kubectl does (up to 5 times).
import { parseAllDocuments } from 'yaml';
import type { ResourceInfo } from '../../api/resources.ts';
import type { ApiResponseMessage, Status } from '../../apiserver/protocol.ts';
import { canonicalJson } from '../../api/names.ts';
import { statusOf, type Requester } from '../user-client.ts';
import { namespaceFor, qualifiedName, request, resourceForObject } from './resources.ts';
import { threeWayPatch } from './three-way-patch.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_PATCH_RETRIES = 5;

export type ManifestObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; [k: string]: unknown };
};

export interface ApplyResult {
  /** `deployment.apps/web`, or what could be made out of a bad document. */
  target: string;
  action: 'created' | 'configured' | 'unchanged' | 'failed';
  /** The request that changed the object: POST (create) or PATCH (strategic merge). */
  method?: 'POST' | 'PATCH';
  object?: ManifestObject;
  /** Why it failed, worded as kubectl prints it. */
  error?: string;
  status?: Status;
}

/** A manifest that cannot be read at all (YAML syntax), before anything is sent. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Multi-document YAML (or JSON) → objects; `kind: List` is flattened as kubectl does. */
export function parseManifest(text: string, source = 'STDIN'): ManifestObject[] {
  const objects: ManifestObject[] = [];
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return objects; // an empty stream
  documents.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      throw new ManifestError(`error: error parsing ${source}: document ${index + 1}: ${doc.errors[0].message.split('\n')[0]}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new ManifestError(`error: error parsing ${source}: document ${index + 1}: ${(error as Error).message}`);
    }
    if (value === null || value === undefined) return;
    objects.push(...flatten(value, source, index));
  });
  return objects;
}

function flatten(value: unknown, source: string, index: number): ManifestObject[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestError(`error: error parsing ${source}: document ${index + 1} is not an object`);
  }
  const obj = value as ManifestObject;
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
    return (obj.items as unknown[]).flatMap((item) => flatten(item, source, index));
  }
  return [obj];
}

export interface ApplyOptions {
  /** `-n`: the namespace of objects that name none. */
  namespace?: string;
  /** Where the manifest came from, for messages ("deploy.yaml"). */
  source?: string;
}

export function applyObjects(client: Requester, objects: readonly ManifestObject[], opts: ApplyOptions = {}): ApplyResult[] {
  return objects.map((obj) => applyOne(client, obj, opts));
}

function failed(target: string, error: string, status?: Status): ApplyResult {
  return { target, action: 'failed', error, ...(status ? { status } : {}) };
}

function applyOne(client: Requester, obj: ManifestObject, opts: ApplyOptions): ApplyResult {
  const source = opts.source ?? 'STDIN';
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    return failed('<unknown>', `error: error validating "${source}": error validating data: [apiVersion not set, kind not set]`);
  }
  const resource = resourceForObject(obj);
  if (!resource) {
    return failed(`${obj.kind}/${obj.metadata?.name ?? ''}`,
      `error: resource mapping not found for name: "${obj.metadata?.name ?? ''}" namespace: "${obj.metadata?.namespace ?? ''}" from "${source}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
  }
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') {
    return failed(`${resource.kind.toLowerCase()}/`, `error: error when retrieving current configuration of ${resource.kind} from "${source}": resource name may not be empty`);
  }
  const target = qualifiedName(resource, name);
  const fileNamespace = obj.metadata?.namespace;
  if (resource.namespaced && fileNamespace && opts.namespace && fileNamespace !== opts.namespace) {
    return failed(target, `error: the namespace from the provided object "${fileNamespace}" does not match the namespace "${opts.namespace}". You must pass '--namespace=${fileNamespace}' to perform this operation.`);
  }
  const namespace = namespaceFor(resource, fileNamespace ?? opts.namespace);
  const modified = withLastApplied(obj, namespace);
  const verb = (response: ApiResponseMessage, action: string): ApplyResult => {
    const status = statusOf(response);
    return failed(target, `Error from server${status.reason ? ` (${status.reason})` : ''}: error when ${action} "${source}": ${status.message}`, status);
  };

  for (let attempt = 0; ; attempt++) {
    const live = client.call(request(resource, 'get', { namespace, name }));
    if (live.code === 404) {
      const created = client.call(request(resource, 'create', { namespace, body: modified }));
      if (created.code >= 300) return verb(created, 'creating');
      return { target, action: 'created', method: 'POST', object: created.body as ManifestObject };
    }
    if (live.code >= 300) return verb(live, 'retrieving current configuration of');
    const current = live.body as ManifestObject;
    const original = lastApplied(current);
    const patch = threeWayPatch(original, modified, current);
    if (Object.keys(patch).length === 0) return { target, action: 'unchanged', object: current };
    const patched = client.call(request(resource, 'patch', { namespace, name, body: patch, patchType: 'application/strategic-merge-patch+json' }));
    if (patched.code === 409 && attempt < MAX_PATCH_RETRIES) continue;
    if (patched.code >= 300) return verb(patched, 'patching');
    return { target, action: 'configured', method: 'PATCH', object: patched.body as ManifestObject };
  }
}

/**
 * The object as it will be sent, with its own JSON in the last-applied annotation as kubectl records it:
 * keys sorted, the namespace filled in, `annotations` present (without the annotation itself), a newline.
 */
export function withLastApplied(obj: ManifestObject, namespace?: string): ManifestObject {
  const clean = structuredClone(obj);
  const annotations = { ...(clean.metadata?.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const metadata = { ...clean.metadata, annotations, ...(namespace !== undefined ? { namespace } : {}) };
  const recorded: ManifestObject = { ...clean, metadata };
  return { ...clean, metadata: { ...metadata, annotations: { ...annotations, [LAST_APPLIED]: `${canonicalJson(recorded)}\n` } } };
}

function lastApplied(current: ManifestObject): unknown {
  const text = current.metadata?.annotations?.[LAST_APPLIED];
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

/** What kubectl prints for one result: `deployment.apps/web created`, or the error. */
export function describeApply(result: ApplyResult): string {
  return result.action === 'failed' ? result.error ?? `${result.target} failed` : `${result.target} ${result.action}`;
}

export type { ResourceInfo };
