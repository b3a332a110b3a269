import { describe, expect, it } from 'vitest';
import { toCommand } from '../../machines/etcd-member/server/translate.ts';
import type { ApiServerContext } from '../../machines/apiserver/types.ts';
import type { KvRequest } from '../../src/etcd/protocol.ts';
import type { MvccStore } from '../../src/etcd/mvcc/index.ts';
import { ApiHarness, configMap, core, create, list, obj } from './harness.ts';

/**
 * ConsistentListFromCache (kube-apiserver 1.31, beta, on by default): a list with resourceVersion unset asks
 * etcd for its current revision with a quorum read of one key, waits until the watch cache has caught up with
 * it (asking etcd for progress notifications meanwhile) and serves from the cache; if the cache does not catch
 * up within cacheWaitMs the list is read from etcd. Paginated consistent lists are still read from etcd.
 */

const CONFIGMAPS = '/registry/configmaps/';
const itemNames = (body: any) => (body.items as any[]).map((i) => i.metadata.name);

/** The etcd requests the apiserver's etcd client was asked for since `from` (index into observations). */
function etcdRequests(h: ApiHarness, from = 0): KvRequest[] {
  return h.observations.slice(from).flatMap((e) =>
    e.kind === 'observe' && e.observation.type === 'obs.etcd.invoke' ? [e.observation.request as KvRequest] : []);
}
const prefixReads = (requests: KvRequest[]) => requests.filter((r) => r.op === 'range' && r.key.startsWith(CONFIGMAPS));

function fakeEtcd(h: ApiHarness): { store: MvccStore; streams: Map<number, unknown> } {
  return h.sim.host('etcd-0').snapshot()!.context as { store: MvccStore; streams: Map<number, unknown> };
}

/** A configmap written straight into etcd's store: its watch event is not sent until etcd's next step. */
function writeBehindTheCache(h: ApiHarness, name: string): number {
  const { store } = fakeEtcd(h);
  const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2024-01-01T00:00:00Z' } });
  store.apply(toCommand({ op: 'put', key: `${CONFIGMAPS}default/${name}`, value }, () => 0)!);
  return store.revision;
}

const cacheRevision = (h: ApiHarness) => (h.hosted.apiserver.snapshot()!.context as ApiServerContext).feeds.get(CONFIGMAPS)!.cache.revision;

describe('consistent lists from the watch cache', () => {
  it('serves resourceVersion="" from the cache after one cheap quorum read of the revision', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('a')));
    const written = Number(obj(h.call(create(core('configmaps'), 'default', configMap('b')))).metadata.resourceVersion);
    const mark = h.observations.length;
    const body = obj(h.call(list(core('configmaps'), 'default')));
    expect(itemNames(body)).toEqual(['a', 'b']);
    expect(Number(body.metadata.resourceVersion)).toBeGreaterThanOrEqual(written);
    // One range of the resource prefix itself (no object's key), limit 1 — never the whole prefix.
    expect(etcdRequests(h, mark)).toEqual([{ op: 'range', key: '/registry/configmaps', limit: 1 }]);
  });

  it('waits for a stale cache to catch up with etcd before answering', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('a')));
    const revision = writeBehindTheCache(h, 'late');
    expect(cacheRevision(h)).toBeLessThan(revision);
    const mark = h.observations.length;
    const body = obj(h.call(list(core('configmaps'), 'default')));
    // Served from the cache (no prefix read), yet it has the object written behind the cache's back.
    expect(prefixReads(etcdRequests(h, mark))).toEqual([]);
    expect(itemNames(body)).toEqual(['a', 'late']);
    expect(Number(body.metadata.resourceVersion)).toBeGreaterThanOrEqual(revision);
    // The cache as it was when the request arrived would have missed it: resourceVersion "0" does not wait.
    const h2 = new ApiHarness().start();
    h2.call(create(core('configmaps'), 'default', configMap('a')));
    writeBehindTheCache(h2, 'late');
    expect(itemNames(obj(h2.call(list(core('configmaps'), 'default', { resourceVersion: '0' }))))).toEqual(['a']);
  });

  it('catches up on a quiet resource through watch progress requests', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('a')));
    // Writes to another resource move etcd's revision; the configmaps feed hears nothing of them.
    const last = Number(obj(h.call(create(core('secrets'), 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }))).metadata.resourceVersion);
    expect(cacheRevision(h)).toBeLessThan(last);
    const mark = h.observations.length;
    const started = h.sim.now;
    const id = h.send(list(core('configmaps'), 'default'));
    const response = h.await(id);
    expect(response.code).toBe(200);
    expect(Number(obj(response).metadata.resourceVersion)).toBeGreaterThanOrEqual(last);
    expect(prefixReads(etcdRequests(h, mark))).toEqual([]);
    // A progress notification on request, not the etcd client's own after a second of silence.
    expect(h.responses.get(id)!.at - started).toBeLessThan(100);
  });

  it('falls back to etcd when the cache does not catch up within cacheWaitMs', () => {
    const h = new ApiHarness({ config: { cacheWaitMs: 500 } }).start();
    h.call(create(core('configmaps'), 'default', configMap('a')));
    // Every feed goes silent: etcd forgets where its streams go (events and progress are lost).
    const { streams } = fakeEtcd(h);
    expect(streams.size).toBeGreaterThan(0);
    streams.clear();
    writeBehindTheCache(h, 'late');
    const mark = h.observations.length;
    const started = h.sim.now;
    const id = h.send(list(core('configmaps'), 'default'));
    const response = h.await(id);
    expect(response.code).toBe(200);
    expect(itemNames(obj(response))).toEqual(['a', 'late']);
    expect(h.responses.get(id)!.at - started).toBeGreaterThanOrEqual(500);
    expect(prefixReads(etcdRequests(h, mark))).toEqual([{ op: 'range', key: `${CONFIGMAPS}default/`, rangeEnd: `${CONFIGMAPS}default0` }]);
  });

  it('reads paginated consistent lists from etcd, as upstream delegates them', () => {
    const h = new ApiHarness().start();
    for (const name of ['a', 'b', 'c']) h.call(create(core('configmaps'), 'default', configMap(name)));
    const mark = h.observations.length;
    const page = obj(h.call(list(core('configmaps'), 'default', { limit: 2 })));
    expect(itemNames(page)).toEqual(['a', 'b']);
    expect(prefixReads(etcdRequests(h, mark))).toHaveLength(1);
  });
});

describe('lists read from etcd', () => {
  it('read `limit` keys at a time, doubling while a selector leaves the page short, as upstream GetList', () => {
    const h = new ApiHarness().start();
    for (let i = 0; i < 10; i++) h.call(create(core('configmaps'), 'default', configMap(`cm-${i}`, {}, { pick: String(i % 5 === 0) })));
    const page = (query: Record<string, unknown>) => {
      const mark = h.observations.length;
      const body = obj(h.call(list(core('configmaps'), 'default', { limit: 1, labelSelector: 'pick=true', ...query })));
      return { body, limits: prefixReads(etcdRequests(h, mark)).map((r) => (r as { limit?: number }).limit) };
    };
    const first = page({});
    expect([itemNames(first.body), first.limits]).toEqual([['cm-0'], [1]]);
    expect(first.body.metadata.remainingItemCount).toBeUndefined();
    const second = page({ continue: first.body.metadata.continue });
    expect([itemNames(second.body), second.limits]).toEqual([['cm-5'], [1, 2, 4]]);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    // etcd had more keys after cm-5, so the page continues — onto an empty last page, as upstream's does.
    const third = page({ continue: second.body.metadata.continue });
    expect([itemNames(third.body), third.body.metadata.continue]).toEqual([[], undefined]);
  });
});

