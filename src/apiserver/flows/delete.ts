import { conflict, notFound } from '../protocol.ts';
import { decodeBody } from '../body.ts';
import { ApiError, badRequest, conflictBecause, fail, success } from '../errors.ts';
import { planDeletion, planNamespaceTermination, deleteOptionsOf, preconditionFailure, type DeleteOptions } from '../deletion.ts';
import { decodeFromStorage, encodeForStorage, type KubeObject } from '../objects.ts';
import { apiVersionOf, listKindOf } from '../resources.ts';
import { compileFilter } from '../selectors.ts';
import { isDryRun, response, type Effect, type Flow, type Scope } from './effects.ts';
import { admitValidating, attributesOf } from './pipeline.ts';
import { deleteKey, rangeResult, readKey, readRange, storageError, updateKey } from './storage.ts';

const MAX_ATTEMPTS = 8;

export interface DeleteOutcome {
  /** Gone from etcd; false when it is kept, marked as being deleted. */
  deleted: boolean;
  object: KubeObject;
}

/**
 * Delete one object: preconditions, then the plan (delete now, mark as deleting, or nothing to do), each
 * write conditional on the object not having changed since it was read (a lost race re-reads and re-plans).
 */
export function* deleteOne(s: Scope, key: string, name: string, options: DeleteOptions): Generator<Effect, DeleteOutcome, unknown> {
  const { resource } = s.target;
  admitValidating(s, attributesOf(s, 'DELETE', name), {});
  const isNamespace = resource.plural === 'namespaces' && resource.group === '';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const kv = yield* readKey(key);
    if (!kv) fail(notFound(resource.group, resource.plural, name));
    const current = decodeFromStorage(kv.value, kv.modRevision);
    if (!current) fail(storageError(`unable to decode the stored ${resource.kind} ${name}`));
    const failed = preconditionFailure(current, options);
    if (failed) fail(conflictBecause(resource.group, resource.plural, name, failed));
    const now = s.env.now();
    const plan = (isNamespace ? planNamespaceTermination(current, options, now) : undefined) ?? planDeletion(resource, current, options, now);
    if (plan.action === 'pending') return { deleted: false, object: current };
    if (isDryRun(s)) {
      return plan.action === 'delete' ? { deleted: true, object: current } : { deleted: plan.thenDelete, object: plan.object };
    }
    if (plan.action === 'delete') {
      if ((yield* deleteKey(key, kv.modRevision)) !== undefined) return { deleted: true, object: current };
      continue;
    }
    const revision = yield* updateKey(key, encodeForStorage(plan.object), kv.modRevision);
    if (revision === undefined) continue;
    const stored: KubeObject = { ...plan.object, metadata: { ...plan.object.metadata, resourceVersion: String(revision) } };
    if (!plan.thenDelete) return { deleted: false, object: stored };
    if ((yield* deleteKey(key, revision)) !== undefined) return { deleted: true, object: stored };
  }
  fail(conflict(resource.group, resource.plural, name));
}

/** What DELETE answers: the object when it is kept or for kinds returning it (pods), else a Success Status. */
function deleteResponse(s: Scope, outcome: DeleteOutcome): unknown {
  const { resource } = s.target;
  if (!outcome.deleted || (resource.plural === 'pods' && resource.group === '')) return outcome.object;
  const meta = outcome.object.metadata ?? {};
  return success(200, { name: meta.name, group: resource.group, kind: resource.plural, uid: meta.uid });
}

export function* deleteFlow(s: Scope): Flow {
  const options = deleteOptionsOf(s.request.query, s.request.body);
  const outcome = yield* deleteOne(s, s.target.key!, s.target.name!, options);
  return response(200, deleteResponse(s, outcome));
}

/** DELETE a collection: a consistent list, then each match deleted as DELETE would (already gone is fine). */
export function* deleteCollectionFlow(s: Scope): Flow {
  const { resource, scopePrefix } = s.target;
  const filter = compileFilter(resource, s.request.query);
  const options = deleteOptionsOf(s.request.query, s.request.body);
  const listed = rangeResult(yield* readRange(scopePrefix, scopePrefix, 0));
  const deleted: KubeObject[] = [];
  for (const kv of listed.kvs) {
    const obj = decodeFromStorage(kv.value, kv.modRevision);
    if (!obj || !filter.matches(obj)) continue;
    try {
      deleted.push((yield* deleteOne(s, kv.key, obj.metadata?.name ?? '', { ...options, preconditions: undefined })).object);
    } catch (e) {
      if (!(e instanceof ApiError && e.status.code === 404)) throw e;
    }
  }
  return response(200, {
    kind: listKindOf(resource), apiVersion: apiVersionOf(resource), metadata: { resourceVersion: String(listed.header.revision) }, items: deleted,
  });
}

/** POST pods/x/eviction: a policy/v1 Eviction deletes the pod (PodDisruptionBudgets are not modelled). */
export function* evictionFlow(s: Scope): Flow {
  const eviction = decodeBody(s.request.body, { kind: 'Eviction', apiVersions: ['policy/v1', 'policy/v1beta1'] });
  if (eviction.metadata?.name !== s.target.name) fail(badRequest('name in URL does not match name in Eviction object'));
  yield* deleteOne(s, s.target.key!, s.target.name!, deleteOptionsOf(undefined, eviction.deleteOptions));
  return response(201, success(201));
}
