// Content negotiation for discovery: the first media range in the Accept header that the server can
// produce wins, as the apiserver's negotiation does for the discovery endpoints (q-values aside).
import type { DiscoveryVersion } from './aggregated.ts';

export type DiscoveryFormat = { aggregated: true; version: DiscoveryVersion } | { aggregated: false };

function parameters(range: string): { type: string; params: Map<string, string> } {
  const [type, ...rest] = range.split(';').map((s) => s.trim());
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { type: (type ?? '').toLowerCase(), params };
}

export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  for (const range of (accept ?? '').split(',')) {
    const { type, params } = parameters(range);
    if (type === '') continue;
    const asList = params.get('as') === 'APIGroupDiscoveryList' && params.get('g') === 'apidiscovery.k8s.io';
    if (asList) {
      const v = params.get('v');
      // Only JSON is produced here; a protobuf variant is skipped so the client's JSON fallback is used.
      if (type === 'application/json' && (v === 'v2' || v === 'v2beta1')) return { aggregated: true, version: v };
      continue;
    }
    if (params.has('as')) continue; // another structured form (e.g. Table) is not a discovery answer
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return { aggregated: false };
  }
  return { aggregated: false };
}

export function aggregatedContentType(version: DiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}
