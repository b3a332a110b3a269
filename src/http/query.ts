import type { ApiQuery, ApiRequest } from '../apiserver/protocol.ts';
import { statusError } from '../apiserver/protocol.ts';
import { badRequest, refuse } from './errors.ts';

/**
 * URL query parameters → the typed `ApiQuery` of a bus request, decoded as the apiserver's parameter codec
 * decodes them: booleans are true unless "0" or "false" (so a bare `?watch` is true), integers must parse
 * (`strconv.ParseInt: parsing "x": invalid syntax` otherwise), only the first value of a repeated
 * parameter counts. Values the actor validates itself (selectors, resourceVersion, propagationPolicy) are
 * passed as strings. Unknown parameters are ignored, as upstream ignores them.
 */

const STRING_PARAMS = [
  'labelSelector', 'fieldSelector', 'resourceVersion', 'resourceVersionMatch', 'continue', 'fieldManager',
  'propagationPolicy', 'container', 'sinceTime',
] as const;
const INT_PARAMS = ['limit', 'timeoutSeconds', 'gracePeriodSeconds', 'tailLines', 'sinceSeconds', 'limitBytes'] as const;
const BOOL_PARAMS = ['allowWatchBookmarks', 'sendInitialEvents', 'force', 'follow', 'previous', 'timestamps'] as const;

const FIELD_VALIDATION = ['Ignore', 'Strict', 'Warn'] as const;

/** Convert_Slice_string_To_bool. */
export function queryBool(value: string | null): boolean {
  if (value === null) return false;
  return !(value === '0' || value.toLowerCase() === 'false');
}

function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** strconv.ParseInt(value, 10, 64), with its error text. */
function parseInt64(value: string): number {
  if (!/^[+-]?[0-9]+$/.test(value)) refuse(badRequest(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`));
  const n = Number(value);
  // int64 overflow in Go; beyond 2^53 the number would also lose precision here.
  if (!Number.isSafeInteger(n)) refuse(badRequest(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`));
  return n;
}

/** The options kind a verb's query decodes into, as named in its 422 (`CreateOptions.meta.k8s.io "" is invalid`). */
function optionsKind(verb: ApiRequest['verb']): string {
  switch (verb) {
    case 'create':
      return 'CreateOptions';
    case 'update':
      return 'UpdateOptions';
    case 'patch':
      return 'PatchOptions';
    default:
      return 'DeleteOptions';
  }
}

function invalidOptions(verb: ApiRequest['verb'], field: string, message: string): never {
  const kind = optionsKind(verb);
  refuse(statusError('Invalid', `${kind}.meta.k8s.io "" is invalid: ${field}: ${message}`, {
    group: 'meta.k8s.io', kind, causes: [{ reason: 'FieldValueNotSupported', message, field }],
  }));
}

export function decodeQuery(params: URLSearchParams, verb: ApiRequest['verb']): ApiQuery {
  const query: Record<string, unknown> = {};
  for (const name of STRING_PARAMS) {
    const value = params.get(name);
    if (value !== null) query[name] = value;
  }
  for (const name of INT_PARAMS) {
    const value = params.get(name);
    if (value !== null && value !== '') query[name] = parseInt64(value);
  }
  for (const name of BOOL_PARAMS) {
    if (params.has(name)) query[name] = queryBool(params.get(name));
  }
  const writes = verb === 'create' || verb === 'update' || verb === 'patch' || verb === 'delete' || verb === 'deletecollection';
  const dryRun = params.getAll('dryRun').filter((v) => v !== '');
  if (writes && dryRun.length > 0) {
    const bad = dryRun.find((v) => v !== 'All');
    if (bad !== undefined) invalidOptions(verb, 'dryRun', `Unsupported value: ${goQuote(bad)}: supported values: "All"`);
    query.dryRun = 'All';
  }
  const fieldValidation = params.get('fieldValidation');
  if (writes && fieldValidation !== null && fieldValidation !== '' && verb !== 'delete' && verb !== 'deletecollection') {
    if (!(FIELD_VALIDATION as readonly string[]).includes(fieldValidation)) {
      invalidOptions(verb, 'fieldValidation', `Unsupported value: ${goQuote(fieldValidation)}: supported values: "Ignore", "Strict", "Warn"`);
    }
    query.fieldValidation = fieldValidation;
  }
  return query as ApiQuery;
}
