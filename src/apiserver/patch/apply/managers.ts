// metadata.managedFields as the field manager keeps it: one entry per manager identity (manager name,
// operation, and for updates the API version and subresource), each owning a set of fields.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { statusError, type Status } from '../../protocol.ts';
import { FieldSet, pathString } from './field-set.ts';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Entries by identity (BuildManagerIdentifier), in a Map so iteration is deterministic. */
export type Managers = Map<string, ManagerEntry>;

/** BuildManagerIdentifier: the entry without fields and time; appliers without their API version. */
export function identityOf(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({
    ...(e.manager ? { manager: e.manager } : {}),
    operation: e.operation,
    ...(e.operation === 'Update' && e.apiVersion ? { apiVersion: e.apiVersion } : {}),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  });
}

/** printManager: `"kubectl"`, or `"kube-controller-manager" with subresource "status" using apps/v1`. */
export function describeManager(identity: string): string {
  let e: Partial<ManagerEntry>;
  try {
    e = JSON.parse(identity) as Partial<ManagerEntry>;
  } catch {
    return JSON.stringify(identity);
  }
  let text = JSON.stringify(e.manager ?? '');
  if (e.subresource) text += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') text += ` using ${e.apiVersion ?? ''}`;
  return text;
}

/** DecodeManagedFields; undefined when the list is malformed (then the live object's are used). */
export function decodeManagedFields(raw: unknown): Managers | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: Managers = new Map();
  for (const item of raw) {
    if (typeof item !== 'object' || item === null) return undefined;
    const e = item as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') return undefined;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') return undefined;
    const entry: ManagerEntry = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion ?? '',
      ...(e.subresource ? { subresource: e.subresource } : {}),
      ...(e.time ? { time: e.time } : {}),
      set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}),
    };
    const id = identityOf(entry);
    const prev = out.get(id);
    out.set(id, prev ? { ...entry, set: prev.set.union(entry.set) } : entry);
  }
  return out;
}

/** `[]` or `[{}]` in a request resets the managed fields (isResetManagedFields). */
export function isResetManagedFields(raw: unknown): boolean {
  if (!Array.isArray(raw)) return false;
  if (raw.length === 0) return true;
  return raw.length === 1 && typeof raw[0] === 'object' && raw[0] !== null && Object.keys(raw[0]).length === 0;
}

/** The sorted entries (appliers first, then by time, manager, API version, subresource). */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const entries = [...managers.values()].filter((e) => !e.set.isEmpty());
  entries.sort((p, q) => cmp(p.operation, q.operation) || cmp(p.time ?? '', q.time ?? '') || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''));
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    ...(e.time ? { time: e.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: e.set.toFieldsV1(),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Conflict {
  identity: string;
  path: string[];
}

/** The 409 an apply with conflicts gets (NewConflictError / getConflictMessage). */
export function conflictStatus(conflicts: readonly Conflict[]): Status {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.identity)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].identity)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.identity, [...(byManager.get(c.identity) ?? []), pathString(c.path)]);
    const lines: string[] = [];
    for (const id of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${describeManager(id)}:`);
      for (const p of byManager.get(id)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  const status = statusError('Conflict', message, { causes });
  return status;
}
