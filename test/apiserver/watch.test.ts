import { describe, expect, it } from 'vitest';
import { ApiHarness, configMap, core, create, del, get, obj, patch, pod, watch } from './harness.ts';

const names = (events: { type: string; object: unknown }[]) => events.map((e) => [e.type, (e.object as any).metadata?.name]);

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED from a resourceVersion, filtered by a label selector', () => {
    const h = new ApiHarness().start();
    const start = obj(h.call(create(core('configmaps'), 'default', configMap('before', {}, { app: 'web' })))).metadata.resourceVersion;
    const w = h.send(watch(core('configmaps'), 'default', { resourceVersion: start, labelSelector: 'app=web' }));
    expect(h.await(w).code).toBe(200);
    h.call(create(core('configmaps'), 'default', configMap('one', {}, { app: 'web' })));
    h.call(create(core('configmaps'), 'default', configMap('other', {}, { app: 'db' })));
    h.call(patch(core('configmaps'), 'default', 'one', 'application/merge-patch+json', { data: { k: 'v' } }));
    h.call(del(core('configmaps'), 'default', 'one'));
    h.run(20);
    const events = h.watchEvents(w);
    expect(names(events)).toEqual([['ADDED', 'one'], ['MODIFIED', 'one'], ['DELETED', 'one']]);
    // Each event carries the revision of its change; a DELETED object the deletion's.
    const rvs = events.map((e) => Number((e.object as any).metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(new Set(rvs).size).toBe(3);
  });

  it('an object that stops matching the selector is DELETED for that watcher; matching again is ADDED', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('c', {}, { tier: 'a' })));
    const w = h.send(watch(core('configmaps'), 'default', { labelSelector: 'tier=a' }));
    h.run(20);
    h.call(patch(core('configmaps'), 'default', 'c', 'application/merge-patch+json', { metadata: { labels: { tier: 'b' } } }));
    h.call(patch(core('configmaps'), 'default', 'c', 'application/merge-patch+json', { metadata: { labels: { tier: 'a' } } }));
    h.run(20);
    const events = h.watchEvents(w);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED', 'ADDED']);
    // The DELETED carries the last matching state at the revision of the change that ended the match.
    expect((events[1].object as any).metadata.labels).toEqual({ tier: 'a' });
    expect(Number((events[1].object as any).metadata.resourceVersion)).toBeGreaterThan(Number((events[0].object as any).metadata.resourceVersion));
  });

  it('a watch from "0" starts with ADDED events for the current objects; field selectors filter too', () => {
    const h = new ApiHarness().start();
    h.call(create(core('pods'), 'default', pod('a')));
    h.call(create(core('pods'), 'default', pod('b')));
    h.run(20);
    const all = h.send(watch(core('pods'), 'default', { resourceVersion: '0' }));
    const one = h.send(watch(core('pods'), 'default', { resourceVersion: '0', fieldSelector: 'metadata.name=b' }));
    h.run(20);
    expect(names(h.watchEvents(all))).toEqual([['ADDED', 'a'], ['ADDED', 'b']]);
    expect(names(h.watchEvents(one))).toEqual([['ADDED', 'b']]);
  });

  it('batches the events of one cache update into one message per watcher', () => {
    const h = new ApiHarness().start();
    const w = h.send(watch(core('configmaps'), 'default', { resourceVersion: '0' }));
    h.run(20);
    for (const n of ['x', 'y', 'z']) h.send(create(core('configmaps'), 'default', configMap(n)));
    h.run(50);
    const messages = h.watches.get(w) ?? [];
    expect(messages.flatMap((m) => m.events).length).toBe(3);
    expect(messages.every((m) => m.events.length >= 1)).toBe(true);
  });

  it('a watch from a revision older than the window gets ERROR 410 Expired and ends', () => {
    const h = new ApiHarness({ config: { watchCacheSize: 5 } }).start();
    const first = obj(h.call(create(core('configmaps'), 'default', configMap('c0')))).metadata.resourceVersion;
    for (let i = 1; i <= 10; i++) h.call(create(core('configmaps'), 'default', configMap(`c${i}`)));
    h.run(20);
    const w = h.send(watch(core('configmaps'), 'default', { resourceVersion: first }));
    expect(h.await(w).code).toBe(200);
    h.run(10);
    const messages = h.watches.get(w)!;
    expect(messages).toHaveLength(1);
    expect(messages[0].closed).toBe(true);
    const error = messages[0].events[0];
    expect(error.type).toBe('ERROR');
    expect(error.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect((error.object as any).message).toMatch(new RegExp(`^too old resource version: ${first} \\(\\d+\\)$`));
    const oldest = Number(/\((\d+)\)/.exec((error.object as any).message)![1]);
    // Watching from the oldest revision the window still holds works.
    const ok = h.send(watch(core('configmaps'), 'default', { resourceVersion: String(oldest) }));
    h.run(10);
    expect(h.watchClosed(ok)).toBe(false);
    expect(h.watchEvents(ok).length).toBeGreaterThan(0);
  });

  it('sends BOOKMARK events about once a minute to watchers that allow them', () => {
    const h = new ApiHarness().start();
    const w = h.send(watch(core('configmaps'), 'default', { resourceVersion: '0', allowWatchBookmarks: true }));
    const plain = h.send(watch(core('configmaps'), 'default', { resourceVersion: '0' }));
    h.run(10);
    const rv = obj(h.call(create(core('configmaps'), 'kube-system', configMap('elsewhere')))).metadata.resourceVersion;
    h.run(61_000);
    const bookmarks = h.watchEvents(w).filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBe(1);
    expect(bookmarks[0].object).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: rv } });
    h.run(60_000);
    expect(h.watchEvents(w).filter((e) => e.type === 'BOOKMARK').length).toBe(2);
    expect(h.watchEvents(plain).filter((e) => e.type === 'BOOKMARK')).toEqual([]);
  });

  it('closes the stream after timeoutSeconds', () => {
    const h = new ApiHarness().start();
    const w = h.send(watch(core('configmaps'), 'default', { timeoutSeconds: 5 }));
    h.run(4_500);
    expect(h.watchClosed(w)).toBe(false);
    h.run(1_000);
    expect(h.watchClosed(w)).toBe(true);
    h.call(create(core('configmaps'), 'default', configMap('after')));
    h.run(20);
    expect(h.watchEvents(w)).toEqual([]);
  });

  it('numbers each stream\'s messages 1, 2, 3 … up to the closing one, separately per stream', () => {
    const h = new ApiHarness({ config: { bookmarkIntervalMs: 1_000 } }).start();
    const a = h.send(watch(core('configmaps'), 'default', { timeoutSeconds: 3, allowWatchBookmarks: true }));
    h.run(10);
    h.call(create(core('configmaps'), 'default', configMap('one')));
    const b = h.send(watch(core('configmaps'), 'default'));
    h.run(10);
    h.call(create(core('configmaps'), 'default', configMap('two')));
    h.run(3_500);
    const seqs = (w: string) => h.watches.get(w)!.map((m) => m.seq);
    const messages = h.watches.get(a)!;
    expect(messages.at(-1)!.closed).toBe(true);
    // Data, bookmarks and the close share one numbering.
    expect(seqs(a)).toEqual(messages.map((_, i) => i + 1));
    expect(messages.some((m) => m.events.some((e) => e.type === 'BOOKMARK'))).toBe(true);
    expect(seqs(b)).toEqual([1, 2]);
  });

  it('stops sending once the client cancels', () => {
    const h = new ApiHarness().start();
    const w = h.send(watch(core('configmaps'), 'default'));
    h.run(10);
    h.call(create(core('configmaps'), 'default', configMap('one')));
    h.run(10);
    h.cancelWatch(w);
    h.run(10);
    h.call(create(core('configmaps'), 'default', configMap('two')));
    h.run(10);
    expect(names(h.watchEvents(w))).toEqual([['ADDED', 'one']]);
  });

  it('sendInitialEvents ends the initial ADDED events with an initial-events-end BOOKMARK', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('a')));
    h.run(10);
    const w = h.send(watch(core('configmaps'), 'default', { sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan' }));
    h.run(10);
    const events = h.watchEvents(w);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect((events[1].object as any).metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('a watch from a future revision delivers only what comes after it', () => {
    const h = new ApiHarness().start();
    const rv = Number(obj(h.call(create(core('configmaps'), 'default', configMap('a')))).metadata.resourceVersion);
    const w = h.send(watch(core('configmaps'), 'default', { resourceVersion: String(rv + 1) }));
    h.run(10);
    h.call(create(core('configmaps'), 'default', configMap('b'))); // rv + 1: not after it
    h.call(create(core('configmaps'), 'default', configMap('c'))); // rv + 2
    h.run(10);
    expect(names(h.watchEvents(w))).toEqual([['ADDED', 'c']]);
    expect(h.call(get(core('configmaps'), 'default', 'b')).code).toBe(200);
  });
});
