import { describe, expect, it } from 'vitest';
import { ApiHarness, APISERVER, CLIENT, configMap, core, create, get, obj, watch } from '../../test/apiserver/harness.ts';
import type { EtcdClientContext } from '../etcd-client/types.ts';
import type { ApiServerContext } from './types.ts';

const contextOf = (h: ApiHarness) => h.hosted.apiserver.snapshot()!.context as ApiServerContext;
const observations = (h: ApiHarness, type: string) =>
  h.observations.flatMap((e) => (e.kind === 'observe' && e.observation.type === type ? [e.observation] : []));

describe('apiserver machine', () => {
  it('is initializing until every watch cache has listed, then serving with the system namespaces', () => {
    const h = new ApiHarness().host();
    expect(h.hosted.apiserver.snapshot()!.matches('initializing')).toBe(true);
    // A request that needs a cache waits for it rather than failing.
    const early = h.send(get(core('namespaces'), undefined, 'default', { resourceVersion: '0' }));
    h.awaitServing();
    expect(h.hosted.apiserver.snapshot()!.matches('serving')).toBe(true);
    expect(contextOf(h).feeds.size).toBe(15);
    expect(observations(h, 'obs.api.cacheReady')).toHaveLength(15);
    // The cache listed before the bootstrap created "default": the early read waited, then found it or not.
    expect([200, 404]).toContain(h.await(early).code);
    expect(h.call(get(core('namespaces'), undefined, 'default', { resourceVersion: '0' })).code).toBe(200);
  });

  it('reports every request as obs.api.request with verb, resource, code and latency', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('m')));
    h.call(get(core('configmaps'), 'default', 'missing'));
    const seen = observations(h, 'obs.api.request').filter((o) => o.client === CLIENT);
    expect(seen.map((o) => [o.verb, o.resource, o.code])).toEqual([['create', 'configmaps', 201], ['get', 'configmaps', 404]]);
    expect(seen.every((o) => typeof o.latencyMs === 'number' && (o.latencyMs as number) > 0)).toBe(true);
  });

  it('serves a request delivered twice (network duplication) only once', () => {
    const h = new ApiHarness().start();
    const message = { type: 'api.request', from: CLIENT, requestId: 'dup', request: create(core('configmaps'), 'default', configMap('once')) };
    h.sim.bus.send(CLIENT, APISERVER, message);
    h.sim.bus.send(CLIENT, APISERVER, message);
    h.run(100);
    expect(h.responses.get('dup')?.code).toBe(201);
    expect(observations(h, 'obs.api.duplicate')).toHaveLength(1);
    expect(observations(h, 'obs.api.request').filter((o) => o.requestId === 'dup')).toHaveLength(1);
  });

  it('restarts from etcd after a crash: data intact, caches rebuilt, the old incarnation\'s etcd watches closed', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('survivor', { v: '1' })));
    const before = h.send(watch(core('configmaps'), 'default'));
    h.run(50);
    h.sim.crash(APISERVER);
    h.sim.restart(APISERVER);
    h.awaitServing();
    expect(h.hosted.apiserver.incarnation).toBe(1);
    expect(obj(h.call(get(core('configmaps'), 'default', 'survivor', { resourceVersion: '0' }))).data).toEqual({ v: '1' });
    // The first incarnation's watches, still open at the etcd client, are cancelled as soon as they relay
    // anything (quiet ones cost nothing meanwhile: the client watches connections, not each watch).
    const client = h.hosted.etcdClient.snapshot()!.context as EtcdClientContext;
    const oldConfigMapWatches = () => [...client.watches.values()]
      .filter((w) => w.watchId.startsWith('apiserver-0/i0.') && w.request.key.startsWith('/registry/configmaps'));
    expect(oldConfigMapWatches()).toHaveLength(1);
    h.call(create(core('configmaps'), 'default', configMap('poke')));
    h.run(5_000);
    expect(oldConfigMapWatches()).toEqual([]);
    expect([...client.watches.keys()].filter((id) => id.startsWith('apiserver-0/i1.'))).toHaveLength(15);
    // The crashed incarnation's watchers are gone with it; their clients re-watch.
    expect(h.watchEvents(before).map((e) => (e.object as any).metadata.name)).not.toContain('poke');
  });

  it('never fails: an exception while serving one request is a 500 for that request only', () => {
    const touchy = { name: 'Touchy', authorize: (a: { name?: string }) => { if (a.name === 'bomb') throw new Error('boom'); return { decision: 'allow' as const }; } };
    const h = new ApiHarness({ config: { authorizers: [touchy] } }).start();
    const r = h.call(get(core('configmaps'), 'default', 'bomb'));
    expect(r.code).toBe(500);
    expect(r.body).toMatchObject({ reason: 'InternalError', message: 'Internal error occurred: boom' });
    expect(observations(h, 'obs.api.panic')).toHaveLength(1);
    expect(h.call(get(core('namespaces'), undefined, 'default')).code).toBe(200);
    expect(h.failures()).toEqual([]);
  });
});
