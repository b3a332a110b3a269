import { describe, expect, it } from 'vitest';
import type { ApiRequestMessage, ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import { expired, statusError } from '../../src/apiserver/protocol.ts';
import {
  DEFAULT_INFORMER_OPTIONS, informerDeadline, newInformer, receiveResponse, receiveWatch, startInformer, tickInformer,
  type InformerState, type InformerStep, type KubeObject,
} from '../../src/client/index.ts';
import { cachedObjects, fakeContext, informerContext, informerSim, pod, serverObjects } from './helpers.ts';
import { podSpec } from './informer-host.ts';

const names = (objs: readonly KubeObject[]) => objs.map((o) => o.metadata?.name).sort();
const deltaLog = (client: Parameters<typeof informerContext>[0]) =>
  informerContext(client).deltas.map((d) => `${d.type}:${d.object.metadata?.name}`);
const fastBackoff = { backoff: { initialMs: 100, maxMs: 1_000, factor: 2, resetAfterMs: 10_000 } };

describe('informer against the fake apiserver', () => {
  it('lists, then watches from the list resourceVersion with bookmarks, and follows every change', () => {
    const { sim, fake, command, startInformer: start } = informerSim();
    command({ type: 'fake.put', resource: 'pods', object: pod('a') });
    command({ type: 'fake.put', resource: 'pods', object: pod('b') });
    const listedAt = fakeContext(fake).api.rv;
    const client = start();
    sim.runFor(20);
    const state = informerContext(client).informer;
    expect(state.hasSynced).toBe(true);
    expect(state.phase).toBe('watching');
    expect(names(cachedObjects(client))).toEqual(['a', 'b']);
    const [watch] = Object.values(fakeContext(fake).watches);
    expect(watch).toMatchObject({ bookmarks: true, resource: 'pods' });
    expect(state.lastSyncResourceVersion).toBe(String(listedAt));

    command({ type: 'fake.put', resource: 'pods', object: pod('c') });
    command({ type: 'fake.put', resource: 'pods', object: pod('a', { tier: 'web' }) });
    command({ type: 'fake.delete', resource: 'pods', namespace: 'default', name: 'b' });
    sim.runFor(20);
    expect(cachedObjects(client)).toEqual(serverObjects(fake, 'pods'));
    expect(deltaLog(client)).toEqual(['added:a', 'added:b', 'added:c', 'updated:a', 'deleted:b']);
  });

  it('moves its resourceVersion forward on bookmarks', () => {
    const { sim, fake, command, startInformer: start } = informerSim({ fake: { bookmarkIntervalMs: 500 } });
    const client = start();
    sim.runFor(20);
    // A change to another resource moves the global revision; only a bookmark tells the pod watcher.
    command({ type: 'fake.put', resource: 'configmaps', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } } });
    sim.runFor(600);
    expect(informerContext(client).informer.lastSyncResourceVersion).toBe(String(fakeContext(fake).api.rv));
  });

  it('relists after a 410 Expired watch error, reporting what changed meanwhile with tombstones', () => {
    const { sim, fake, command, startInformer: start } = informerSim({ informer: fastBackoff });
    command({ type: 'fake.put', resource: 'pods', object: pod('a') });
    command({ type: 'fake.put', resource: 'pods', object: pod('b') });
    const client = start();
    sim.runFor(20);
    command({ type: 'fake.expire' });
    sim.runFor(10);
    expect(informerContext(client).informer.phase).toBe('backoff');
    command({ type: 'fake.delete', resource: 'pods', namespace: 'default', name: 'a' });
    command({ type: 'fake.put', resource: 'pods', object: pod('c') });
    sim.runFor(200);
    const { informer, deltas } = informerContext(client);
    expect(informer.stats).toMatchObject({ lists: 2, expired: 1 });
    expect(informer.phase).toBe('watching');
    expect(cachedObjects(client)).toEqual(serverObjects(fake, 'pods'));
    expect(deltaLog(client).slice(2)).toEqual(['updated:b', 'added:c', 'deleted:a']);
    expect(deltas.at(-1)).toMatchObject({ type: 'deleted', finalStateUnknown: true });
  });

  it('re-watches from its last resourceVersion when a watch ends cleanly, getting the events in between replayed', () => {
    const { sim, fake, command, startInformer: start } = informerSim();
    const client = start();
    sim.runFor(20);
    command({ type: 'fake.faults', faults: { close: 1 } });
    command({ type: 'fake.put', resource: 'pods', object: pod('x') });
    command({ type: 'fake.faults', faults: {} });
    // Made after the stream closed and before the new watch arrives: only a replay can deliver it.
    command({ type: 'fake.put', resource: 'pods', object: pod('y') });
    sim.runFor(20);
    const { informer } = informerContext(client);
    expect(informer.stats).toMatchObject({ lists: 1, watches: 2 });
    expect(names(cachedObjects(client))).toEqual(['x', 'y']);
    expect(cachedObjects(client)).toEqual(serverObjects(fake, 'pods'));
  });

  it('relists when the re-watch itself is refused with 410 (resourceVersion compacted away)', () => {
    const { sim, fake, command, startInformer: start } = informerSim({ fake: { expiredAs: 'response' }, informer: fastBackoff });
    const client = start();
    sim.runFor(20);
    command({ type: 'fake.faults', faults: { close: 1 } });
    command({ type: 'fake.put', resource: 'pods', object: pod('x') });
    command({ type: 'fake.faults', faults: {} });
    command({ type: 'fake.put', resource: 'pods', object: pod('y') });
    // History now starts after y: the re-watch from x's resourceVersion cannot be served.
    command({ type: 'fake.expire' });
    sim.runFor(300);
    const { informer } = informerContext(client);
    expect(informer.stats).toMatchObject({ lists: 2, expired: 1 });
    expect(cachedObjects(client)).toEqual(serverObjects(fake, 'pods'));
  });

  it('treats a silent watch as dead after the stall timeout: cancels it and relists', () => {
    const { sim, fake, command, startInformer: start } = informerSim({
      fake: { bookmarkIntervalMs: 500 }, informer: { ...fastBackoff, stallTimeoutMs: 2_000 },
    });
    command({ type: 'fake.put', resource: 'pods', object: pod('a') });
    const client = start();
    sim.runFor(20);
    command({ type: 'fake.faults', faults: { drop: 1 } });
    command({ type: 'fake.put', resource: 'pods', object: pod('lost') });
    command({ type: 'fake.faults', faults: {} });
    sim.runFor(1_500);
    expect(names(cachedObjects(client))).toEqual(['a']);
    sim.runFor(1_000);
    const { informer } = informerContext(client);
    expect(informer.stats).toMatchObject({ stalls: 1, lists: 2 });
    expect(names(cachedObjects(client))).toEqual(['a', 'lost']);
    // The dead stream was cancelled at the server; only the new one is open.
    expect(Object.values(fakeContext(fake).watches).filter((w) => !w.broken)).toHaveLength(1);
    expect(Object.values(fakeContext(fake).watches).filter((w) => w.broken)).toHaveLength(0);
  });

  it('applies each change once when watch batches are duplicated', () => {
    const { sim, fake, command, startInformer: start } = informerSim();
    const client = start();
    sim.runFor(20);
    command({ type: 'fake.faults', faults: { duplicate: 1 } });
    command({ type: 'fake.put', resource: 'pods', object: pod('a') });
    command({ type: 'fake.put', resource: 'pods', object: pod('a', { v: '2' }) });
    command({ type: 'fake.delete', resource: 'pods', namespace: 'default', name: 'a' });
    sim.runFor(20);
    expect(deltaLog(client)).toEqual(['added:a', 'updated:a', 'deleted:a']);
    // Each repeat carries the seq already taken from the stream: dropped whole, before its events are read.
    expect(informerContext(client).informer.stats.duplicateMessages).toBe(3);
    expect(informerContext(client).informer.stats.brokenStreams).toBe(0);
    expect(cachedObjects(client)).toEqual(serverObjects(fake, 'pods'));
  });

  it('keeps per-stream order under random delays', () => {
    const { sim, fake, command, startInformer: start } = informerSim();
    const client = start();
    sim.runFor(20);
    command({ type: 'fake.faults', faults: { delayMs: [0, 80] } });
    for (let v = 0; v < 10; v++) {
      command({ type: 'fake.put', resource: 'pods', object: pod('a', { v: String(v) }) });
      sim.runFor(3);
    }
    sim.runFor(200);
    const versions = informerContext(client).deltas.map((d) => Number(d.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(cachedObjects(client)).toEqual(serverObjects(fake, 'pods'));
    expect(fakeContext(fake).stats.delayed).toBeGreaterThan(0);
  });

  it('re-delivers every cached object as an update on each resync period', () => {
    const { sim, command, startInformer: start } = informerSim({ informer: { resyncPeriodMs: 1_000 } });
    command({ type: 'fake.put', resource: 'pods', object: pod('a') });
    command({ type: 'fake.put', resource: 'pods', object: pod('b') });
    const client = start();
    sim.runFor(2_050);
    const { deltas, informer } = informerContext(client);
    const resyncs = deltas.filter((d) => d.type === 'updated' && d.old === d.object);
    expect(resyncs.map((d) => d.object.metadata?.name)).toEqual(['a', 'b', 'a', 'b']);
    expect(informer.stats.resyncs).toBe(2);
  });
});

describe('informer reducer', () => {
  const options = { ...DEFAULT_INFORMER_OPTIONS, apiserver: 'apiserver-0', idPrefix: 't#0' };
  const listResponse = (requestId: string, rv: string, items: KubeObject[] = []): ApiResponseMessage => ({
    type: 'api.response', requestId, code: 200, body: { metadata: { resourceVersion: rv }, items },
  });
  const sentRequest = (s: InformerStep<KubeObject>) => s.sends[0].message as ApiRequestMessage;
  const synced = (): InformerState<KubeObject> => {
    const started = startInformer(podSpec, newInformer(podSpec, options), 0);
    return receiveResponse(podSpec, started.state, listResponse(sentRequest(started).requestId, '10'), 0).state;
  };

  it('lists from "0" first, then watches from the list resourceVersion with bookmarks and a timeout', () => {
    const started = startInformer(podSpec, newInformer(podSpec, options), 0);
    expect(sentRequest(started).request).toMatchObject({ verb: 'list', resource: 'pods', query: { resourceVersion: '0' } });
    const watching = receiveResponse(podSpec, started.state, listResponse(sentRequest(started).requestId, '10'), 5);
    expect(sentRequest(watching).request).toMatchObject({
      verb: 'watch', query: { resourceVersion: '10', allowWatchBookmarks: true, timeoutSeconds: 300 },
    });
  });

  it('retries a list that is itself too old at once, as a quorum read', () => {
    let state = synced();
    const failed = receiveWatch(podSpec, state, {
      type: 'api.watch', requestId: state.watch!.requestId, events: [{ type: 'ERROR', object: expired('10', '20') }], closed: true,
    }, 1);
    state = failed.state;
    expect(state.phase).toBe('backoff');
    const relist = tickInformer(podSpec, state, informerDeadline(state)!);
    expect(sentRequest(relist).request.query).toEqual({ resourceVersion: '10' });
    const gone: ApiResponseMessage = { type: 'api.response', requestId: sentRequest(relist).requestId, code: 410, body: expired('10', '20') };
    const quorum = receiveResponse(podSpec, relist.state, gone, 1_000);
    expect(sentRequest(quorum).request.query).toBeUndefined();
    expect(quorum.state.lastSyncResourceVersionUnavailable).toBe(true);
  });

  it('backs off 800 ms doubling to 30 s between failed lists, and starts over after 2 quiet minutes', () => {
    let state = startInformer(podSpec, newInformer(podSpec, options), 0).state;
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 7; i++) {
      state = receiveResponse(podSpec, state, { type: 'api.response', requestId: state.list!.requestId, code: 500, body: statusError('InternalError', 'boom') }, now).state;
      delays.push(state.backoff.until! - now);
      now = state.backoff.until!;
      state = tickInformer(podSpec, state, now).state;
    }
    expect(delays).toEqual([800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000]);
    now += 200_000;
    state = receiveResponse(podSpec, state, { type: 'api.response', requestId: state.list!.requestId, code: 500, body: statusError('InternalError', 'boom') }, now).state;
    expect(state.backoff.until! - now).toBe(800);
  });

  it('backs off and watches again (no relist) when a watch is refused with 429', () => {
    const state = synced();
    const refused = receiveResponse(podSpec, state, { type: 'api.response', requestId: state.watch!.requestId, code: 429, body: statusError('TooManyRequests', 'slow down') }, 1);
    const resumed = tickInformer(podSpec, refused.state, informerDeadline(refused.state)!);
    expect(sentRequest(resumed).request.verb).toBe('watch');
    expect(resumed.state.stats.lists).toBe(1);
  });

  it('discards watch events at or below its resourceVersion and ignores other streams', () => {
    const state = synced();
    const batch = (requestId: string, rv: string): ApiWatchMessage => ({
      type: 'api.watch', requestId, events: [{ type: 'ADDED', object: { metadata: { name: 'p', namespace: 'd', resourceVersion: rv } } }],
    });
    const old = receiveWatch(podSpec, state, batch(state.watch!.requestId, '9'), 1);
    expect(old.deltas).toEqual([]);
    expect(old.state.stats.staleEvents).toBe(1);
    expect(receiveWatch(podSpec, state, batch('someone-else', '11'), 1).state).toBe(state);
    const fresh = receiveWatch(podSpec, state, batch(state.watch!.requestId, '11'), 1);
    expect(fresh.deltas).toHaveLength(1);
    expect(fresh.state.lastSyncResourceVersion).toBe('11');
  });
});
