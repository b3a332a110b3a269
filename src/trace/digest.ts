/** FNV-1a (32-bit) of a string, as 8 hex digits: a short, stable fingerprint of a payload. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Digest of a message: its JSON (key order is the order the machine built it in, which is deterministic). */
export function digestOf(value: unknown): string {
  return fnv1a(JSON.stringify(value) ?? 'undefined');
}
