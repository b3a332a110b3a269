import { isPlainObject } from '../objects.ts';

/**
 * RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge recursively, `null` deletes,
 * everything else (arrays included) replaces. A non-object patch replaces the whole document.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
