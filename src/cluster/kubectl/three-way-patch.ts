// kubectl's client-side apply patch (strategicpatch.CreateThreeWayMergePatch), for the built-in kinds:
//   - fields of the new configuration (`modified`) that differ from the live object (`current`) are set;
//   - fields the last applied configuration (`original`) had and the new one dropped are deleted (null);
//   - fields nobody applied (defaults, status, what controllers wrote) are left alone.
// Lists with a merge key (containers by name, ports by port…) are diffed item by item, and items dropped
// from the configuration become `$patch: delete` directives; other lists are replaced when they differ.
// Simplification: the merge keys are the common ones by field name, not read from the OpenAPI schema, and
// `$setElementOrder` is not sent (the apiserver model keeps the live order).

type Json = unknown;
type JsonObject = Record<string, Json>;

const NAME_KEYED = new Set(['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'imagePullSecrets', 'env', 'resourceClaims']);
const MERGE_KEYS: Readonly<Record<string, string>> = {
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

function mergeKey(path: readonly string[], field: string): string | undefined {
  if (NAME_KEYED.has(field)) return 'name';
  if (field === 'ports') return path.includes('containers') || path.includes('initContainers') ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    return keys.length === Object.keys(b).filter((k) => b[k] !== undefined).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** The patch taking `current` to `modified`, deleting what `original` had and `modified` dropped. {} = nothing to do. */
export function threeWayPatch(original: Json, modified: JsonObject, current: Json): JsonObject {
  return diffMaps(isObject(original) ? original : {}, modified, isObject(current) ? current : {}, []);
}

function diffMaps(original: JsonObject, modified: JsonObject, current: JsonObject, path: readonly string[]): JsonObject {
  const patch: JsonObject = {};
  for (const [key, m] of Object.entries(modified)) {
    if (m === undefined) continue;
    const c = current[key];
    const o = original[key];
    if (isObject(m) && isObject(c)) {
      const sub = diffMaps(isObject(o) ? o : {}, m, c, [...path, key]);
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (Array.isArray(m) && Array.isArray(c) && mergeKey(path, key) !== undefined) {
      const sub = diffKeyedLists(Array.isArray(o) ? o : [], m, c, mergeKey(path, key)!, [...path, key]);
      if (sub.length > 0) patch[key] = sub;
    } else if (!deepEqual(m, c)) {
      patch[key] = m;
    }
  }
  for (const key of Object.keys(original)) {
    if (modified[key] === undefined && current[key] !== undefined) patch[key] = null;
  }
  return patch;
}

function diffKeyedLists(original: Json[], modified: Json[], current: Json[], key: string, path: readonly string[]): Json[] {
  const find = (items: Json[], id: Json) => items.find((item) => isObject(item) && item[key] === id);
  const patch: Json[] = [];
  for (const m of modified) {
    if (!isObject(m) || m[key] === undefined) {
      // An item without its key cannot be merged; send the whole list, as a replace.
      return deepEqual(modified, current) ? [] : [...modified, { $patch: 'replace' }];
    }
    const c = find(current, m[key]);
    if (!isObject(c)) {
      patch.push(m);
      continue;
    }
    const o = find(original, m[key]);
    const sub = diffMaps(isObject(o) ? o : {}, m, c, path);
    if (Object.keys(sub).length > 0) patch.push({ [key]: m[key], ...sub });
  }
  for (const o of original) {
    if (isObject(o) && o[key] !== undefined && !find(modified, o[key]) && find(current, o[key])) {
      patch.push({ [key]: o[key], $patch: 'delete' });
    }
  }
  return patch;
}
