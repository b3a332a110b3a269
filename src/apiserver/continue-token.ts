import { badRequest, fail } from './errors.ts';

/**
 * List continuation, as the etcd3 storage encodes it: base64url (no padding) of
 * `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the last one returned, relative to the prefix>"}`.
 * The continuation of a list is served at the same revision, so a paged list is one consistent snapshot.
 */
export interface ContinueToken {
  /** The revision every page is read at; -1 marks an "inconsistent" token that reads the latest. */
  revision: number;
  /** Absolute etcd key to resume from (inclusive). */
  startKey: string;
}

const VERSION = 'meta.k8s.io/v1';

export function encodeContinue(revision: number, nextKey: string, prefix: string): string {
  const json = JSON.stringify({ v: VERSION, rv: revision, start: nextKey.slice(prefix.length) });
  return Buffer.from(json, 'utf8').toString('base64url');
}

function invalid(detail: string): never {
  fail(badRequest(`continue key is not valid: ${detail}`));
}

/** path.Clean for the absolute paths a start key may form. */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

export function decodeContinue(token: string, prefix: string): ContinueToken {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]*$/.test(token)) invalid('illegal base64 data');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (e) {
    invalid((e as Error).message);
  }
  const c = parsed as { v?: unknown; rv?: unknown; start?: unknown } | null;
  if (typeof c !== 'object' || c === null) invalid('json: cannot unmarshal into Go value of type etcd3.continueToken');
  if (c.v !== VERSION) invalid(`server does not recognize this encoded version ${JSON.stringify(String(c.v ?? ''))}`);
  if (typeof c.rv !== 'number' || !Number.isSafeInteger(c.rv) || c.rv === 0) invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof c.start !== 'string' || c.start === '') invalid('encoded start key empty (version meta.k8s.io/v1)');
  // Defend against a token that climbs out of the prefix, as upstream does with path.Clean.
  const key = c.start.startsWith('/') ? c.start : `/${c.start}`;
  if (cleanPath(key) !== key) invalid(c.start);
  return { revision: c.rv, startKey: prefix + key.slice(1) };
}
