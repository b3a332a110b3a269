import { describe, expect, it } from 'vitest';
import { resourceForPlural } from '../../src/api/index.ts';
import type { KeyValue, WatchEvent } from '../../src/etcd/protocol.ts';
import { compileFilter } from '../../src/apiserver/selectors.ts';
import { WatchCache } from '../../src/apiserver/watch-cache/cache.ts';
import { eventsFor, type Watcher } from '../../src/apiserver/watch-cache/watchers.ts';

const configmaps = resourceForPlural('configmaps', '')!;
const key = (name: string) => `/registry/configmaps/default/${name}`;

function kv(name: string, rev: number, labels: Record<string, string> = {}): KeyValue {
  const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels } });
  return { key: key(name), value, createRevision: rev, modRevision: rev, version: 1, lease: 0 };
}
const put = (name: string, rev: number, labels?: Record<string, string>): WatchEvent => ({ type: 'PUT', kv: kv(name, rev, labels) });
const del = (name: string, rev: number): WatchEvent => ({ type: 'DELETE', kv: { key: key(name), value: '', createRevision: 0, modRevision: rev, version: 0, lease: 0 } });

describe('WatchCache', () => {
  it('lists, applies events in order, and skips what it has already applied', () => {
    const cache = new WatchCache('/registry/configmaps/', configmaps, 10);
    cache.replace([kv('a', 3)], 5);
    expect(cache.ready).toBe(true);
    const produced = cache.apply([put('a', 6), put('b', 7), del('a', 8)], 8);
    expect(produced.map((e) => [e.type, e.object.metadata?.name, e.object.metadata?.resourceVersion])).toEqual([
      ['MODIFIED', 'a', '6'], ['ADDED', 'b', '7'], ['DELETED', 'a', '8'],
    ]);
    expect(cache.apply([put('b', 7)], 7)).toEqual([]);
    expect(cache.keys()).toEqual([key('b')]);
    expect(cache.revision).toBe(8);
    expect(Object.isFrozen(cache.get(key('b'))!.metadata)).toBe(true);
  });

  it('keeps a window of whole revisions; older starts are expired, with upstream\'s oldest - 1', () => {
    const cache = new WatchCache('/registry/configmaps/', configmaps, 3);
    cache.replace([], 10);
    expect(cache.oldestAvailable).toBe(10);
    cache.apply([put('a', 11), put('b', 12), put('c', 13)], 13);
    expect(cache.eventsSince(10)!.map((e) => e.revision)).toEqual([11, 12, 13]);
    cache.apply([put('d', 14), put('e', 14)], 14);
    // Both events of revision 14 stay together; 11 and 12 fell out to make room.
    expect(cache.oldestAvailable).toBe(12);
    expect(cache.eventsSince(11)).toBeUndefined();
    expect(cache.eventsSince(12)!.map((e) => e.revision)).toEqual([13, 14, 14]);
    expect(cache.eventsSince(14)).toEqual([]);
  });

  it('rebuilds the state at a past revision within the window', () => {
    const cache = new WatchCache('/registry/configmaps/', configmaps, 10);
    cache.replace([kv('a', 2)], 2);
    cache.apply([put('b', 3), del('a', 4), put('b', 5, { v: '2' })], 5);
    expect([...cache.stateAt(3)!.keys()].sort()).toEqual([key('a'), key('b')]);
    expect(cache.stateAt(3)!.get(key('b'))!.metadata?.labels).toEqual({});
    expect([...cache.stateAt(5)!.keys()]).toEqual([key('b')]);
    expect(cache.stateAt(1)).toBeUndefined();
  });

  it('advances on progress notifications and counts values it cannot decode', () => {
    const cache = new WatchCache('/registry/configmaps/', configmaps, 10);
    cache.replace([{ ...kv('bad', 2), value: '{not json' }], 2);
    expect(cache.corruptValues).toBe(1);
    expect(cache.progress(9)).toBe(true);
    expect(cache.progress(4)).toBe(false);
    expect(cache.revision).toBe(9);
  });
});

describe('watcher event conversion', () => {
  it('turns label transitions into ADDED / DELETED for a selecting watcher', () => {
    const cache = new WatchCache('/registry/configmaps/', configmaps, 10);
    cache.replace([], 1);
    const w: Watcher = {
      id: 'w', client: 'c', requestId: 'r', cachePrefix: cache.prefix, scopePrefix: '/registry/configmaps/default/',
      filter: compileFilter(configmaps, { labelSelector: 'app=x' }), kind: 'ConfigMap', apiVersion: 'v1', bookmarks: false,
      deadline: Infinity, sentRevision: 1, nextBookmarkAt: Infinity,
    };
    const events = cache.apply([put('a', 2, { app: 'y' }), put('a', 3, { app: 'x' }), put('a', 4, { app: 'x', more: '1' }), put('a', 5, { app: 'z' }), del('a', 6)], 6);
    const out = eventsFor(w, events, cache.revision);
    expect(out.map((e) => [e.type, (e.object as any).metadata.resourceVersion, (e.object as any).metadata.labels.app])).toEqual([
      ['ADDED', '3', 'x'], ['MODIFIED', '4', 'x'], ['DELETED', '5', 'x'],
    ]);
    expect(w.sentRevision).toBe(6);
  });

  it('tests a spec.nodeName watcher against the pod before and after, skipping other nodes\' pods', () => {
    const pods = resourceForPlural('pods', '')!;
    const cache = new WatchCache('/registry/pods/', pods, 10);
    cache.replace([], 1);
    const podKv = (name: string, rev: number, nodeName?: string): WatchEvent => ({
      type: 'PUT',
      kv: {
        key: `/registry/pods/default/${name}`, createRevision: 2, modRevision: rev, version: 1, lease: 0,
        value: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { ...(nodeName ? { nodeName } : {}), containers: [] } }),
      },
    });
    const watcher = (fieldSelector: string): Watcher => ({
      id: fieldSelector, client: 'c', requestId: 'r', cachePrefix: cache.prefix, scopePrefix: '/registry/pods/',
      filter: compileFilter(pods, { fieldSelector }), kind: 'Pod', apiVersion: 'v1', bookmarks: false,
      deadline: Infinity, sentRevision: 1, nextBookmarkAt: Infinity,
    });
    const kubelet = watcher('spec.nodeName=node-1');
    const unscheduled = watcher('spec.nodeName=');
    expect([kubelet.filter.nodeName, unscheduled.filter.nodeName]).toEqual(['node-1', '']);
    const events = cache.apply([podKv('a', 2), podKv('b', 3), podKv('a', 4, 'node-1'), podKv('b', 5, 'node-2')], 5);
    const seen = (w: Watcher) => eventsFor(w, events, cache.revision).map((e) => [e.type, (e.object as any).metadata.name, (e.object as any).metadata.resourceVersion]);
    expect(seen(kubelet)).toEqual([['ADDED', 'a', '4']]);
    // Binding moves a pod off the unscheduled watch: its state before the event matched, so DELETED.
    expect(seen(unscheduled)).toEqual([['ADDED', 'a', '2'], ['ADDED', 'b', '3'], ['DELETED', 'a', '4'], ['DELETED', 'b', '5']]);
  });
});
