import { applyDefaults, generateName, keyFor, prepareForCreate } from '../../api/index.ts';
import { rfc3339 } from '../../kubelet/format.ts';
import { alreadyExists, statusError } from '../protocol.ts';
import { decodeBody, expectedKindOf } from '../body.ts';
import { badRequest, fail } from '../errors.ts';
import { encodeForStorage, type KubeObject } from '../objects.ts';
import { trackManagedFields } from './apply.ts';
import { isDryRun, response, type Flow, type Scope } from './effects.ts';
import { admit, admitValidating, attributesOf, guardShape, lookupNamespace, validateForCreate } from './pipeline.ts';
import { createKey, readKey, storageError } from './storage.ts';
import { beginServiceAllocation, commitServiceCreate } from '../allocators/flow.ts';

/**
 * POST a collection: decode and default → mutating admission → BeforeCreate (system metadata, generated
 * name, the kind's PrepareForCreate) → validation → validating admission → etcd create-if-absent.
 */
export function* createFlow(s: Scope): Flow {
  const { resource } = s.target;
  let obj = decodeBody(s.request.body, expectedKindOf(resource));
  obj = placeInNamespace(s, obj);
  obj = guardShape(obj, () => applyDefaults(obj));

  const lookups = { namespace: yield* lookupNamespace(s) };
  obj = admit(s, attributesOf(s, 'CREATE', obj.metadata?.name ?? '', obj), lookups);
  obj = beforeCreate(s, obj);
  obj = trackManagedFields(s, undefined, obj);
  // Services: cluster IP and node ports (upstream's BeginCreate hook), committed with the object below.
  const allocation = yield* beginServiceAllocation(s, obj);
  if (allocation) obj = allocation.object;
  validateForCreate(resource, obj);
  admitValidating(s, attributesOf(s, 'CREATE', obj.metadata?.name ?? '', obj), lookups);

  const name = obj.metadata!.name!;
  const key = keyFor(resource, s.target.namespace, name);
  if (isDryRun(s)) {
    if (yield* readKey(key)) fail(alreadyExists(resource.group, resource.plural, name));
    return response(201, obj);
  }
  const result = allocation ? yield* commitServiceCreate(s, key, obj, allocation) : yield* createKey(key, encodeForStorage(obj));
  if (!result.created) {
    if (s.request.body && (s.request.body as KubeObject).metadata?.generateName && !(s.request.body as KubeObject).metadata?.name) {
      const qualified = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
      fail(statusError('AlreadyExists', `${qualified} "${name}" already exists, the server was not able to generate a unique name for the object`, {
        name, group: resource.group, kind: resource.plural, retryAfterSeconds: 1,
      }));
    }
    fail(alreadyExists(resource.group, resource.plural, name));
  }
  if ('object' in result) obj = result.object as KubeObject;
  return response(201, { ...obj, metadata: { ...obj.metadata, resourceVersion: String(result.revision) } });
}

function placeInNamespace(s: Scope, obj: KubeObject): KubeObject {
  const bodyNamespace = obj.metadata?.namespace;
  if (s.target.resource.namespaced) {
    if (bodyNamespace && bodyNamespace !== s.target.namespace) {
      fail(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
    }
    return { ...obj, metadata: { ...obj.metadata, namespace: s.target.namespace } };
  }
  if (bodyNamespace === undefined) return obj;
  // Cluster-scoped objects have no namespace (rest.BeforeCreate clears it).
  const metadata = { ...obj.metadata };
  delete metadata.namespace;
  return { ...obj, metadata };
}

/** rest.BeforeCreate: no client-set deletion state, a generated name, uid and creation time, then the strategy. */
function beforeCreate(s: Scope, input: KubeObject): KubeObject {
  const meta = { ...input.metadata };
  if (meta.resourceVersion) fail(storageError('resourceVersion should not be set on objects to be created'));
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName, () => s.env.random());
  meta.uid = s.env.uuid();
  meta.creationTimestamp = rfc3339(s.env.now());
  const obj = { ...input, metadata: meta };
  return guardShape(obj, () => prepareForCreate(obj));
}
