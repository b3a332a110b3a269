// Durations in scenario files as Go (and kubectl's --timeout) writes them: "500ms", "30s", "1m30s", "2h",
// "1.5s"; a bare number is milliseconds.
import { InputError } from '../cluster/input-check.ts';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: unknown, path: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new InputError(path, `must be a non-negative duration, got ${value}`);
    return value;
  }
  if (typeof value !== 'string' || value.trim() === '') throw new InputError(path, 'must be a duration such as "30s", "1m30s" or "500ms"');
  const text = value.trim();
  let total = 0;
  let rest = text;
  const part = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;
  while (rest.length > 0) {
    const match = part.exec(rest);
    if (!match) throw new InputError(path, `"${text}" is not a duration; write e.g. "30s", "1m30s" or "500ms"`);
    total += Number(match[1]) * UNITS[match[2]];
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** Virtual ms as a short human string for step headers: "2.16s", "1m5s". */
export function formatVirtualTime(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(1).replace(/\.0$/, '');
  return `${minutes}m${seconds}s`;
}
