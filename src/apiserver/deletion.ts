import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ResourceInfo } from '../api/index.ts';
import { parseTimestamp, rfc3339 } from '../kubelet/format.ts';
import type { ApiQuery } from './protocol.ts';
import { isPlainObject, type KubeObject } from './objects.ts';

/**
 * The deletion rules of registry.Store.Delete / rest.BeforeDelete, as a pure decision over the stored
 * object: delete it now, write it back marked as being deleted (graceful pods, pending finalizers), or
 * leave it alone (its deletion is already under way).
 */

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

export type DeletionPlan =
  | { action: 'delete' }
  /** Write `object`; delete it right after when `thenDelete` (a graceless delete of a graceful kind). */
  | { action: 'update'; object: KubeObject; thenDelete: boolean }
  | { action: 'pending' };

/** Query parameters win over the DeleteOptions body, as the handler merges them. */
export function deleteOptionsOf(query: ApiQuery | undefined, body: unknown): DeleteOptions {
  const b = isPlainObject(body) ? body : {};
  const grace = query?.gracePeriodSeconds ?? b.gracePeriodSeconds;
  const policy = query?.propagationPolicy ?? b.propagationPolicy;
  const pre = isPlainObject(b.preconditions) ? b.preconditions : undefined;
  return {
    ...(typeof grace === 'number' && Number.isFinite(grace) ? { gracePeriodSeconds: Math.trunc(grace) } : {}),
    ...(policy === 'Orphan' || policy === 'Background' || policy === 'Foreground' ? { propagationPolicy: policy } : {}),
    ...(pre ? { preconditions: { uid: typeof pre.uid === 'string' ? pre.uid : undefined, resourceVersion: typeof pre.resourceVersion === 'string' ? pre.resourceVersion : undefined } } : {}),
  };
}

/** Precondition failure text, or undefined when they hold. */
export function preconditionFailure(obj: KubeObject, options: DeleteOptions): string | undefined {
  const p = options.preconditions;
  const meta = obj.metadata ?? {};
  if (p?.uid !== undefined && p.uid !== meta.uid) return `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${meta.uid ?? ''}`;
  if (p?.resourceVersion !== undefined && p.resourceVersion !== meta.resourceVersion) {
    return `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`;
  }
  return undefined;
}

/** deletionFinalizersForGarbageCollection: the propagation policy as the orphan/foregroundDeletion finalizers. */
function finalizersFor(current: readonly string[], policy: DeleteOptions['propagationPolicy']): string[] {
  if (policy === undefined) return [...current];
  const rest = current.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
  if (policy === 'Orphan') return [...rest, 'orphan'];
  if (policy === 'Foreground') return [...rest, 'foregroundDeletion'];
  return rest;
}

function isPods(resource: ResourceInfo): boolean {
  return resource.plural === 'pods' && resource.group === '';
}

/** The pod strategy's CheckGracefulDelete: the grace period a pod deletion gets. */
function podGracePeriod(pod: Pod, requested: number | undefined): number {
  let period = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 0;
  if (!pod.spec?.nodeName) period = 0; // never scheduled: nothing to stop
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') period = 0;
  return period < 0 ? 1 : period;
}

function bumpGeneration(meta: { generation?: number }): void {
  if ((meta.generation ?? 0) > 0) meta.generation = meta.generation! + 1;
}

export function planDeletion(resource: ResourceInfo, obj: KubeObject, options: DeleteOptions, now: number): DeletionPlan {
  const meta = { ...obj.metadata };
  const graceful = isPods(resource);
  if (meta.deletionTimestamp) {
    const current = meta.deletionGracePeriodSeconds ?? 0;
    if (graceful && current > 0) {
      const requested = options.gracePeriodSeconds;
      if (requested === undefined || requested >= current) return { action: 'pending' };
      // Only a shorter grace period may be asked for; the deadline moves accordingly.
      const started = parseTimestamp(meta.deletionTimestamp) - current * 1000;
      meta.deletionTimestamp = rfc3339(Math.max(0, started + requested * 1000));
      meta.deletionGracePeriodSeconds = requested;
      return { action: 'update', object: { ...obj, metadata: meta }, thenDelete: requested === 0 && (meta.finalizers ?? []).length === 0 };
    }
    return (meta.finalizers ?? []).length > 0 ? { action: 'pending' } : { action: 'delete' };
  }
  meta.finalizers = finalizersFor(meta.finalizers ?? [], options.propagationPolicy);
  if (meta.finalizers.length === 0) delete meta.finalizers;
  const pendingFinalizers = (meta.finalizers ?? []).length > 0;
  if (graceful) {
    const period = podGracePeriod(obj as Pod, options.gracePeriodSeconds);
    meta.deletionTimestamp = rfc3339(now + period * 1000);
    meta.deletionGracePeriodSeconds = period;
    bumpGeneration(meta);
    return { action: 'update', object: { ...obj, metadata: meta }, thenDelete: period === 0 && !pendingFinalizers };
  }
  if (!pendingFinalizers) return { action: 'delete' };
  // markAsDeleting: the finalizers' owners see deletionTimestamp and finish the job.
  bumpGeneration(meta);
  meta.deletionTimestamp = rfc3339(now);
  meta.deletionGracePeriodSeconds = 0;
  return { action: 'update', object: { ...obj, metadata: meta }, thenDelete: false };
}

/** The namespace REST's first delete: Terminating, and wait for the namespace controller to finalize it. */
export function planNamespaceTermination(ns: KubeObject, options: DeleteOptions, now: number): DeletionPlan | undefined {
  const meta = { ...ns.metadata };
  if (meta.deletionTimestamp) {
    const specFinalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    return specFinalizers.length > 0 ? { action: 'pending' } : undefined;
  }
  meta.deletionTimestamp = rfc3339(now);
  meta.finalizers = finalizersFor(meta.finalizers ?? [], options.propagationPolicy);
  if (meta.finalizers.length === 0) delete meta.finalizers;
  const status = { ...(ns.status as object | undefined), phase: 'Terminating' };
  return { action: 'update', object: { ...ns, metadata: meta, status }, thenDelete: false };
}
