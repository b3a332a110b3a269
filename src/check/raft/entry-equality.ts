import type { RaftEntryView } from './types.ts';

/**
 * Two entries are equal when index, term and payload are. Payloads travel by reference in a simulation,
 * so reference equality settles almost every comparison; a structural comparison covers payloads that
 * were rebuilt (e.g. read back from a snapshot).
 */
export function entriesEqual(a: RaftEntryView, b: RaftEntryView): boolean {
  if (a === b) return true;
  if (a.index !== b.index || a.term !== b.term) return false;
  return a.data === b.data || deepEqual(a.data, b.data);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
