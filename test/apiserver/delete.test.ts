import { describe, expect, it } from 'vitest';
import { ApiHarness, configMap, core, create, del, get, list, obj, patch, pod, status, update, watch } from './harness.ts';

function boundPod(h: ApiHarness, name: string, extra: Record<string, unknown> = {}) {
  h.call(create(core('pods'), 'default', pod(name, extra)));
  h.call(create(core('pods'), 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: 'node-1' } }, { name, subresource: 'binding' }));
}

describe('deletion', () => {
  it('a bound pod is deleted gracefully: deletionTimestamp + grace period, then the kubelet removes it with grace 0', () => {
    const h = new ApiHarness().start();
    boundPod(h, 'web');
    h.run(5_000);
    const w = h.send(watch(core('pods'), 'default', { resourceVersion: obj(h.call(get(core('pods'), 'default', 'web'))).metadata.resourceVersion }));
    const first = h.call(del(core('pods'), 'default', 'web'));
    expect(first.code).toBe(200);
    expect(obj(first).metadata).toMatchObject({ deletionTimestamp: '2024-04-17T00:00:35Z', deletionGracePeriodSeconds: 30 });
    expect(h.call(get(core('pods'), 'default', 'web')).code).toBe(200);

    // A second delete without a shorter grace period changes nothing.
    const again = h.call(del(core('pods'), 'default', 'web'));
    expect(obj(again).metadata.resourceVersion).toBe(obj(first).metadata.resourceVersion);

    const final = h.call(del(core('pods'), 'default', 'web', { gracePeriodSeconds: 0 }));
    expect(final.code).toBe(200);
    expect(obj(final).metadata.deletionGracePeriodSeconds).toBe(0);
    expect(h.call(get(core('pods'), 'default', 'web')).code).toBe(404);
    h.run(20);
    expect(h.watchEvents(w).map((e) => [e.type, (e.object as any).metadata.deletionGracePeriodSeconds])).toEqual([
      ['MODIFIED', 30], ['MODIFIED', 0], ['DELETED', 0],
    ]);
  });

  it('an unscheduled pod is deleted at once', () => {
    const h = new ApiHarness().start();
    h.call(create(core('pods'), 'default', pod('pending')));
    const r = h.call(del(core('pods'), 'default', 'pending'));
    expect(r.code).toBe(200);
    expect(obj(r).metadata.name).toBe('pending');
    expect(h.call(get(core('pods'), 'default', 'pending')).code).toBe(404);
  });

  it('an object with finalizers is only marked; removing the last finalizer deletes it', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } }));
    const marked = h.call(del(core('configmaps'), 'default', 'held'));
    expect(marked.code).toBe(200);
    expect(obj(marked).metadata).toMatchObject({ deletionTimestamp: '2024-04-17T00:00:00Z', deletionGracePeriodSeconds: 0, finalizers: ['example.com/hold'] });
    const current = obj(h.call(get(core('configmaps'), 'default', 'held')));
    const addMore = h.call(update(core('configmaps'), 'default', 'held', { ...current, metadata: { ...current.metadata, finalizers: ['example.com/hold', 'example.com/more'] } }));
    expect(addMore.code).toBe(422);
    expect(status(addMore).message).toContain('no new finalizers can be added if the object is being deleted');
    const released = h.call(patch(core('configmaps'), 'default', 'held', 'application/merge-patch+json', { metadata: { finalizers: null } }));
    expect(released.code).toBe(200);
    expect(h.call(get(core('configmaps'), 'default', 'held')).code).toBe(404);
  });

  it('propagationPolicy Orphan and Foreground become finalizers for the garbage collector', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('o')));
    h.call(create(core('configmaps'), 'default', configMap('f')));
    expect(obj(h.call(del(core('configmaps'), 'default', 'o', { propagationPolicy: 'Orphan' }))).metadata.finalizers).toEqual(['orphan']);
    expect(obj(h.call(del(core('configmaps'), 'default', 'f', { propagationPolicy: 'Foreground' }))).metadata.finalizers).toEqual(['foregroundDeletion']);
  });

  it('delete preconditions: a mismatched uid is a 409', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('p')));
    const r = h.call(del(core('configmaps'), 'default', 'p', undefined, { preconditions: { uid: 'not-it' } }));
    expect(r.code).toBe(409);
    expect(status(r).message).toMatch(/^Operation cannot be fulfilled on configmaps "p": Precondition failed: UID in precondition: not-it, UID in object meta: /);
  });

  it('deletecollection deletes what the selector matches and answers the list of them', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('a', {}, { app: 'x' })));
    h.call(create(core('configmaps'), 'default', configMap('b', {}, { app: 'x' })));
    h.call(create(core('configmaps'), 'default', configMap('c', {}, { app: 'y' })));
    const r = h.call({ verb: 'deletecollection', ...core('configmaps'), namespace: 'default', query: { labelSelector: 'app=x' } });
    expect(r.code).toBe(200);
    expect(obj(r).kind).toBe('ConfigMapList');
    expect((obj(r).items as any[]).map((i) => i.metadata.name)).toEqual(['a', 'b']);
    expect((obj(h.call(list(core('configmaps'), 'default'))).items as any[]).map((i) => i.metadata.name)).toEqual(['c']);
  });
});
