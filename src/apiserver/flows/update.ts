import { applyDefaults } from '../../api/index.ts';
import { semanticEqual } from '../../api/validation/object-meta.ts';
import { conflict } from '../protocol.ts';
import { decodeBody, expectedKindOf } from '../body.ts';
import { badRequest, fail } from '../errors.ts';
import { cloneJson, type KubeObject } from '../objects.ts';
import { applyPatch, checkPatchType, patchIsConditional } from '../patch/index.ts';
import { preconditionOf } from '../resource-version.ts';
import { applyFlow, trackManagedFields } from './apply.ts';
import { response, type Flow, type Scope } from './effects.ts';
import { guaranteedUpdate } from './guaranteed-update.ts';
import { admit, admitValidating, attributesOf, guardShape, validateForUpdate } from './pipeline.ts';

/**
 * PUT and PATCH of an object or of its status / finalize subresource. Both end in the same
 * read-modify-write (guaranteedUpdate): the new object is computed from the current one, so a patch is
 * re-applied to fresh state when an unconditional write loses a race.
 */

export function checkNameAndNamespace(s: Scope, obj: KubeObject): void {
  const name = obj.metadata?.name ?? '';
  if (name !== s.target.name) fail(badRequest(`the name of the object (${name}) does not match the name on the URL (${s.target.name})`));
  const namespace = obj.metadata?.namespace;
  if (s.target.namespace && namespace && namespace !== s.target.namespace) {
    fail(badRequest(`the namespace of the object (${namespace}) does not match the namespace on the request (${s.target.namespace})`));
  }
}

/** The metadata an update cannot set (rest.BeforeUpdate), taken from the stored object. */
function carrySystemMetadata(next: KubeObject, current: KubeObject): KubeObject {
  const cur = current.metadata ?? {};
  const meta = { ...next.metadata };
  meta.namespace = meta.namespace || cur.namespace;
  if (!meta.namespace) delete meta.namespace;
  if (!meta.uid) meta.uid = cur.uid;
  meta.creationTimestamp = cur.creationTimestamp;
  if (cur.deletionTimestamp) meta.deletionTimestamp = cur.deletionTimestamp;
  if (cur.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds === undefined) {
    meta.deletionGracePeriodSeconds = cur.deletionGracePeriodSeconds;
  }
  if (cur.generation !== undefined) meta.generation = cur.generation;
  else delete meta.generation;
  meta.resourceVersion = cur.resourceVersion;
  return { ...next, metadata: meta };
}

function setOrDelete(obj: KubeObject, field: string, value: unknown): KubeObject {
  const out = { ...obj };
  if (value === undefined) delete out[field];
  else out[field] = value;
  return out;
}

/** The kind's PrepareForUpdate, per endpoint: the main resource keeps the stored status, `status` changes only status. */
function prepareForUpdate(s: Scope, body: KubeObject, current: KubeObject): KubeObject {
  const { resource, subresource } = s.target;
  if (subresource === 'status') {
    // Upstream's status strategies reset spec (and labels) to the stored object but keep the request's
    // annotations: the Deployment controller records `deployment.kubernetes.io/revision` this way.
    const annotations = (body.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
    const withStatus = setOrDelete(current, 'status', body.status);
    return annotations === undefined ? withStatus : { ...withStatus, metadata: { ...(withStatus.metadata as object), annotations } };
  }
  if (subresource === 'finalize') {
    const finalizers = (body.spec as { finalizers?: unknown } | undefined)?.finalizers;
    return { ...current, spec: { ...(current.spec as object), finalizers: Array.isArray(finalizers) ? finalizers : [] } };
  }
  let next = body;
  if (resource.subresources.includes('status')) next = setOrDelete(next, 'status', current.status);
  if (resource.plural === 'namespaces' && resource.group === '') {
    // Only the finalize subresource changes a namespace's spec.finalizers.
    next = { ...next, spec: { ...(next.spec as object), finalizers: (current.spec as { finalizers?: unknown } | undefined)?.finalizers } };
  }
  return next;
}

/** Everything between "the client's version of the object" and "what is written". */
export function updatedObject(s: Scope, body: KubeObject, current: KubeObject): KubeObject {
  const precondition = preconditionOf(body.metadata?.resourceVersion);
  const { resource } = s.target;
  if (precondition !== undefined && String(precondition) !== current.metadata?.resourceVersion) {
    fail(conflict(resource.group, resource.plural, s.target.name ?? ''));
  }
  const defaulted = guardShape(body, () => applyDefaults(cloneJson(body)));
  let next = carrySystemMetadata(prepareForUpdate(s, defaulted, current), current);
  if (next.metadata?.generation !== undefined && !semanticEqual(next.spec, current.spec)) {
    next = { ...next, metadata: { ...next.metadata, generation: next.metadata.generation + 1 } };
  }
  next = admit(s, attributesOf(s, 'UPDATE', s.target.name ?? '', next, current), {});
  next = trackManagedFields(s, current, next);
  validateForUpdate(resource, current, next);
  admitValidating(s, attributesOf(s, 'UPDATE', s.target.name ?? '', next, current), {});
  return next;
}

export function* updateFlow(s: Scope): Flow {
  const body = decodeBody(s.request.body, expectedKindOf(s.target.resource));
  checkNameAndNamespace(s, body);
  const conditional = preconditionOf(body.metadata?.resourceVersion) !== undefined;
  const result = yield* guaranteedUpdate(s, s.target.key!, (current) => updatedObject(s, body, current), conditional);
  return response(200, result.object);
}

export function* patchFlow(s: Scope): Flow {
  if (s.request.patchType === 'application/apply-patch+yaml') return yield* applyFlow(s);
  const patchType = checkPatchType(s.request.patchType, s.request.query);
  const patch = s.request.body;
  const conditional = patchIsConditional(patchType, patch);
  const result = yield* guaranteedUpdate(s, s.target.key!, (current) => {
    const patched = decodeBody(applyPatch(patchType, cloneJson(current), patch), expectedKindOf(s.target.resource));
    checkNameAndNamespace(s, patched);
    return updatedObject(s, patched, current);
  }, conditional);
  return response(200, result.object);
}
