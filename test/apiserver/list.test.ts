import { describe, expect, it } from 'vitest';
import { ApiHarness, configMap, core, create, del, list, obj, status } from './harness.ts';

function seed(h: ApiHarness, n: number, labels = (i: number) => ({ idx: String(i % 2) })): void {
  for (let i = 0; i < n; i++) h.call(create(core('configmaps'), 'default', configMap(`cm-${String(i).padStart(2, '0')}`, {}, labels(i))));
}

const itemNames = (body: any) => (body.items as any[]).map((i) => i.metadata.name);

describe('list', () => {
  it('pages with limit/continue at one revision, even when objects change between pages', () => {
    const h = new ApiHarness().start();
    seed(h, 5);
    const page1 = obj(h.call(list(core('configmaps'), 'default', { limit: 2 })));
    expect(itemNames(page1)).toEqual(['cm-00', 'cm-01']);
    expect(page1.metadata.remainingItemCount).toBe(3);
    const token = page1.metadata.continue as string;
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: Number(page1.metadata.resourceVersion), start: 'cm-01\u0000' });

    h.call(del(core('configmaps'), 'default', 'cm-03'));
    h.call(create(core('configmaps'), 'default', configMap('cm-99')));
    const page2 = obj(h.call(list(core('configmaps'), 'default', { limit: 2, continue: token })));
    expect(itemNames(page2)).toEqual(['cm-02', 'cm-03']);
    expect(page2.metadata.resourceVersion).toBe(page1.metadata.resourceVersion);
    const page3 = obj(h.call(list(core('configmaps'), 'default', { limit: 2, continue: page2.metadata.continue })));
    expect(itemNames(page3)).toEqual(['cm-04']);
    expect(page3.metadata.continue).toBeUndefined();
  });

  it('pages through a label selector without reporting remainingItemCount', () => {
    const h = new ApiHarness().start();
    seed(h, 6);
    const page1 = obj(h.call(list(core('configmaps'), 'default', { limit: 2, labelSelector: 'idx=1' })));
    expect(itemNames(page1)).toEqual(['cm-01', 'cm-03']);
    expect(page1.metadata.remainingItemCount).toBeUndefined();
    const page2 = obj(h.call(list(core('configmaps'), 'default', { limit: 2, labelSelector: 'idx=1', continue: page1.metadata.continue })));
    expect(itemNames(page2)).toEqual(['cm-05']);
  });

  it('serves resourceVersion="0" from the watch cache, with limit and continue', () => {
    const h = new ApiHarness().start();
    seed(h, 3);
    h.run(20);
    const page1 = obj(h.call(list(core('configmaps'), 'default', { resourceVersion: '0', limit: 2 })));
    expect(itemNames(page1)).toEqual(['cm-00', 'cm-01']);
    expect(Object.isFrozen(page1.items[0])).toBe(true);
    const page2 = obj(h.call(list(core('configmaps'), 'default', { limit: 2, continue: page1.metadata.continue })));
    expect(itemNames(page2)).toEqual(['cm-02']);
  });

  it('waits for the cache to reach a requested resourceVersion (NotOlderThan), or times out with 504', () => {
    const h = new ApiHarness().start();
    const rv = Number(obj(h.call(create(core('configmaps'), 'default', configMap('fresh')))).metadata.resourceVersion);
    // Sent right after the write: the cache may not have the event yet, the list waits for it.
    const fresh = obj(h.call(list(core('configmaps'), 'default', { resourceVersion: String(rv) })));
    expect(itemNames(fresh)).toEqual(['fresh']);
    const future = h.call(list(core('configmaps'), 'default', { resourceVersion: String(rv + 100) }));
    expect(future.code).toBe(504);
    expect(status(future).message).toBe(`Timeout: Too large resource version: ${rv + 100}, current: ${rv}`);
    expect(status(future).details?.causes?.[0].reason).toBe('ResourceVersionTooLarge');
  });

  it('serves resourceVersionMatch=Exact from the window, and 410 once it is out of it', () => {
    const h = new ApiHarness({ config: { watchCacheSize: 3 } }).start();
    const rv1 = obj(h.call(create(core('configmaps'), 'default', configMap('a')))).metadata.resourceVersion;
    h.call(create(core('configmaps'), 'default', configMap('b')));
    h.run(20);
    const exact = obj(h.call(list(core('configmaps'), 'default', { resourceVersion: rv1, resourceVersionMatch: 'Exact' })));
    expect(itemNames(exact)).toEqual(['a']);
    expect(exact.metadata.resourceVersion).toBe(rv1);
    for (const n of ['c', 'd', 'e', 'f']) h.call(create(core('configmaps'), 'default', configMap(n)));
    h.run(20);
    const gone = h.call(list(core('configmaps'), 'default', { resourceVersion: rv1, resourceVersionMatch: 'Exact' }));
    expect(gone.code).toBe(410);
    expect(status(gone).reason).toBe('Expired');
  });

  it('refuses malformed continue tokens and continue with a resourceVersion', () => {
    const h = new ApiHarness().start();
    const bad = h.call(list(core('configmaps'), 'default', { continue: '!!!' }));
    expect(bad.code).toBe(400);
    expect(status(bad).message).toMatch(/^continue key is not valid: /);
    const climb = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 3, start: '../secrets/x' })).toString('base64url');
    expect(h.call(list(core('configmaps'), 'default', { continue: climb })).code).toBe(400);
    const token = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 3, start: 'a' })).toString('base64url');
    const both = h.call(list(core('configmaps'), 'default', { continue: token, resourceVersion: '5' }));
    expect(status(both).message).toBe('specifying resource version is not allowed when using continue');
  });

  it('410 for a continue token whose revision etcd has compacted', () => {
    const h = new ApiHarness({ config: { compactionIntervalMs: 10_000 } }).start();
    seed(h, 3);
    const page1 = obj(h.call(list(core('configmaps'), 'default', { limit: 1 })));
    h.call(create(core('configmaps'), 'default', configMap('later')));
    h.run(25_000); // two compaction periods: the second compacts to the revision seen by the first
    const r = h.call(list(core('configmaps'), 'default', { limit: 1, continue: page1.metadata.continue }));
    expect(r.code).toBe(410);
    expect(status(r).message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./);
    const restart = (r.body as any).metadata.continue as string;
    const rest = obj(h.call(list(core('configmaps'), 'default', { continue: restart })));
    expect(itemNames(rest)).toEqual(['cm-01', 'cm-02', 'later']);
  });
});
