import { UsageError } from './usage-error.ts';

/** Parses an integer flag, with a message naming the flag and its bounds. */
export function parseInteger(flag: string, raw: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag} must be a whole number, got "${raw}"`);
  }
  if (value < min || value > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${value}`);
  return value;
}
