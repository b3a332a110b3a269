// The body of an application/apply-patch+yaml request: YAML (or JSON, a subset of it), as text from the
// wire or already parsed by the front door.
import { parse } from 'yaml';
import { badRequest, fail } from '../../errors.ts';
import { isPlainObject } from '../../objects.ts';

export function parseApplyBody(body: unknown): Record<string, unknown> {
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    try {
      // Aliases are capped: a "billion laughs" document must not expand without bound.
      value = parse(text, { maxAliasCount: 100 });
    } catch (e) {
      fail(badRequest(`error decoding YAML: ${(e as Error).message}`));
    }
  }
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) fail(badRequest(`error decoding YAML: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type map[string]interface {}`));
  return value;
}
