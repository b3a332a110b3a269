import { isPlainObject } from '../objects.ts';

/**
 * Strategic merge patch (application/strategic-merge-patch+json) for the common cases, without the
 * OpenAPI schema upstream reads its strategies from: the merge keys below are keyed by field name (with
 * the container/service distinction for `ports`). Supported: recursive map merge, `null` deletes, lists
 * merged by key, `$patch: replace|delete` in maps and list items, `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` (the order kubectl's three-way patches
 * ask for: patch items in that order, server-only items kept where they were relative to them), and the
 * merged primitive list `finalizers`. Lists without a merge key are replaced, as upstream does for fields
 * without a patch strategy (e.g. tolerations).
 */
export class StrategicPatchError extends Error {}

const NAME_KEYED = new Set(['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'imagePullSecrets', 'env', 'resourceClaims']);
const MERGE_KEYS: Readonly<Record<string, string>> = {
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  addresses: 'type',
  podIPs: 'ip',
  hostIPs: 'ip',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
};
/** Primitive lists with patchStrategy "merge". */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(path: readonly string[], field: string): string | undefined {
  if (NAME_KEYED.has(field)) return 'name';
  // Container ports merge on containerPort; a Service's on port.
  if (field === 'ports') return path.includes('containers') || path.includes('initContainers') ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

function goType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** A patch value as plain data: directives removed. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => !(isPlainObject(v) && v.$patch !== undefined && Object.keys(v).length === 1)).map(strip);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = strip(v);
  return out;
}

function mergeList(original: unknown[], patch: unknown[], key: string, path: readonly string[]): unknown[] {
  if (patch.some((p) => isPlainObject(p) && p.$patch === 'replace')) return strip(patch) as unknown[];
  const result = [...original];
  for (const item of patch) {
    if (!isPlainObject(item) || !(key in item)) {
      result.push(strip(item));
      continue;
    }
    const index = result.findIndex((o) => isPlainObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = mergeMap(result[index] as Record<string, unknown>, item, path);
    } else {
      result.push(strip(item));
    }
  }
  return result;
}

const SET_ELEMENT_ORDER = '$setElementOrder/';

/** Position of `item` in `list`: by merge key for maps, by value for primitives (-1 when absent). */
function indexIn(list: readonly unknown[], item: unknown, key: string | undefined): number {
  if (key === undefined) return list.findIndex((x) => x === item);
  if (!isPlainObject(item)) return -1;
  return list.findIndex((x) => isPlainObject(x) && x[key] === item[key]);
}

/** normalizeSliceOrder: `items` sorted by their position in `order` (stable; unknown ones last). */
function sortByOrder(items: unknown[], order: readonly unknown[], key: string | undefined): unknown[] {
  const rank = (x: unknown) => {
    const i = indexIn(order, x, key);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return items.map((x, i) => ({ x, i, r: rank(x) })).sort((a, b) => a.r - b.r || a.i - b.i).map((e) => e.x);
}

/**
 * mergeSortedSlice: interleaves server-only items (`left`) into the patch-ordered ones (`right`), each
 * keeping its relative order; where both sides are in the live list, the live order decides.
 */
function mergeSorted(left: unknown[], right: unknown[], serverOrder: readonly unknown[], key: string | undefined): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], key);
      const ri = indexIn(serverOrder, right[j], key);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * mergePatchIntoOriginal: merges each list that has a `$setElementOrder/<field>` directive and puts it in
 * the requested order. Returns the fields it handled.
 */
function applyElementOrders(result: Record<string, unknown>, patch: Record<string, unknown>, path: readonly string[]): Set<string> {
  const handled = new Set<string>();
  for (const [directive, order] of Object.entries(patch)) {
    if (!directive.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!Array.isArray(order)) throw new StrategicPatchError(`invalid type for ${directive}: expected a list`);
    const field = directive.slice(SET_ELEMENT_ORDER.length);
    const original = Array.isArray(result[field]) ? (result[field] as unknown[]) : undefined;
    const patchList = patch[field];
    if (patchList === null || (patchList !== undefined && !Array.isArray(patchList))) continue;
    const key = mergeKeyFor(path, field);
    let merged: unknown[];
    if (original && patchList === undefined) merged = original;
    else if (!original && patchList !== undefined) merged = strip(patchList) as unknown[];
    else if (original && patchList !== undefined) {
      if (key !== undefined) merged = mergeList(original, patchList, key, [...path, field]);
      else if (MERGED_PRIMITIVE_LISTS.has(field)) merged = [...original, ...patchList.filter((v) => !original.includes(v))];
      else merged = strip(patchList) as unknown[];
    } else continue;
    const inPatch = merged.filter((x) => indexIn(order, x, key) >= 0);
    const serverOnly = merged.filter((x) => indexIn(order, x, key) < 0);
    result[field] = mergeSorted(sortByOrder(serverOnly, original ?? [], key), sortByOrder(inPatch, order, key), original ?? [], key);
    handled.add(field);
  }
  return handled;
}

function mergeMap(original: Record<string, unknown>, patch: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  if (patch.$patch === 'replace') return strip(patch) as Record<string, unknown>;
  const result: Record<string, unknown> = { ...original };
  const ordered = applyElementOrders(result, patch, path);
  for (const [field, value] of Object.entries(patch)) {
    if (field === '$patch' || field === '$retainKeys' || field.startsWith(SET_ELEMENT_ORDER) || ordered.has(field)) continue;
    if (field.startsWith('$deleteFromPrimitiveList/')) {
      const target = field.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(value)) throw new StrategicPatchError(`invalid type for ${field}: expected a list`);
      if (Array.isArray(result[target])) result[target] = (result[target] as unknown[]).filter((x) => !value.includes(x));
      continue;
    }
    if (value === null) {
      delete result[field];
    } else if (isPlainObject(value)) {
      if (value.$patch === 'delete') delete result[field];
      else result[field] = mergeMap(isPlainObject(result[field]) ? (result[field] as Record<string, unknown>) : {}, value, [...path, field]);
    } else if (Array.isArray(value)) {
      const key = mergeKeyFor(path, field);
      const current = result[field];
      if (key && Array.isArray(current)) result[field] = mergeList(current, value, key, [...path, field]);
      else if (MERGED_PRIMITIVE_LISTS.has(field) && Array.isArray(current)) result[field] = [...current, ...value.filter((v) => !current.includes(v))];
      else result[field] = strip(value);
    } else {
      result[field] = value;
    }
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  return result;
}

export function applyStrategicMergePatch(original: unknown, patch: unknown): unknown {
  if (patch === null) return structuredClone(original);
  if (!isPlainObject(patch)) throw new StrategicPatchError(`json: cannot unmarshal ${goType(patch)} into Go value of type map[string]interface {}`);
  return mergeMap(isPlainObject(original) ? structuredClone(original) : {}, patch, []);
}
