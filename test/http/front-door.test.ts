import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import type { BusEvent } from '../../src/bus/envelope.ts';
import { configMap, JSON_HEADERS, openWatch, startLiveCluster, waitFor, type LiveCluster } from './live-cluster.ts';

/**
 * The front door in process, over a live control plane (3 etcd members, an apiserver actor, real time):
 * routing, Status errors with the right codes, bodies, paging, selectors, watches, health, metrics.
 */

let c: LiveCluster;
const busLog: BusEvent[] = [];

beforeAll(async () => {
  c = await startLiveCluster({ apiserverConfig: { watchCacheSize: 20, bookmarkIntervalMs: 300 } });
  c.sim.bus.tap.subscribe((e) => {
    if (e.kind === 'send' && e.envelope.from === 'frontdoor-0') busLog.push(e);
  });
}, 30_000);

afterAll(async () => {
  await c?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = JSON_HEADERS) =>
  c.json(path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

function expectStatus(res: { status: number; body: any }, code: number, reason: string): void {
  expect(res.status).toBe(code);
  expect(res.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
  expect(typeof res.body.message).toBe('string');
}

describe('CRUD through the front door', () => {
  it('creates, reads, updates, patches and deletes a namespaced object', async () => {
    const created = await post('/api/v1/namespaces/default/configmaps', configMap('crud', { a: '1' }));
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'crud', namespace: 'default' });
    // Live mode: timestamps are wall time.
    expect(Math.abs(Date.parse(created.body.metadata.creationTimestamp) - Date.now())).toBeLessThan(60_000);

    const got = await c.json('/api/v1/namespaces/default/configmaps/crud');
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual({ a: '1' });

    const updated = await c.json('/api/v1/namespaces/default/configmaps/crud', {
      method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ ...got.body, data: { a: '2' } }),
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toEqual({ a: '2' });

    const stale = await c.json('/api/v1/namespaces/default/configmaps/crud', {
      method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ ...got.body, data: { a: '3' } }),
    });
    expectStatus(stale, 409, 'Conflict');

    const merged = await c.json('/api/v1/namespaces/default/configmaps/crud', {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { b: 'x' } }),
    });
    expect(merged.body.data).toEqual({ a: '2', b: 'x' });
    const jsonPatched = await c.json('/api/v1/namespaces/default/configmaps/crud', {
      method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'remove', path: '/data/a' }]),
    });
    expect(jsonPatched.body.data).toEqual({ b: 'x' });
    const smp = await c.json('/api/v1/namespaces/default/configmaps/crud', {
      method: 'PATCH', headers: { 'Content-Type': 'application/strategic-merge-patch+json' }, body: JSON.stringify({ data: { c: 'y' } }),
    });
    expect(smp.body.data).toEqual({ b: 'x', c: 'y' });

    const deleted = await c.json('/api/v1/namespaces/default/configmaps/crud', { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expectStatus(await c.json('/api/v1/namespaces/default/configmaps/crud'), 404, 'NotFound');
  });

  it('serves cluster-scoped resources, namespaces and their subresources', async () => {
    const ns = await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scoped' } });
    expect(ns.status).toBe(201);
    expect((await c.json('/api/v1/namespaces/scoped')).body.metadata.name).toBe('scoped');
    const status = await c.json('/api/v1/namespaces/scoped/status');
    expect(status.status).toBe(200);
    expect(status.body.kind).toBe('Namespace');
    const inNs = await post('/api/v1/namespaces/scoped/configmaps', configMap('inside'));
    expect(inNs.body.metadata.namespace).toBe('scoped');
    // A cluster-scoped resource under a namespace does not exist.
    expectStatus(await c.json('/api/v1/namespaces/default/nodes'), 404, 'NotFound');
  });

  it('accepts YAML bodies and answers YAML when asked', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n';
    const created = await post('/api/v1/namespaces/default/configmaps', yaml, { 'Content-Type': 'application/yaml' });
    expect(created.status).toBe(201);
    const res = await c.fetch('/api/v1/namespaces/default/configmaps/from-yaml', { headers: { Accept: 'application/yaml' } });
    expect(res.headers.get('content-type')).toBe('application/yaml');
    expect(await res.text()).toMatch(/name: from-yaml/);
  });

  it('routes the apps group and subresources (deployments/scale)', async () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
    };
    expect((await post('/apis/apps/v1/namespaces/default/deployments', deployment)).status).toBe(201);
    const scale = await c.json('/apis/apps/v1/namespaces/default/deployments/web/scale');
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 } });
    const patched = await c.json('/apis/apps/v1/namespaces/default/deployments/web/scale', {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { replicas: 5 } }),
    });
    expect(patched.body.spec.replicas).toBe(5);
    expect((await c.json('/apis/apps/v1/namespaces/default/deployments/web')).body.spec.replicas).toBe(5);
  });

  it('answers PartialObjectMetadata when asked', async () => {
    await post('/api/v1/namespaces/default/configmaps', configMap('meta-only', { secret: 'x' }));
    const res = await c.json('/api/v1/namespaces/default/configmaps/meta-only', {
      headers: { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
    });
    expect(res.body).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'meta-only' } });
    expect(res.body.data).toBeUndefined();
  });

  it('hands Table requests to the table printer', async () => {
    const res = await c.json('/api/v1/namespaces/default/configmaps', {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
  });
});

describe('errors are Status objects with the right codes', () => {
  it('404 for unknown paths, resources and objects', async () => {
    expectStatus(await c.json('/no/such/path'), 404, 'NotFound');
    expectStatus(await c.json('/api/v1/namespaces/default/widgets'), 404, 'NotFound');
    expectStatus(await c.json('/apis/nope.example.com/v1/things'), 404, 'NotFound');
    const missing = await c.json('/api/v1/namespaces/default/configmaps/absent');
    expectStatus(missing, 404, 'NotFound');
    expect(missing.body.message).toBe('configmaps "absent" not found');
  });

  it('405 for methods a path does not take', async () => {
    expectStatus(await c.json('/api/v1/namespaces/default/configmaps', { method: 'PUT', body: '{}' }), 405, 'MethodNotAllowed');
    expectStatus(await post('/api/v1/namespaces/default/configmaps/x', configMap('x')), 405, 'MethodNotAllowed');
    expectStatus(await c.json('/api/v1/namespaces/default/configmaps', { method: 'OPTIONS' }), 405, 'MethodNotAllowed');
  });

  it('409 AlreadyExists', async () => {
    await post('/api/v1/namespaces/default/configmaps', configMap('twice'));
    const again = await post('/api/v1/namespaces/default/configmaps', configMap('twice'));
    expectStatus(again, 409, 'AlreadyExists');
    expect(again.body.message).toBe('configmaps "twice" already exists');
  });

  it('422 Invalid with causes', async () => {
    const res = await post('/api/v1/namespaces/default/configmaps', configMap('Not_Valid'));
    expectStatus(res, 422, 'Invalid');
    expect(res.body.details.causes.length).toBeGreaterThan(0);
  });

  it('400 for malformed JSON and YAML, wrong kinds and bad query parameters', async () => {
    const bad = await post('/api/v1/namespaces/default/configmaps', '{"apiVersion": "v1", ');
    expectStatus(bad, 400, 'BadRequest');
    expect(bad.body.message).toMatch(/^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: /);
    expectStatus(await post('/api/v1/namespaces/default/configmaps', 'a: [b', { 'Content-Type': 'application/yaml' }), 400, 'BadRequest');
    expectStatus(await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }), 400, 'BadRequest');
    const limit = await c.json('/api/v1/namespaces/default/configmaps?limit=abc');
    expectStatus(limit, 400, 'BadRequest');
    expect(limit.body.message).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
    expectStatus(await c.json('/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(b'), 400, 'BadRequest');
    expectStatus(await c.json('/api/v1/namespaces/default/configmaps?resourceVersion=abc'), 400, 'BadRequest');
    expectStatus(await c.json('/api/v1/namespaces/default/configmaps?continue=%21%21'), 400, 'BadRequest');
    expectStatus(await c.json('/api/v1/namespaces/default/configmaps?dryRun=Some', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(configMap('d')) }), 422, 'Invalid');
  });

  it('honours fieldValidation: Strict refuses unknown fields, Warn warns, Ignore is silent', async () => {
    const body = { ...configMap('strict'), extra: 1, metadata: { name: 'strict', labelz: {} } };
    const strict = await post('/api/v1/namespaces/default/configmaps?fieldValidation=Strict', body);
    expectStatus(strict, 400, 'BadRequest');
    expect(strict.body.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.labelz", unknown field "extra"');
    const warned = await post('/api/v1/namespaces/default/configmaps?fieldValidation=Warn', body);
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toBe('299 - "unknown field \\"metadata.labelz\\"", 299 - "unknown field \\"extra\\""');
    const ignored = await post('/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', { ...body, metadata: { name: 'strict-2' } });
    expect(ignored.status).toBe(201);
    expect(ignored.headers.get('warning')).toBeNull();
  });

  it('415 for unknown content types, 406 for unacceptable ones', async () => {
    const res = await post('/api/v1/namespaces/default/configmaps', '<xml/>', { 'Content-Type': 'application/xml' });
    expectStatus(res, 415, 'UnsupportedMediaType');
    expect(res.body.message).toBe('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    const patch = await c.json('/api/v1/namespaces/default/configmaps/x', { method: 'PATCH', headers: JSON_HEADERS, body: '{}' });
    expectStatus(patch, 415, 'UnsupportedMediaType');
    expectStatus(await c.json('/api/v1/namespaces', { headers: { Accept: 'text/html' } }), 406, 'NotAcceptable');
  });

  it('413 for bodies over the limit, declared or streamed', async () => {
    const huge = JSON.stringify(configMap('huge', { blob: 'x'.repeat(4 * 1024 * 1024) }));
    expectStatus(await post('/api/v1/namespaces/default/configmaps', huge), 413, 'RequestEntityTooLarge');
    const chunked = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = httpRequest(`${c.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: JSON_HEADERS }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      // No Content-Length: the limit is found while reading.
      const piece = 'x'.repeat(1024 * 1024);
      let sent = 0;
      const more = (): void => {
        while (sent < 5) {
          sent++;
          if (!req.write(piece)) return void req.once('drain', more);
        }
        req.end();
      };
      more();
    });
    expectStatus(chunked, 413, 'RequestEntityTooLarge');
    expect(chunked.body.message).toBe('Request entity too large: limit is 3145728');
    // The server is still fine.
    expect((await c.json('/api/v1/namespaces/default/configmaps')).status).toBe(200);
  });

  it('refuses bodies nested deeper than the decoder allows', async () => {
    const deep = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const res = await post('/api/v1/namespaces/default/configmaps', deep);
    expectStatus(res, 400, 'BadRequest');
    expect(res.body.message).toMatch(/exceeded max depth/);
  });
});

describe('lists', () => {
  it('pages with limit and continue, one consistent snapshot', async () => {
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) expect((await post('/api/v1/namespaces/paging/configmaps', configMap(`cm-${i}`))).status).toBe(201);
    const names: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await c.json(`/api/v1/namespaces/paging/configmaps?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      expect(page.status).toBe(200);
      names.push(...page.body.items.map((i: any) => i.metadata.name));
      token = page.body.metadata.continue ?? '';
      if (pages === 0) expect(page.body.metadata.remainingItemCount).toBe(4);
      pages++;
    } while (token !== '');
    expect(pages).toBe(3);
    expect(names).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
  });

  it('filters with label and field selectors, including != and across namespaces', async () => {
    await post('/api/v1/namespaces/default/configmaps', configMap('sel-a', {}, { tier: 'front' }));
    await post('/api/v1/namespaces/default/configmaps', configMap('sel-b', {}, { tier: 'back' }));
    const names = async (q: string) =>
      (await c.json(`/api/v1/configmaps?${q}`)).body.items.map((i: any) => i.metadata.name).filter((n: string) => n.startsWith('sel-'));
    expect(await names('labelSelector=tier%3Dfront')).toEqual(['sel-a']);
    expect(await names('labelSelector=tier!%3Dfront,tier')).toEqual(['sel-b']);
    expect(await names('fieldSelector=metadata.name%3Dsel-b')).toEqual(['sel-b']);
    expect(await names('fieldSelector=metadata.name!%3Dsel-b&labelSelector=tier')).toEqual(['sel-a']);
  });
});

describe('watch', () => {
  it('streams chunked JSON lines with headers flushed at once', async () => {
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watched' } });
    // Nothing to send yet: the response must still start (fetch resolves on headers).
    const w = await openWatch(`${c.url}/api/v1/namespaces/watched/configmaps?watch=1`);
    expect(w.status).toBe(200);
    expect(w.headers.get('content-type')).toBe('application/json');
    expect(w.headers.get('transfer-encoding')).toBe('chunked');
    await post('/api/v1/namespaces/watched/configmaps', configMap('w1', { v: '1' }));
    await c.json('/api/v1/namespaces/watched/configmaps/w1', {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { v: '2' } }),
    });
    await c.json('/api/v1/namespaces/watched/configmaps/w1', { method: 'DELETE' });
    await w.waitForEvents(3);
    expect(w.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'w1'], ['MODIFIED', 'w1'], ['DELETED', 'w1']]);
    w.abort();
  });

  it('delivers every event to every watcher under concurrent writes', async () => {
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fanout' } });
    const rv = (await c.json('/api/v1/namespaces/fanout/configmaps')).body.metadata.resourceVersion;
    const watchers = await Promise.all(Array.from({ length: 5 }, () => openWatch(`${c.url}/api/v1/namespaces/fanout/configmaps?watch=1&resourceVersion=${rv}`)));
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < 100) {
        const i = next++;
        expect((await post('/api/v1/namespaces/fanout/configmaps', configMap(`fan-${i}`))).status).toBe(201);
      }
    }));
    for (const w of watchers) {
      await w.waitForEvents(100);
      const revisions = w.events.map((e) => Number(e.object.metadata.resourceVersion));
      expect(new Set(w.events.map((e) => e.object.metadata.name)).size).toBe(100);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
      w.abort();
    }
  });

  it('serves the deprecated /watch/ paths and a named watch', async () => {
    await post('/api/v1/namespaces/default/configmaps', configMap('named-watch'));
    const w = await openWatch(`${c.url}/api/v1/watch/namespaces/default/configmaps/named-watch`);
    await w.waitForEvents(1);
    expect(w.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'named-watch']]);
    w.abort();
  });

  it('sends bookmarks when allowed and ends at timeoutSeconds', async () => {
    const list = await c.json('/api/v1/namespaces/default/configmaps');
    const rv = list.body.metadata.resourceVersion;
    const w = await openWatch(`${c.url}/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=2`);
    await w.waitForEvents(1);
    expect(w.events[0].type).toBe('BOOKMARK');
    expect(w.events[0].object.kind).toBe('ConfigMap');
    await w.ended;
    expect(w.events.every((e) => e.type === 'BOOKMARK')).toBe(true);
  });

  it('reports a too old resourceVersion as a 410 ERROR event and ends the stream', async () => {
    for (let i = 0; i < 25; i++) await post('/api/v1/namespaces/default/configmaps', configMap(`churn-${i}`));
    const w = await openWatch(`${c.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2`);
    expect(w.status).toBe(200);
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', code: 410 } });
  });

  it('refuses a bad watch with a Status before streaming', async () => {
    const res = await c.json('/api/v1/namespaces/default/configmaps?watch=1&labelSelector=%3D%3D%3D');
    expectStatus(res, 400, 'BadRequest');
  });

  it('cancels the watch on the bus when the client goes away', async () => {
    const w = await openWatch(`${c.url}/api/v1/namespaces/default/secrets?watch=1`);
    const before = busLog.filter((e) => e.envelope.type === 'api.watch.cancel').length;
    w.abort();
    await waitFor(() => busLog.filter((e) => e.envelope.type === 'api.watch.cancel').length > before, 5_000);
    await waitFor(() => c.door.client.inflight.watches === 0, 5_000);
  });
});

describe('health, version, metrics', () => {
  it('answers /healthz, /livez and /readyz, verbose and per check', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const res = await c.fetch(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('ok');
    }
    const verbose = await (await c.fetch('/readyz?verbose')).text();
    expect(verbose).toContain('[+]etcd ok');
    expect(verbose).toContain('[+]informer-sync ok');
    expect(verbose.trim().endsWith('readyz check passed')).toBe(true);
    expect(await (await c.fetch('/livez/etcd')).text()).toBe('ok');
    expect((await c.fetch('/livez/nosuchcheck')).status).toBe(404);
    const excluded = await (await c.fetch('/healthz?verbose&exclude=etcd')).text();
    expect(excluded).toContain('[+]etcd excluded: ok');
  });

  it('serves /version', async () => {
    const res = await c.json('/version');
    expect(res.body).toMatchObject({ major: '1', minor: '31', gitVersion: 'v1.31.0', platform: 'linux/amd64' });
  });

  it('counts requests by verb, resource and code in /metrics', async () => {
    await c.json('/api/v1/namespaces/default/configmaps/metric-missing');
    const text = await (await c.fetch('/metrics')).text();
    expect(text).toMatch(/^# TYPE apiserver_request_total counter$/m);
    expect(text).toMatch(/apiserver_request_total\{code="404",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="GET",version="v1"\} \d+/);
    expect(text).toMatch(/apiserver_request_total\{code="201",[^}]*verb="POST"[^}]*\} \d+/);
    expect(text).toMatch(/apiserver_request_duration_seconds_bucket\{[^}]*resource="configmaps"[^}]*le="\+Inf"\} \d+/);
  });
});
