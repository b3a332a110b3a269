import { apiVersionOf, resourceForPlural } from '../api/resources.ts';
import type { ApiRequest } from '../apiserver/protocol.ts';
import { badRequest, refuse } from './errors.ts';
import { strictDecodingMessage, unknownFields } from './openapi/index.ts';
import type { ResourcePath } from './paths.ts';

/**
 * `fieldValidation` on create and update, as the apiserver's decoder applies it to the body: `Strict`
 * refuses unknown fields with 400 (`strict decoding error: unknown field "spec.replica"`), `Warn` (the
 * default) answers with a `Warning` header per field, `Ignore` says nothing. Only bodies of the URL's own
 * kind are checked: any other body is refused by the apiserver actor's decoder anyway.
 * Patches are not checked (upstream checks the patched object; see docs/http.md).
 */
export function checkFields(request: ApiRequest, path: ResourcePath): string[] {
  if (request.verb !== 'create' && request.verb !== 'update') return [];
  if (path.subresource !== undefined && path.subresource !== 'status') return [];
  const resource = resourceForPlural(path.resource, path.group);
  const body = request.body as { apiVersion?: unknown; kind?: unknown } | undefined;
  if (!resource || typeof body !== 'object' || body === null) return [];
  if (body.apiVersion !== apiVersionOf(resource) || body.kind !== resource.kind) return [];
  const directive = request.query?.fieldValidation ?? 'Warn';
  if (directive === 'Ignore') return [];
  const unknown = unknownFields(apiVersionOf(resource), resource.kind, body);
  if (unknown.length === 0) return [];
  if (directive === 'Strict') refuse(badRequest(strictDecodingMessage(unknown)));
  return unknown.map((field) => `unknown field "${field}"`);
}

/** RFC 7234 Warning header values, as kube-apiserver writes them (`299 - "…"`). */
export function warningHeader(warnings: readonly string[]): string[] {
  return warnings.map((w) => `299 - ${JSON.stringify(w)}`);
}
