import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiRequest } from '../../src/apiserver/protocol.ts';
import { numRuns } from '../fc.ts';
import { ApiHarness, apps, configMap, core, create, get, obj, patch, update } from './harness.ts';

/**
 * Whatever a client sends, the apiserver answers with a Status (never a crash, never a 5xx for a bad body)
 * and what was stored before is untouched.
 */

const targets = [core('configmaps'), core('pods'), core('namespaces'), apps('deployments'), core('services'), core('secrets')];

/** Bodies that are not objects of any kind: no kind/apiVersion strings, or not objects at all. */
const junk = fc.anything({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as { kind?: unknown }).kind !== 'string');

/** Objects that claim the right type but whose fields are anything. */
const broken = fc.record({
  apiVersion: fc.constantFrom('v1', 'apps/v1'),
  kind: fc.constantFrom('ConfigMap', 'Pod', 'Deployment', 'Namespace', 'Service', 'Secret'),
  metadata: fc.oneof(fc.anything({ maxDepth: 2 }), fc.record({ name: fc.oneof(fc.string(), fc.integer()), labels: fc.anything({ maxDepth: 1 }) }, { requiredKeys: [] })),
  spec: fc.anything({ maxDepth: 3 }),
  data: fc.anything({ maxDepth: 2 }),
  status: fc.anything({ maxDepth: 2 }),
}, { requiredKeys: ['apiVersion', 'kind'] });

const patchTypes = fc.constantFrom<ApiRequest['patchType']>('application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json');

type Junk = { kind: 'create' | 'update'; target: number; body: unknown } | { kind: 'patch'; target: number; patchType: ApiRequest['patchType']; body: unknown } | { kind: 'raw'; request: unknown };

const junkRequest = (bodies: fc.Arbitrary<unknown>): fc.Arbitrary<Junk> =>
  fc.oneof(
    fc.record({ kind: fc.constantFrom('create' as const, 'update' as const), target: fc.nat(targets.length - 1), body: bodies }),
    fc.record({ kind: fc.constant('patch' as const), target: fc.nat(targets.length - 1), patchType: patchTypes, body: fc.oneof(junk, fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 })) }),
    fc.record({ kind: fc.constant('raw' as const), request: fc.anything({ maxDepth: 3 }) }),
  );

function toRequest(j: Junk): ApiRequest {
  if (j.kind === 'raw') return j.request as ApiRequest;
  const t = targets[j.target];
  const ns = t.resource === 'namespaces' ? undefined : 'default';
  if (j.kind === 'patch') return patch(t, ns, 'target', j.patchType, j.body);
  if (j.kind === 'create') return create(t, ns, j.body);
  // Updates aim at the canary itself (configmaps) or at a name that does not exist.
  return update(t, ns, t.resource === 'configmaps' ? 'canary' : 'target', j.body);
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Junk that cannot succeed: any create/update/raw request, and patches that are not patch documents. */
function mustFail(j: Junk): boolean {
  if (j.kind !== 'patch') return true;
  if (targets[j.target].resource !== 'configmaps') return true; // only the configmap "target" exists
  if (j.patchType === 'application/json-patch+json') return !Array.isArray(j.body);
  if (j.patchType === 'application/strategic-merge-patch+json') return j.body !== null && !isObject(j.body); // null is a no-op
  return !isObject(j.body);
}

function run(requests: Junk[], expectClientError: (j: Junk) => boolean): void {
  const h = new ApiHarness({ config: { cacheWaitMs: 200 } }).start();
  const canary = obj(h.call(create(core('configmaps'), 'default', configMap('canary', { precious: 'yes' }))));
  h.call(create(core('configmaps'), 'default', configMap('target')));
  for (const j of requests) {
    const r = h.call(toRequest(j), 30_000);
    // The one 5xx a well-formed read may get: a resourceVersion the cache never reaches.
    const tooLarge = r.code === 504 && String((r.body as { message?: unknown }).message).startsWith('Timeout: Too large resource version');
    if (!tooLarge) expect(r.code).toBeLessThan(500);
    if (r.code >= 400) expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', code: r.code });
    if (expectClientError(j)) expect(r.code).toBeGreaterThanOrEqual(400);
  }
  expect(obj(h.call(get(core('configmaps'), 'default', 'canary')))).toEqual(canary);
  h.run(50);
  expect(obj(h.call(get(core('configmaps'), 'default', 'canary', { resourceVersion: '0' })))).toEqual(canary);
  expect(h.failures()).toEqual([]);
  expect(h.observations.filter((e) => e.kind === 'observe' && e.observation.type === 'obs.api.panic')).toEqual([]);
}

/** Requests of the right shape with arbitrary names, namespaces, subresources and query parameters. */
const strangeRequest: fc.Arbitrary<ApiRequest> = fc.record({
  verb: fc.constantFrom('get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'),
  group: fc.constantFrom('', 'apps', 'nope'),
  version: fc.constantFrom('v1', 'v2'),
  resource: fc.constantFrom('pods', 'configmaps', 'deployments', 'namespaces', 'widgets'),
  // Never "default": a well-formed delete or deletecollection there could legitimately remove the canary.
  namespace: fc.option(fc.oneof(fc.constant('kube-public'), fc.string({ maxLength: 6 }).filter((n) => n !== 'default')), { nil: undefined }),
  name: fc.option(fc.oneof(fc.constant('canary'), fc.string({ maxLength: 6 })), { nil: undefined }),
  subresource: fc.option(fc.constantFrom('status', 'scale', 'binding', 'eviction', 'log', 'finalize', 'nope'), { nil: undefined }),
  query: fc.option(fc.record({
    labelSelector: fc.anything({ maxDepth: 0 }), fieldSelector: fc.anything({ maxDepth: 0 }), resourceVersion: fc.anything({ maxDepth: 0 }),
    resourceVersionMatch: fc.anything({ maxDepth: 0 }), limit: fc.anything({ maxDepth: 0 }), continue: fc.anything({ maxDepth: 0 }),
    timeoutSeconds: fc.anything({ maxDepth: 0 }), gracePeriodSeconds: fc.anything({ maxDepth: 0 }), propagationPolicy: fc.anything({ maxDepth: 0 }),
  }, { requiredKeys: [] }), { nil: undefined }),
  body: fc.anything({ maxDepth: 2 }),
  patchType: fc.option(patchTypes, { nil: undefined }),
}, { requiredKeys: ['verb', 'group', 'version', 'resource'] }) as fc.Arbitrary<ApiRequest>;

describe('malformed requests', () => {
  it('junk bodies and junk requests get 4xx Status answers and change nothing stored', () => {
    fc.assert(
      fc.property(fc.array(junkRequest(junk), { minLength: 1, maxLength: 8 }), (requests) =>
        run(requests, mustFail),
      ),
      { numRuns: numRuns(40) },
    );
  });

  it('objects of the right type with arbitrary fields never get a 5xx and leave the canary alone', () => {
    fc.assert(
      fc.property(fc.array(junkRequest(broken), { minLength: 1, maxLength: 8 }), (requests) => run(requests, () => false)),
      { numRuns: numRuns(40) },
    );
  });

  it('requests with arbitrary names, namespaces, subresources and query parameters never get a 5xx', () => {
    fc.assert(
      fc.property(fc.array(strangeRequest, { minLength: 1, maxLength: 8 }), (requests) =>
        run(requests.map((request) => ({ kind: 'raw' as const, request })), () => false),
      ),
      { numRuns: numRuns(40) },
    );
  });
});
