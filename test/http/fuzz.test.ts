import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertFieldSelector, parseFieldSelector, parseSelector, resourceForPlural } from '../../src/api/index.ts';
import { numRuns } from '../fc.ts';
import { configMap, JSON_HEADERS, startLiveCluster, type LiveCluster } from './live-cluster.ts';

/**
 * Hostile input at the front door: malformed JSON, YAML and protobuf, wrong kinds, deeply nested and
 * oversized bodies, bad selectors, resourceVersions and integers, broken patches aimed at a stored object.
 * Every answer must be a `Status` with a 4xx code matching the HTTP status, the server must stay up, and
 * the canary ConfigMap stored first must come out unchanged.
 */

let c: LiveCluster;
let canary: any;
const CANARY = '/api/v1/namespaces/default/configmaps/canary';

beforeAll(async () => {
  c = await startLiveCluster();
  const created = await c.json('/api/v1/namespaces/default/configmaps', {
    method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(configMap('canary', { keep: 'me' }, { fuzz: 'canary' })),
  });
  expect(created.status).toBe(201);
  canary = created.body;
}, 30_000);

afterAll(async () => {
  await c?.stop();
});

interface Hostile {
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

function throws(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch {
    return true;
  }
}

const configmaps = resourceForPlural('configmaps')!;
const COLLECTION = '/api/v1/namespaces/default/configmaps';

const notJson = fc.string({ maxLength: 200 }).filter((s) => s.trim() !== '' && throws(() => JSON.parse(s)));
const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }));

const malformedJson: fc.Arbitrary<Hostile> = fc.tuple(notJson, fc.constantFrom('POST', 'PUT')).map(([body, method]) => ({
  label: 'malformed JSON', method, path: method === 'POST' ? COLLECTION : CANARY, headers: JSON_HEADERS, body,
}));

const yamlBodies: fc.Arbitrary<Hostile> = fc.tuple(text, fc.constantFrom('POST', 'PUT')).map(([body, method]) => ({
  label: 'arbitrary YAML', method, path: method === 'POST' ? COLLECTION : CANARY, headers: { 'Content-Type': 'application/yaml' }, body,
}));

const protobufBodies: fc.Arbitrary<Hostile> = fc.tuple(
  fc.uint8Array({ maxLength: 300 }),
  fc.boolean(),
).map(([bytes, withMagic]) => ({
  label: 'random protobuf',
  method: 'POST',
  path: COLLECTION,
  headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
  body: withMagic ? new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...bytes]) : bytes,
}));

/** Objects that are not ConfigMaps (or not objects at all), posted and put to configmaps. */
const wrongKinds: fc.Arbitrary<Hostile> = fc.tuple(
  fc.oneof(
    fc.record({ apiVersion: fc.constantFrom('v1', 'apps/v1', 'v2', ''), kind: fc.constantFrom('Pod', 'Secret', 'Namespace', 'Widget', ''), metadata: fc.constant({ name: 'canary' }) }),
    fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata: fc.oneof(fc.constant(42), fc.constant('x'), fc.constant([1]), fc.record({ name: fc.constant(7) })) }),
    fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata: fc.constant({ name: 'canary' }), data: fc.oneof(fc.constant([1, 2]), fc.constant({ k: 1 }), fc.constant('str')) }),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.string({ maxLength: 20 })),
  ),
  fc.constantFrom('POST', 'PUT'),
).map(([body, method]) => ({
  label: 'wrong kind', method, path: method === 'POST' ? COLLECTION : CANARY, headers: JSON_HEADERS, body: JSON.stringify(body),
}));

const deepBodies: fc.Arbitrary<Hostile> = fc.tuple(fc.integer({ min: 1_001, max: 50_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('POST', 'PUT', 'PATCH')).map(
  ([depth, open, method]) => {
    const close = open === '[' ? ']' : '}';
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    const body = method === 'PATCH' ? `{"data":${nested}}` : `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"canary"},"x":${nested}}`;
    return {
      label: 'deeply nested', method, path: method === 'POST' ? COLLECTION : CANARY,
      headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }, body,
    };
  },
);

const badLabelSelector = fc.string({ maxLength: 40 }).filter((s) => s.trim() !== '' && throws(() => parseSelector(s)));
const badFieldSelector = fc.string({ maxLength: 40 }).filter((s) => s.trim() !== '' && throws(() => convertFieldSelector(configmaps, parseFieldSelector(s))));
const badResourceVersion = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[0-9]*$/.test(s));
const badInteger = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[+-]?[0-9]+$/.test(s));

const badQueries: fc.Arbitrary<Hostile> = fc.oneof(
  badLabelSelector.map((s) => ({ param: 'labelSelector', value: s })),
  badFieldSelector.map((s) => ({ param: 'fieldSelector', value: s })),
  badResourceVersion.map((s) => ({ param: 'resourceVersion', value: s })),
  badInteger.map((s) => ({ param: 'limit', value: s })),
  badInteger.map((s) => ({ param: 'timeoutSeconds', value: s })),
  fc.string({ minLength: 1, maxLength: 40 }).map((s) => ({ param: 'continue', value: `!${s}` })),
).chain(({ param, value }) =>
  fc.constantFrom(COLLECTION, '/api/v1/configmaps', `${COLLECTION}?watch=1`, CANARY).map((path) => ({
    label: `bad ${param}`,
    method: 'GET',
    path: `${path}${path.includes('?') ? '&' : '?'}${param}=${encodeURIComponent(value)}`,
  })).filter((h) => {
    // A get ignores list parameters and a watch ignores continue: those would succeed.
    if (h.path.startsWith(`${CANARY}?`)) return param === 'resourceVersion';
    return !(h.path.includes('watch=1') && param === 'continue');
  }),
);

/** Patches aimed at the canary that must all fail without touching it. */
const badPatches: fc.Arbitrary<Hostile> = fc.oneof(
  notJson.map((body) => ({ type: 'application/merge-patch+json', body })),
  notJson.map((body) => ({ type: 'application/strategic-merge-patch+json', body })),
  notJson.map((body) => ({ type: 'application/json-patch+json', body })),
  // A failing test op first: JSON patch applies all or nothing.
  fc.string({ maxLength: 10 }).filter((v) => v !== 'me').map((v) => ({
    type: 'application/json-patch+json',
    body: JSON.stringify([{ op: 'test', path: '/data/keep', value: v }, { op: 'remove', path: '/data' }]),
  })),
  fc.constantFrom('text/plain', 'application/json', 'application/xml', '').map((type) => ({ type, body: '{"data":{"keep":"no"}}' })),
  // Merge patches that change the kind or name are refused.
  fc.constantFrom('{"kind":"Secret"}', '{"metadata":{"name":"other"}}', '{"apiVersion":"v2"}').map((body) => ({ type: 'application/merge-patch+json', body })),
  // A stale resourceVersion precondition.
  fc.constant({ type: 'application/merge-patch+json', body: '{"metadata":{"resourceVersion":"1"},"data":{"keep":"no"}}' }),
).map(({ type, body }) => ({ label: `bad patch (${type})`, method: 'PATCH', path: CANARY, headers: { 'Content-Type': type }, body }));

const unknownPaths: fc.Arbitrary<Hostile> = fc.tuple(
  fc.stringMatching(/^[a-z0-9%.~_-]{1,20}$/),
  fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
).map(([segment, method]) => ({
  label: 'unknown path', method, path: `/apis/zz-${segment}.example.com/v1/things`, headers: JSON_HEADERS, body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
}));

/** Deep nesting in YAML flow style: the YAML decoder must refuse it as the JSON one does, not overflow. */
const deepYaml = (depth: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: canary}\ndata: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;

const deepYamlBodies: fc.Arbitrary<Hostile> = fc.tuple(fc.integer({ min: 1_001, max: 20_000 }), fc.constantFrom('POST', 'PUT')).map(([depth, method]) => ({
  label: 'deeply nested YAML', method, path: method === 'POST' ? COLLECTION : CANARY, headers: { 'Content-Type': 'application/yaml' }, body: deepYaml(depth),
}));

/** Server-side apply configurations aimed at the canary that must all be refused. */
const badApplies: fc.Arbitrary<Hostile> = fc.oneof(
  text.filter((t) => !/\bkind\b/.test(t)),
  fc.constantFrom(
    'apiVersion: v1\nkind: Secret\nmetadata: {name: canary}\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {keep: "no"}\n',
    'kind: ConfigMap\nmetadata: {name: canary}\ndata: {keep: "no"}\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: canary}\ndata: [1]\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: canary, resourceVersion: "1"}\ndata: {keep: "no"}\n',
    '- apiVersion: v1\n- kind: ConfigMap\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: canary}\ndata: {keep: [}\n',
  ),
  fc.integer({ min: 1_001, max: 20_000 }).map(deepYaml),
).map((body) => ({
  label: 'bad apply', method: 'PATCH', path: `${CANARY}?fieldManager=fuzz`, headers: { 'Content-Type': 'application/apply-patch+yaml' }, body,
}));

const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  malformedJson, yamlBodies, deepYamlBodies, protobufBodies, wrongKinds, deepBodies, badQueries, badPatches, badApplies, unknownPaths,
);

async function send(h: Hostile): Promise<{ status: number; contentType: string | null; text: string }> {
  // A request left hanging (a watch that opened) fails the property instead of the whole test.
  const res = await c.fetch(h.path, { method: h.method, headers: h.headers, body: h.body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

function checkStatus(h: Hostile, res: { status: number; contentType: string | null; text: string }): void {
  const context = `${h.label}: ${h.method} ${h.path} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  expect(res.contentType, context).toBe('application/json');
  const status = JSON.parse(res.text);
  expect(status, context).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: res.status });
  expect(typeof status.message, context).toBe('string');
  expect(typeof status.reason === 'string' && status.reason !== '', context).toBe(true);
}

async function canaryUnchanged(): Promise<void> {
  const now = await c.json(CANARY);
  expect(now.status).toBe(200);
  expect(now.body).toEqual(canary);
}

describe('the front door under hostile input', () => {
  it('answers every malformed request with a 4xx Status, stays up and leaves stored objects alone', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (h) => {
        checkStatus(h, await send(h));
      }),
      { numRuns: numRuns(250) },
    );
    expect(await (await c.fetch('/healthz')).text()).toBe('ok');
    await canaryUnchanged();
  }, 120_000);

  it('refuses oversized bodies with 413 without reading them whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3 * 1024 * 1024 + 1, max: 8 * 1024 * 1024 }), fc.constantFrom('POST', 'PUT', 'PATCH'), async (size, method) => {
        const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"canary"},"data":{"keep":"${'x'.repeat(size)}"}}`;
        const h: Hostile = {
          label: 'huge', method, path: method === 'POST' ? COLLECTION : CANARY,
          headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }, body,
        };
        const res = await send(h);
        checkStatus(h, res);
        expect(res.status).toBe(413);
      }),
      // Each run sends megabytes: a long campaign gains little from more than a few.
      { numRuns: Math.min(numRuns(4), 12) },
    );
    expect(await (await c.fetch('/healthz')).text()).toBe('ok');
    await canaryUnchanged();
  }, 60_000);

  it('catches a planted bug: a server that answers a malformed body with 200 fails the check', () => {
    const planted: Hostile = { label: 'planted', method: 'POST', path: COLLECTION };
    expect(() => checkStatus(planted, { status: 200, contentType: 'application/json', text: '{}' })).toThrow();
    expect(() => checkStatus(planted, { status: 500, contentType: 'application/json', text: '{"kind":"Status","apiVersion":"v1","status":"Failure","code":500,"reason":"InternalError","message":""}' })).toThrow();
    expect(() => checkStatus(planted, { status: 400, contentType: 'text/plain', text: 'bad' })).toThrow();
    expect(() => checkStatus(planted, { status: 400, contentType: 'application/json', text: '{"kind":"Status","apiVersion":"v1","status":"Failure","code":404,"reason":"NotFound","message":""}' })).toThrow();
  });
});
