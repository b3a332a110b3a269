import { describe, expect, it } from 'vitest';
import { INVALID_WATCH_ID, MvccStore, WATCH_COMPACTED_REASON, WatchHub } from '../../../src/etcd/mvcc/index.ts';
import type { WatchResponse } from '../../../src/etcd/mvcc/index.ts';
import { watchedStore } from './helpers.ts';

/** Compact rendering: one string per response. */
function render(rs: WatchResponse[]): string[] {
  return rs.map((r) => {
    const flags = [r.created && 'created', r.canceled && 'canceled', r.progressNotify && 'progress', r.compactRevision && `compact=${r.compactRevision}`]
      .filter(Boolean)
      .join(',');
    const evs = r.events.map((e) => `${e.type === 'PUT' ? '+' : '-'}${e.kv.key}@${e.kv.modRevision}`).join(' ');
    return `#${r.watchId} h${r.header.revision}${flags ? ` [${flags}]` : ''}${evs ? ` ${evs}` : ''}`;
  });
}

describe('WatchHub', () => {
  it('confirms creation, then streams each future revision as one response', () => {
    const { store, hub } = watchedStore();
    store.put({ key: '/other', value: '0' }); // 2
    const id = hub.watch({ key: '/p/', prefix: true });
    store.put({ key: '/p/a', value: '1' }); // 3
    store.put({ key: '/other', value: '1' }); // 4
    store.deleteRange({ key: '/p/a' }); // 5
    expect(render(hub.drain())).toEqual([`#${id} h2 [created]`, '#0 h3 +/p/a@3', '#0 h5 -/p/a@5']);
    expect(hub.drain()).toEqual([]);
  });

  it('replays history from a past start revision, in order, then continues live', () => {
    const { store, hub } = watchedStore();
    store.put({ key: '/a', value: '1' }); // 2
    store.put({ key: '/b', value: '1' }); // 3
    store.put({ key: '/a', value: '2' }); // 4
    hub.watch({ key: '/a', startRevision: 2 });
    store.put({ key: '/a', value: '3' }); // 5
    expect(render(hub.drain())).toEqual(['#0 h4 [created]', '#0 h4 +/a@2 +/a@4', '#0 h5 +/a@5']);
  });

  it('delivers a txn’s events together, never split, even past maxEventsPerResponse', () => {
    const { store, hub } = watchedStore({}, 2);
    store.put({ key: '/x/0', value: '0' }); // 2
    store.txn({
      compare: [],
      success: ['/x/1', '/x/2', '/x/3'].map((key) => ({ type: 'put' as const, key, value: 'v' })),
      failure: [],
    }); // 3
    store.put({ key: '/x/4', value: '4' }); // 4
    store.put({ key: '/x/5', value: '5' }); // 5
    hub.watch({ key: '/x/', prefix: true, startRevision: 1 });
    // Catch-up is cut between revisions only; intermediate headers cover exactly what was sent.
    expect(render(hub.drain()).slice(1)).toEqual(['#0 h2 +/x/0@2', '#0 h3 +/x/1@3 +/x/2@3 +/x/3@3', '#0 h5 +/x/4@4 +/x/5@5']);
    store.txn({ compare: [], success: [{ type: 'deleteRange', key: '/x/', prefix: true }], failure: [] }); // 6
    const live = hub.drain();
    expect(live).toHaveLength(1);
    expect(live[0].events.map((e) => e.kv.key)).toEqual(['/x/0', '/x/1', '/x/2', '/x/3', '/x/4', '/x/5']);
  });

  it('cancels a watch whose start revision was compacted, with etcd’s reason', () => {
    const { store, hub } = watchedStore();
    for (let i = 0; i < 5; i++) store.put({ key: '/a', value: String(i) }); // 2..6
    store.compact({ revision: 5 });
    const id = hub.watch({ key: '/a', startRevision: 4 });
    const rs = hub.drain();
    expect(rs[1]).toEqual({
      watchId: id,
      header: { revision: 6 },
      events: [],
      canceled: true,
      cancelReason: WATCH_COMPACTED_REASON,
      compactRevision: 5,
    });
    expect(hub.watchIds()).toEqual([]);
    store.put({ key: '/a', value: 'later' });
    expect(hub.drain()).toEqual([]);
  });

  it('a watch starting exactly at the compact revision replays it, including a delete there', () => {
    const { store, hub } = watchedStore();
    store.put({ key: '/a', value: '1' }); // 2
    store.deleteRange({ key: '/a' }); // 3
    store.put({ key: '/b', value: '1' }); // 4
    store.compact({ revision: 3 });
    hub.watch({ key: '/', prefix: true, startRevision: 3, prevKv: true });
    const rs = hub.drain();
    expect(render(rs)).toEqual(['#0 h4 [created]', '#0 h4 -/a@3 +/b@4']);
    // prevKv of the delete would be read at revision 2, which is compacted: omitted, as etcd does.
    expect(rs[1].events[0].prevKv).toBeUndefined();
  });

  it('includes prevKv only when asked, and honours NOPUT/NODELETE filters', () => {
    const { store, hub } = watchedStore();
    const withPrev = hub.watch({ key: '/a', prevKv: true });
    const plain = hub.watch({ key: '/a' });
    const noPut = hub.watch({ key: '/a', filters: ['NOPUT'] });
    const noDelete = hub.watch({ key: '/a', filters: ['NODELETE'] });
    hub.drain();
    store.put({ key: '/a', value: '1' });
    store.put({ key: '/a', value: '2' });
    store.deleteRange({ key: '/a' });
    const all = hub.drain();
    const of = (id: number) => all.filter((r) => r.watchId === id).flatMap((r) => r.events);
    expect(of(withPrev).map((e) => e.prevKv?.value)).toEqual([undefined, '1', '2']);
    expect(of(plain).every((e) => e.prevKv === undefined)).toBe(true);
    expect(of(noPut).map((e) => e.type)).toEqual(['DELETE']);
    expect(of(noDelete).map((e) => e.type)).toEqual(['PUT', 'PUT']);
    expect(hub.pending).toBe(0);
  });

  it('watches ranges and open-ended ranges', () => {
    const { store, hub } = watchedStore();
    hub.watch({ key: '/b', rangeEnd: '/d' });
    hub.watch({ key: '/c', rangeEnd: '\0' });
    hub.drain();
    for (const k of ['/a', '/b', '/c', '/d', '/e']) store.put({ key: k, value: '' });
    const all = hub.drain();
    const keys = (id: number) => all.filter((r) => r.watchId === id).flatMap((r) => r.events.map((e) => e.kv.key));
    expect(keys(0)).toEqual(['/b', '/c']);
    expect(keys(1)).toEqual(['/c', '/d', '/e']);
  });

  it('a future start revision waits for it', () => {
    const { store, hub } = watchedStore();
    hub.watch({ key: '/a', startRevision: 4 });
    for (let i = 0; i < 4; i++) store.put({ key: '/a', value: String(i) }); // 2..5
    expect(render(hub.drain())).toEqual(['#0 h1 [created]', '#0 h4 +/a@4', '#0 h5 +/a@5']);
  });

  it('cancel stops delivery and is acknowledged; unknown ids are refused', () => {
    const { store, hub } = watchedStore();
    const id = hub.watch({ key: '/a' });
    expect(hub.cancel(id)).toBe(true);
    expect(hub.cancel(id)).toBe(false);
    store.put({ key: '/a', value: '1' });
    expect(render(hub.drain())).toEqual(['#0 h1 [created]', '#0 h1 [canceled]']);
  });

  it('assigns ids like etcd, and refuses a duplicate client-chosen id', () => {
    const { hub } = watchedStore();
    expect(hub.watch({ key: '/a', watchId: 1 })).toBe(1);
    expect(hub.watch({ key: '/a' })).toBe(0);
    expect(hub.watch({ key: '/a' })).toBe(2);
    expect(hub.watch({ key: '/a', watchId: 2 })).toBe(INVALID_WATCH_ID);
    const last = hub.drain().at(-1)!;
    expect(last).toMatchObject({ watchId: INVALID_WATCH_ID, created: true, canceled: true });
    expect(last.cancelReason).toMatch(/duplicate watch ID/);
  });

  it('answers requestProgress with the current revision; progressTick only reaches idle opted-in watchers', () => {
    const { store, hub } = watchedStore();
    const busy = hub.watch({ key: '/busy', progressNotify: true });
    const idle = hub.watch({ key: '/idle', progressNotify: true });
    const optedOut = hub.watch({ key: '/idle' });
    hub.drain();
    store.put({ key: '/busy', value: '1' }); // 2
    hub.progressTick();
    expect(render(hub.drain())).toEqual([`#${busy} h2 +/busy@2`, `#${idle} h2 [progress]`]);
    hub.progressTick(); // busy has been idle since the previous tick
    expect(render(hub.drain())).toEqual([`#${busy} h2 [progress]`, `#${idle} h2 [progress]`]);
    hub.requestProgress(optedOut);
    expect(render(hub.drain())).toEqual([`#${optedOut} h2 [progress]`]);
    hub.requestProgress();
    expect(hub.drain()).toHaveLength(3);
  });

  it('follows a store replaced by a restored snapshot, resuming where each watcher was', () => {
    const { store, hub } = watchedStore();
    hub.watch({ key: '/a' });
    store.put({ key: '/a', value: '1' }); // 2
    hub.drain();
    // Another member got further; this one installs its snapshot.
    const leader = MvccStore.restore(store.snapshot());
    leader.put({ key: '/a', value: '2' }); // 3
    leader.put({ key: '/a', value: '3' }); // 4
    const restored = MvccStore.restore(leader.snapshot());
    hub.replaceStore(restored);
    restored.put({ key: '/a', value: '4' }); // 5
    store.put({ key: '/a', value: 'stale' }); // the old store is detached
    expect(render(hub.drain())).toEqual(['#0 h4 +/a@3 +/a@4', '#0 h5 +/a@5']);
  });

  it('cancels watchers that cannot resume because the restored store compacted past them', () => {
    const { store, hub } = watchedStore();
    hub.watch({ key: '/a' });
    hub.drain();
    const leader = MvccStore.restore(store.snapshot());
    for (let i = 0; i < 3; i++) leader.put({ key: '/a', value: String(i) }); // 2..4
    leader.compact({ revision: 4 });
    hub.replaceStore(MvccStore.restore(leader.snapshot()));
    expect(render(hub.drain())).toEqual(['#0 h4 [canceled,compact=4]']);
  });

  it('close() detaches from the store', () => {
    const store = new MvccStore();
    const hub = new WatchHub(store);
    hub.watch({ key: '/a' });
    hub.close();
    hub.drain();
    store.put({ key: '/a', value: '1' });
    expect(hub.drain()).toEqual([]);
    expect(hub.pending).toBe(0);
  });
});
