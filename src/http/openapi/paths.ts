// The REST operations of one group/version as OpenAPI path items, with the operation ids, actions and
// group-version-kind extensions kube-apiserver's installer emits. kubectl reads them to decide whether the
// server validates fields itself (a PATCH operation of the kind with a `fieldValidation` parameter) and
// whether it can build strategic merge patches from the schema.
import type { ResourceInfo } from '../../api/resources.ts';
import { schemaName, type Schema } from './schemas.ts';
import { moduleOf } from '../../apiserver/patch/schema/type-catalog.ts';

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema }, 'application/yaml': { schema }, 'application/vnd.kubernetes.protobuf': { schema } });

function query(name: string, description: string, type: 'string' | 'boolean' | 'integer' = 'string'): Schema {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const DRY_RUN = query('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed');
const FIELD_MANAGER = query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.');
const FIELD_VALIDATION = query('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.');
const FORCE = query('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', 'boolean');
const LIST_PARAMS = [
  query('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  query('continue', 'The continue option should be set when retrieving more results from the server.'),
  query('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  query('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  query('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  query('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  query('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  query('sendInitialEvents', 'sendInitialEvents=true may be set together with watch=true.', 'boolean'),
  query('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  query('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
];
const DELETE_PARAMS = [
  DRY_RUN,
  query('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  query('propagationPolicy', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Dependents', 'Background', 'Foreground'."),
];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

const pathParam = (name: string, description: string): Schema => ({ name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } });
const NAME = (kind: string) => pathParam('name', `name of the ${kind}`);
const NAMESPACE = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
const PRETTY = query('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).");

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "" → "CoreV1", "events.k8s.io" → "EventsV1", as operation ids and tags spell the group. */
function groupVersionId(group: string, version: string): string {
  const name = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
  return `${pascal(name)}${pascal(version)}`;
}

function tagOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\./g, '_')}_${version}`;
}

function operation(action: string, verb: string, id: string, description: string, gvk: Gvk, tag: string, extra: Schema): Schema {
  return {
    tags: [tag],
    description,
    operationId: `${verb}${id}`,
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  };
}

function ok(schema: Schema, codes: string[] = ['200']): Schema {
  return Object.fromEntries([...codes.map((c) => [c, { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: json(schema) }]), ['401', { description: 'Unauthorized' }]]);
}

/** The path items of one resource (its collection, its items and its status/scale subresources). */
export function resourcePaths(r: ResourceInfo): Record<string, Schema> {
  const prefix = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const module = moduleOf(r.group, r.version);
  const gvk: Gvk = { group: r.group, version: r.version, kind: r.kind };
  const tag = tagOf(r.group, r.version);
  const scope = r.namespaced ? 'Namespaced' : '';
  const id = `${groupVersionId(r.group, r.version)}${scope}${r.kind}`;
  const object = ref(schemaName(module, r.kind));
  const list = ref(schemaName(module, `${r.kind}List`));
  const status = ref(schemaName('meta/v1', 'Status'));
  const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const item = `${collection}/{name}`;
  const scopeParams = r.namespaced ? [NAMESPACE, PRETTY] : [PRETTY];
  const body = (schema: Schema) => ({ requestBody: { content: { '*/*': { schema } }, required: true } });
  const verbs = new Set(r.verbs);
  const paths: Record<string, Schema> = {};

  const coll: Schema = { parameters: scopeParams };
  if (verbs.has('list')) coll.get = operation('list', 'list', id, `list or watch objects of kind ${r.kind}`, gvk, tag, { parameters: LIST_PARAMS, responses: ok(list) });
  if (verbs.has('create')) coll.post = operation('post', 'create', id, `create a ${r.kind}`, gvk, tag, { parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], ...body(object), responses: ok(object, ['200', '201', '202']) });
  if (verbs.has('deletecollection')) coll.delete = operation('deletecollection', 'deleteCollection', id, `delete collection of ${r.kind}`, gvk, tag, { parameters: [...DELETE_PARAMS, ...LIST_PARAMS], responses: ok(status) });
  paths[collection] = coll;

  const one: Schema = { parameters: [NAME(r.kind), ...scopeParams] };
  if (verbs.has('get')) one.get = operation('get', 'read', id, `read the specified ${r.kind}`, gvk, tag, { responses: ok(object) });
  if (verbs.has('update')) one.put = operation('put', 'replace', id, `replace the specified ${r.kind}`, gvk, tag, { parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], ...body(object), responses: ok(object, ['200', '201']) });
  if (verbs.has('patch')) one.patch = patchOperation(id, r.kind, gvk, tag, object);
  if (verbs.has('delete')) one.delete = operation('delete', 'delete', id, `delete a ${r.kind}`, gvk, tag, { parameters: DELETE_PARAMS, responses: ok(status, ['200', '202']) });
  paths[item] = one;

  if (r.namespaced && verbs.has('list')) {
    paths[`${prefix}/${r.plural}`] = { parameters: [PRETTY], get: operation('list', 'list', `${groupVersionId(r.group, r.version)}${r.kind}ForAllNamespaces`, `list or watch objects of kind ${r.kind}`, gvk, tag, { parameters: LIST_PARAMS, responses: ok(list) }) };
  }
  for (const sub of r.subresources) {
    if (sub !== 'status' && sub !== 'scale') continue;
    const subGvk: Gvk = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
    const subObject = sub === 'scale' ? ref(schemaName('autoscaling/v1', 'Scale')) : object;
    const subId = `${id}${pascal(sub)}`;
    paths[`${item}/${sub}`] = {
      parameters: [pathParam('name', `name of the ${sub === 'scale' ? 'Scale' : r.kind}`), ...scopeParams],
      get: operation('get', 'read', subId, `read ${sub} of the specified ${r.kind}`, subGvk, tag, { responses: ok(subObject) }),
      put: operation('put', 'replace', subId, `replace ${sub} of the specified ${r.kind}`, subGvk, tag, { parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], ...body(subObject), responses: ok(subObject, ['200', '201']) }),
      patch: patchOperation(subId, r.kind, subGvk, tag, subObject, sub),
    };
  }
  return paths;
}

function patchOperation(id: string, kind: string, gvk: Gvk, tag: string, object: Schema, sub?: string): Schema {
  const patch = ref(schemaName('meta/v1', 'Patch'));
  return operation('patch', 'patch', id, `partially update ${sub ? `${sub} of ` : ''}the specified ${kind}`, gvk, tag, {
    parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
    requestBody: { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: patch }])), required: true },
    responses: ok(object, ['200', '201']),
  });
}
