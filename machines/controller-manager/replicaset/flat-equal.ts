// Equality of two flat records (label maps, owner references) as their canonical JSON would decide it,
// without building the JSON: the pod handlers compare labels and ControllerRefs on every pod update.
import { canonicalJson } from '../../../src/api/index.ts';

type Flat = Readonly<Record<string, unknown>>;

const isScalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'boolean';

/** canonicalJson(a) === canonicalJson(b), answered from the fields when they are strings and booleans. */
export function sameFlat(x: object | undefined, y: object | undefined): boolean {
  if (x === y) return true;
  if (x === undefined || y === undefined) return canonicalJson(x ?? null) === canonicalJson(y ?? null);
  const a = x as Flat;
  const b = y as Flat;
  let defined = 0;
  for (const key in a) {
    const value = a[key];
    if (value === undefined) continue;
    defined++;
    if (value === b[key]) continue;
    // Anything but a plain scalar (a number, a nested object) is left to the canonical form.
    if (!isScalar(value) || (b[key] !== undefined && !isScalar(b[key]))) return canonicalJson(a) === canonicalJson(b);
    return false;
  }
  for (const key in b) if (b[key] !== undefined) defined--;
  return defined === 0;
}
