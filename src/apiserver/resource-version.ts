import { goQuote } from '../api/validation/go-format.ts';
import type { ApiQuery } from './protocol.ts';
import { badRequest, fail } from './errors.ts';

/**
 * The `resourceVersion` query parameter: unset, "0" (any version, from the cache), or a revision.
 * Anything else is the 400 the APIObjectVersioner's parse error becomes.
 */
export type RequestedVersion = { kind: 'unset' } | { kind: 'any' } | { kind: 'at'; revision: number };

export function parseResourceVersion(query: ApiQuery | undefined): RequestedVersion {
  const raw = query?.resourceVersion as unknown;
  if (raw === undefined || raw === null || raw === '') return { kind: 'unset' };
  if (typeof raw !== 'string') fail(badRequest('resourceVersion must be a string'));
  if (raw === '0') return { kind: 'any' };
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    fail(badRequest(`resourceVersion: Invalid value: ${goQuote(raw)}: strconv.ParseUint: parsing ${goQuote(raw)}: invalid syntax`));
  }
  return { kind: 'at', revision: Number(raw) };
}

/** The resourceVersion an object body carries as a precondition (update), or undefined. */
export function preconditionOf(resourceVersion: string | undefined): number | undefined {
  if (resourceVersion === undefined || resourceVersion === '') return undefined;
  if (!/^[0-9]+$/.test(resourceVersion)) {
    fail(badRequest(`metadata.resourceVersion: Invalid value: ${goQuote(resourceVersion)}: strconv.ParseUint: parsing ${goQuote(resourceVersion)}: invalid syntax`));
  }
  return Number(resourceVersion);
}
