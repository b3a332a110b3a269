import { stringify as toYaml } from 'yaml';
import type { Rendering } from './negotiation.ts';
import { toTable, type IncludeObject } from './table/index.ts';

/**
 * Turns an apiserver answer into the bytes the client asked for: JSON (indented for curl and `?pretty`),
 * YAML, a server-side Table (`kubectl get`) or PartialObjectMetadata. Errors (Status bodies) are always
 * JSON, as upstream writes them.
 */

export interface RenderContext {
  rendering: Rendering;
  /** `pods` or `deployments.apps`: what toTable prints. */
  resource: string;
  includeObject?: IncludeObject;
  pretty: boolean;
  /** Virtual now, for the Table's AGE column. */
  now: number;
}

export interface Rendered {
  contentType: string;
  text: string;
}

function isList(body: unknown): body is { kind?: string; metadata?: unknown; items: unknown[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { items?: unknown }).items);
}

/** PartialObjectMetadata(List) of `meta.k8s.io/<version>`. */
export function partialMetadata(body: unknown, version: string): unknown {
  const apiVersion = `meta.k8s.io/${version}`;
  const one = (obj: unknown): unknown => {
    const o = (obj ?? {}) as { apiVersion?: string; kind?: string; metadata?: unknown };
    return { kind: 'PartialObjectMetadata', apiVersion, metadata: o.metadata ?? {} };
  };
  if (isList(body)) return { kind: 'PartialObjectMetadataList', apiVersion, metadata: body.metadata ?? {}, items: body.items.map(one) };
  return one(body);
}

/** The value to send for a successful read (before serialization). */
export function convert(body: unknown, ctx: RenderContext): unknown {
  switch (ctx.rendering.kind) {
    case 'table': {
      const table = toTable(ctx.resource, body, { ...(ctx.includeObject ? { includeObject: ctx.includeObject } : {}) }, ctx.now) as { apiVersion?: string };
      return ctx.rendering.version === 'v1' ? table : { ...table, apiVersion: 'meta.k8s.io/v1beta1' };
    }
    case 'partial':
      return partialMetadata(body, ctx.rendering.version);
    default:
      return body;
  }
}

export function serialize(value: unknown, ctx: Pick<RenderContext, 'rendering' | 'pretty'>, isError: boolean): Rendered {
  if (ctx.rendering.kind === 'yaml' && !isError) return { contentType: 'application/yaml', text: toYaml(value, { aliasDuplicateObjects: false }) };
  const text = `${(ctx.pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)) ?? 'null'}\n`;
  return { contentType: 'application/json', text };
}
