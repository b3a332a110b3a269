import { apiVersionOf, resourceForPlural } from '../api/resources.ts';
import type { ApiRequest } from '../apiserver/protocol.ts';
import { badRequest, refuse } from './errors.ts';
import { strictDecodingMessage, unknownFields } from './openapi/index.ts';
import type { ResourcePath } from './paths.ts';

/**
 * `fieldValidation` on create, update and merge/strategic-merge patches, as the apiserver's decoder
 * applies it: `Strict` refuses unknown fields with 400, `Warn` (the default) answers with a `Warning`
 * header per field, `Ignore` says nothing. A create or update body goes through the handler's
 * transformDecodeError (`Deployment in version "v1" cannot be handled as a Deployment: strict decoding
 * error: unknown field "spec.replica"`); a patch's error is the bare `strict decoding error: …`.
 * Only bodies of the URL's own kind are checked: any other body is refused by the apiserver actor's
 * decoder anyway. JSON patches and server-side apply are not checked (see docs/http.md).
 */
export function checkFields(request: ApiRequest, path: ResourcePath): string[] {
  const patch = request.verb === 'patch' && (request.patchType === 'application/merge-patch+json' || request.patchType === 'application/strategic-merge-patch+json');
  if (request.verb !== 'create' && request.verb !== 'update' && !patch) return [];
  if (path.subresource !== undefined && path.subresource !== 'status') return [];
  const resource = resourceForPlural(path.resource, path.group);
  const body = request.body as { apiVersion?: unknown; kind?: unknown } | undefined;
  if (!resource || typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  if (!patch && (body.apiVersion !== apiVersionOf(resource) || body.kind !== resource.kind)) return [];
  const directive = request.query?.fieldValidation ?? 'Warn';
  if (directive === 'Ignore') return [];
  // Upstream decodes the patched object; the fields a patch adds are the patch's own, less its
  // directives and deletions (its list indexes are the patch's, not the patched object's).
  const unknown = unknownFields(apiVersionOf(resource), resource.kind, patch ? patchedFields(body) : body);
  if (unknown.length === 0) return [];
  if (directive === 'Strict') {
    const message = strictDecodingMessage(unknown);
    refuse(badRequest(patch ? message : `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ${message}`));
  }
  return unknown.map((field) => `unknown field "${field}"`);
}

/** A merge patch without its `$` directives and null (delete) members: the fields it writes. */
function patchedFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(patchedFields);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!key.startsWith('$') && v !== null) out[key] = patchedFields(v);
  return out;
}

/** RFC 7234 Warning header values, as kube-apiserver writes them (`299 - "…"`). */
export function warningHeader(warnings: readonly string[]): string[] {
  return warnings.map((w) => `299 - ${JSON.stringify(w)}`);
}
