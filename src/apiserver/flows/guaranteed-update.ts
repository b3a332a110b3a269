import { conflict, notFound } from '../protocol.ts';
import { fail } from '../errors.ts';
import { decodeFromStorage, encodeForStorage, type KubeObject } from '../objects.ts';
import { isDryRun, type Effect, type Scope } from './effects.ts';
import { deleteKey, readKey, storageError, updateKey } from './storage.ts';
import { beginServiceUpdateAllocation, commitServiceUpdate } from '../allocators/flow.ts';

/** How many times an unconditional update is retried after losing a race (upstream retries until it wins). */
const MAX_ATTEMPTS = 8;

export interface UpdateOutcome {
  object: KubeObject;
  /** The update removed the last finalizer of an object being deleted, so it was deleted. */
  deleted: boolean;
  /** Nothing changed: no write, the stored object is returned as it is. */
  unchanged: boolean;
}

/**
 * storage.GuaranteedUpdate: read the current object, compute the new one, write it if the key has not
 * changed since the read (Txn on MOD). Losing the race is a 409 when the caller is conditional (it named a
 * resourceVersion), else the update is recomputed on the fresh object. A no-op update writes nothing.
 * Then registry.Store's shouldDeleteDuringUpdate: the last finalizer removed from an object whose
 * deletion is not waiting on a grace period deletes it.
 */
export function* guaranteedUpdate(
  s: Scope,
  key: string,
  mutate: (current: KubeObject) => KubeObject,
  conditional: boolean,
): Generator<Effect, UpdateOutcome, unknown> {
  const { resource } = s.target;
  const name = s.target.name ?? '';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const kv = yield* readKey(key);
    if (!kv) fail(notFound(resource.group, resource.plural, name));
    const current = decodeFromStorage(kv.value, kv.modRevision);
    if (!current) fail(storageError(`unable to decode the stored ${resource.kind} ${name}`));
    let next = mutate(current);
    // Services: node ports / a cluster IP the update needs (upstream's BeginUpdate), committed with the write.
    const allocation = yield* beginServiceUpdateAllocation(s, current, next);
    if (allocation) next = allocation.object;
    const value = encodeForStorage(next);
    if (value === encodeForStorage(current)) return { object: current, deleted: false, unchanged: true };
    if (isDryRun(s)) return { object: next, deleted: false, unchanged: false };
    let revision: number | undefined;
    if (allocation) {
      const written = yield* commitServiceUpdate(key, value, kv.modRevision, allocation);
      if ('lost' in written && written.lost === 'range') continue; // another allocation got in first: re-plan
      revision = 'revision' in written ? written.revision : undefined;
    } else {
      revision = yield* updateKey(key, value, kv.modRevision);
    }
    if (revision === undefined) {
      if (conditional) fail(conflict(resource.group, resource.plural, name));
      continue;
    }
    const stored: KubeObject = { ...next, metadata: { ...next.metadata, resourceVersion: String(revision) } };
    if (shouldDeleteDuringUpdate(current, stored)) {
      const deletedAt = yield* deleteKey(key, revision);
      return { object: stored, deleted: deletedAt !== undefined, unchanged: false };
    }
    return { object: stored, deleted: false, unchanged: false };
  }
  fail(conflict(resource.group, resource.plural, name));
}

export function shouldDeleteDuringUpdate(old: KubeObject, next: KubeObject): boolean {
  const o = old.metadata ?? {};
  const n = next.metadata ?? {};
  if ((n.finalizers ?? []).length > 0 || (o.finalizers ?? []).length === 0 || !o.deletionTimestamp) return false;
  // A pod still in its grace period is removed by its kubelet's final delete, not by losing a finalizer.
  return (n.deletionGracePeriodSeconds ?? 0) === 0;
}
