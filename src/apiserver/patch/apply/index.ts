// Server-side apply and managed-fields tracking, as kube-apiserver's field manager does them
// (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager over sigs.k8s.io/structured-merge-diff).
// An apply merges the configuration into the live object, owns exactly the fields it sets, drops the
// fields it owned before and no longer sets (unless someone else owns them), and fails with a 409 when it
// would change a field another manager owns, unless forced. Every other write (create, update, patch)
// records the fields it changed as owned by its manager, taking them from whoever owned them.
import { apiVersionOf, type ResourceInfo } from '../../../api/resources.ts';
import { ApiError, badRequest, fail } from '../../errors.ts';
import type { KubeObject } from '../../objects.ts';
import { rootShape, type Shape } from '../schema/shape.ts';
import { canonicalJson, FieldSet, fieldElement } from './field-set.ts';
import { conflictStatus, decodeManagedFields, encodeManagedFields, identityOf, isResetManagedFields, type Conflict, type ManagerEntry, type Managers } from './managers.ts';
import { mergeValues, removeItems } from './merge.ts';
import { compare, equalJson, isObject, toFieldSet, withNamedFieldsAsMembers, type Comparison } from './walk.ts';

export { FieldSet } from './field-set.ts';
export { parseApplyBody } from './body.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Who writes, where, and when. */
export interface FieldManagerContext {
  resource: ResourceInfo;
  /** "status" for the status endpoint; undefined for the object itself. */
  subresource?: string;
  manager: string;
  /** metav1.Time of the write. */
  time: string;
}

/** Fields no manager owns (stripMetaManager). */
const STRIPPED: readonly string[][] = [
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => ['f:metadata', fieldElement(f)]),
];

/** The set without stripped fields and without what the endpoint resets (status on the object, spec on /status). */
function ownable(set: FieldSet, ctx: FieldManagerContext): FieldSet {
  const strip = FieldSet.empty();
  for (const p of STRIPPED) strip.insert(p);
  const out = set.difference(strip);
  const reset = ctx.subresource === 'status' ? 'f:spec' : ctx.resource.subresources.includes('status') ? 'f:status' : undefined;
  if (reset) out.children.delete(reset);
  return out;
}

function filterComparison(c: Comparison, ctx: FieldManagerContext): Comparison {
  return { added: ownable(c.added, ctx), modified: ownable(c.modified, ctx), removed: ownable(c.removed, ctx) };
}

function withoutManagedFields(obj: KubeObject | undefined): Record<string, unknown> {
  if (!obj) return {};
  const metadata = { ...(obj.metadata ?? {}) } as Record<string, unknown>;
  delete metadata.managedFields;
  return { ...obj, metadata };
}

function withManagedFields(obj: Record<string, unknown>, managers: Managers): KubeObject {
  const encoded = encodeManagedFields(managers);
  const metadata = { ...((obj.metadata as Record<string, unknown> | undefined) ?? {}) };
  if (encoded.length > 0) metadata.managedFields = encoded;
  else delete metadata.managedFields;
  return { ...obj, metadata } as KubeObject;
}

function sameManagers(a: Managers, b: Managers): boolean {
  return canonicalJson(encodeManagedFields(a)) === canonicalJson(encodeManagedFields(b));
}

function cloneManagers(m: Managers): Managers {
  return new Map([...m].map(([k, v]) => [k, { ...v, set: v.set.clone() }]));
}

/**
 * Updater.update: other managers lose the fields this write changed (conflicts, returned when not forced)
 * and everyone loses the fields it removed.
 */
function takeOwnership(managers: Managers, self: string, changes: Comparison, force: boolean): Conflict[] {
  const changed = changes.modified.union(changes.added);
  const conflicts: Conflict[] = [];
  for (const [id, entry] of [...managers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (id === self) continue;
    const taken = entry.set.intersection(changed);
    if (!taken.isEmpty()) for (const path of taken.paths()) conflicts.push({ identity: id, path });
  }
  if (conflicts.length > 0 && !force) return conflicts;
  for (const [id, entry] of managers) {
    if (id === self) continue;
    const set = entry.set.difference(changed).difference(changes.removed);
    if (set.isEmpty()) managers.delete(id);
    else managers.set(id, { ...entry, set });
  }
  return [];
}

/**
 * The object an update (create, update, non-apply patch) leaves, with its manager's fields recorded.
 * `live` is undefined for a create. Objects written before any tracking stay untracked (skipNonApplied).
 */
export function recordUpdate(live: KubeObject | undefined, next: KubeObject, ctx: FieldManagerContext): KubeObject {
  const requested = next.metadata?.managedFields;
  let managers: Managers;
  if (isResetManagedFields(requested)) managers = new Map();
  else managers = (requested && requested.length > 0 ? decodeManagedFields(requested) : undefined) ?? decodeManagedFields(live?.metadata?.managedFields) ?? new Map();
  if (live !== undefined && managers.size === 0) return withManagedFields(withoutManagedFields(next), managers);

  const original = cloneManagers(managers);
  const shape = rootShape(ctx.resource.group, ctx.resource.version, ctx.resource.kind);
  const liveObj = withoutManagedFields(live);
  const nextObj = withoutManagedFields(next);
  const changes = filterComparison(compare(liveObj, nextObj, shape), ctx);
  const entry: ManagerEntry = { manager: ctx.manager, operation: 'Update', apiVersion: apiVersionOf(ctx.resource), ...(ctx.subresource ? { subresource: ctx.subresource } : {}), set: FieldSet.empty() };
  const self = identityOf(entry);
  takeOwnership(managers, self, changes, true);
  const took = changes.modified.union(changes.added);
  const previous = managers.get(self);
  if (!took.isEmpty()) {
    managers.set(self, { ...entry, time: ctx.time, set: (previous?.set ?? FieldSet.empty()).difference(changes.removed).union(took) });
  } else if (previous) {
    const set = previous.set.difference(changes.removed);
    if (set.isEmpty()) managers.delete(self);
    else managers.set(self, { ...previous, set });
  }
  if (sameManagers(managers, original) && live !== undefined) return { ...next, metadata: { ...next.metadata, managedFields: live.metadata?.managedFields } } as KubeObject;
  return withManagedFields(nextObj, managers);
}

/** The fields of the live object's last-applied-configuration, which `kubectl` may take over without conflict. */
function lastAppliedSet(live: KubeObject | undefined, shape: Shape, ctx: FieldManagerContext): FieldSet | undefined {
  const text = live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string') return undefined;
  try {
    return ownable(toFieldSet(JSON.parse(text), shape), ctx);
  } catch {
    return undefined;
  }
}

/** buildLastApplied: the configuration as JSON without the annotation itself. */
function lastAppliedOf(config: Record<string, unknown>): string {
  const copy = structuredClone(config) as KubeObject;
  const annotations = { ...(copy.metadata?.annotations ?? {}) };
  delete annotations[LAST_APPLIED_ANNOTATION];
  if (copy.metadata) {
    if (Object.keys(annotations).length > 0) copy.metadata.annotations = annotations;
    else delete copy.metadata.annotations;
  }
  return `${canonicalJson(copy)}\n`;
}

export interface ApplyOptions {
  force: boolean;
}

/**
 * The object after applying `config` as `ctx.manager` (live undefined: the object is created). Throws the
 * apply's 409 Conflict. Returns `live` itself when the apply changes nothing.
 */
export function applyConfiguration(live: KubeObject | undefined, config: KubeObject, ctx: FieldManagerContext, options: ApplyOptions): KubeObject {
  const expected = apiVersionOf(ctx.resource);
  if (config.apiVersion !== expected) {
    fail(badRequest(`Incorrect version specified in apply patch. Specified patch version: ${config.apiVersion ?? ''}, expected: ${expected}`));
  }
  if (config.metadata?.managedFields !== undefined && config.metadata.managedFields !== null) fail(badRequest('metadata.managedFields must be nil'));
  const shape = rootShape(ctx.resource.group, ctx.resource.version, ctx.resource.kind);
  let managers: Managers = decodeManagedFields(live?.metadata?.managedFields) ?? new Map();
  let liveObj = withoutManagedFields(live);
  const configObj = withoutManagedFields(config);

  if (live !== undefined && managers.size === 0) {
    // An object nobody tracked yet: its current fields belong to "before-first-apply".
    const existing = ownable(compare({}, liveObj, shape).added, ctx);
    if (!existing.isEmpty()) {
      const entry: ManagerEntry = { manager: 'before-first-apply', operation: 'Update', apiVersion: expected, time: ctx.time, set: existing };
      managers.set(identityOf(entry), entry);
    }
  }
  const original = cloneManagers(managers);

  const run = (force: boolean): { object: Record<string, unknown>; managers: Managers } => {
    const m = cloneManagers(original);
    let merged = mergeValues(liveObj, configObj, shape) as Record<string, unknown>;
    const entry: ManagerEntry = { manager: ctx.manager, operation: 'Apply', apiVersion: expected, set: ownable(toFieldSet(configObj, shape), ctx) };
    const self = identityOf(entry);
    const last = m.get(self);
    m.set(self, { ...entry, ...(last?.time ? { time: last.time } : {}) });
    if (last && !last.set.isEmpty()) merged = prune(merged, last.set, m, shape);
    const changes = filterComparison(compare(liveObj, merged, shape), ctx);
    const conflicts = takeOwnership(m, self, changes, force);
    if (conflicts.length > 0) throw new ApplyConflicts(conflicts);
    return { object: merged, managers: m };
  };

  let result: { object: Record<string, unknown>; managers: Managers };
  try {
    result = run(options.force);
  } catch (e) {
    if (!(e instanceof ApplyConflicts)) throw e;
    // lastAppliedManager: `kubectl` upgrading from client-side apply may take what the annotation lists.
    const allowed = ctx.manager === 'kubectl' ? lastAppliedSet(live, shape, ctx) : undefined;
    const remaining = allowed ? e.conflicts.filter((c) => !allowed.has(c.path)) : e.conflicts;
    if (remaining.length > 0) fail(conflictStatus(remaining));
    result = run(true);
  }
  managers = result.managers;
  liveObj = result.object;

  // lastAppliedUpdater: keep a client-side apply annotation in step with what `kubectl` applies.
  if (ctx.manager === 'kubectl' && typeof live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION] === 'string') {
    const meta = { ...(liveObj.metadata as Record<string, unknown>) };
    meta.annotations = { ...((meta.annotations as Record<string, string> | undefined) ?? {}), [LAST_APPLIED_ANNOTATION]: lastAppliedOf(configObj) };
    liveObj = { ...liveObj, metadata: meta };
  }

  if (live !== undefined && equalJson(liveObj, withoutManagedFields(live)) && sameManagers(managers, original)) return live;
  const self = identityOf({ manager: ctx.manager, operation: 'Apply', apiVersion: expected });
  managers.set(self, { ...managers.get(self)!, time: ctx.time });
  return withManagedFields(liveObj, managers);
}

class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('apply conflicts');
  }
}

/** Updater.prune: what the applier owned before, no longer sets, and nobody else owns, goes. */
function prune(merged: Record<string, unknown>, lastSet: FieldSet, managers: Managers, shape: Shape): Record<string, unknown> {
  let owned = FieldSet.empty();
  for (const e of managers.values()) owned = owned.union(e.set);
  const named = (s: FieldSet) => withNamedFieldsAsMembers(s, shape);
  const remove = named(lastSet).intersection(named(toFieldSet(merged, shape))).difference(named(owned));
  if (remove.isEmpty()) return merged;
  const pruned = removeItems(merged, remove, shape);
  return isObject(pruned) ? pruned : {};
}
