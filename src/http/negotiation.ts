/**
 * Response content negotiation, as kube-apiserver's: the first media range of the Accept header the server
 * can produce wins. JSON and YAML are served; a JSON range with `as=Table;g=meta.k8s.io;v=v1|v1beta1`
 * asks for server-side printing (`kubectl get`), `as=PartialObjectMetadata[List]` for metadata only.
 * Protobuf is never produced: a client that accepts nothing else gets 406.
 */

export type Rendering =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1' };

export const PRODUCED_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] as const;

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';');
    const params = new Map<string, string>();
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"|"$/g, ''));
    }
    return { type: type.trim().toLowerCase(), params };
  }).filter((r) => r.type !== '' && r.params.get('q') !== '0');
}

function conversionOf(range: MediaRange, verbAllowsTable: boolean): Rendering | undefined | 'skip' {
  const as = range.params.get('as');
  if (as === undefined) return undefined;
  const group = range.params.get('g');
  const version = range.params.get('v');
  if (group !== 'meta.k8s.io' || (version !== 'v1' && version !== 'v1beta1')) return 'skip';
  if (!verbAllowsTable) return 'skip';
  if (as === 'Table') return { kind: 'table', version };
  if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'partial', version };
  return 'skip';
}

/**
 * How to render a resource response, or undefined (406) when nothing acceptable can be produced.
 * `readVerb` is true for get/list/watch, the only verbs with Table and metadata conversions here.
 */
export function negotiate(accept: string | undefined, readVerb: boolean): Rendering | undefined {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { kind: 'json' };
  for (const range of ranges) {
    const json = range.type === 'application/json' || range.type === 'application/*' || range.type === '*/*';
    if (json) {
      const conversion = conversionOf(range, readVerb);
      if (conversion === 'skip') continue;
      if (conversion) return conversion;
      return { kind: 'json' };
    }
    if (range.type === 'application/yaml' && !range.params.has('as')) return { kind: 'yaml' };
  }
  return undefined;
}
