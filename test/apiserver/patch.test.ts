import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../src/apiserver/patch/index.ts';
import { ApiHarness, configMap, core, create, get, obj, patch, pod, status } from './harness.ts';

describe('patch documents', () => {
  it('JSON patch: add/remove/replace/move/copy/test with JSON pointers', () => {
    const doc = { a: { 'b/c': 1, list: [1, 2] }, x: 'y' };
    expect(applyJsonPatch(doc, [
      { op: 'add', path: '/a/list/-', value: 3 },
      { op: 'add', path: '/a/list/0', value: 0 },
      { op: 'replace', path: '/a/b~1c', value: 2 },
      { op: 'copy', from: '/x', path: '/z' },
      { op: 'move', from: '/x', path: '/w' },
      { op: 'remove', path: '/a/list/1' },
      { op: 'test', path: '/w', value: 'y' },
    ])).toEqual({ a: { 'b/c': 2, list: [0, 2, 3] }, z: 'y', w: 'y' });
    expect(doc).toEqual({ a: { 'b/c': 1, list: [1, 2] }, x: 'y' });
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/x', value: 'n' }])).toThrow('testing value /x failed');
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/missing/deep', value: 1 }])).toThrow(/doc is missing path/);
    expect(() => applyJsonPatch(doc, { op: 'add' })).toThrow('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });

  it('merge patch: objects merge, null deletes, lists replace', () => {
    expect(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { a: null, b: { c: 9 }, l: [3] })).toEqual({ b: { c: 9, d: 3 }, l: [3] });
  });

  it('strategic merge patch: containers by name, ports by containerPort, directives, finalizers merged', () => {
    const original = {
      metadata: { finalizers: ['a'], labels: { x: '1', y: '2' } },
      spec: {
        containers: [
          { name: 'app', image: 'v1', ports: [{ containerPort: 80, name: 'http' }], env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 's1' },
        ],
        tolerations: [{ key: 'k' }],
      },
    };
    const patched = applyStrategicMergePatch(original, {
      metadata: { finalizers: ['b'], labels: { y: null } },
      spec: {
        containers: [
          { name: 'app', image: 'v2', ports: [{ containerPort: 443, name: 'https' }], env: [{ name: 'A', value: '2' }] },
          { name: 'sidecar', $patch: 'delete' },
        ],
        tolerations: [{ key: 'other' }],
        '$setElementOrder/containers': [{ name: 'app' }],
      },
    });
    expect(patched).toEqual({
      metadata: { finalizers: ['a', 'b'], labels: { x: '1' } },
      spec: {
        containers: [{ name: 'app', image: 'v2', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }], env: [{ name: 'A', value: '2' }] }],
        tolerations: [{ key: 'other' }],
      },
    });
    expect(applyStrategicMergePatch({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } })).toEqual({ m: { c: 3 } });
    expect(applyStrategicMergePatch({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } })).toEqual({ metadata: { finalizers: ['b'] } });
    expect(applyStrategicMergePatch({ spec: { a: 1, b: 2, c: 3 } }, { spec: { $retainKeys: ['a', 'd'], d: 4 } })).toEqual({ spec: { a: 1, d: 4 } });
  });
});

describe('PATCH through the apiserver', () => {
  it('applies each patch type to the stored object', () => {
    const h = new ApiHarness().start();
    h.call(create(core('pods'), 'default', pod('web', { labels: { app: 'web' } })));
    const smp = h.call(patch(core('pods'), 'default', 'web', 'application/strategic-merge-patch+json', { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } }));
    expect(smp.code).toBe(200);
    expect(obj(smp).spec.containers).toHaveLength(1);
    expect(obj(smp).spec.containers[0]).toMatchObject({ name: 'app', image: 'nginx:1.28', terminationMessagePath: '/dev/termination-log' });
    const json = h.call(patch(core('pods'), 'default', 'web', 'application/json-patch+json', [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }]));
    expect(obj(json).metadata.labels).toEqual({ app: 'web', tier: 'front' });
    const merge = h.call(patch(core('pods'), 'default', 'web', 'application/merge-patch+json', { metadata: { labels: { app: null } } }));
    expect(obj(merge).metadata.labels).toEqual({ tier: 'front' });
  });

  it('a JSON patch that does not apply is the generic 422; a malformed one 400; unknown patch types 415', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('c', { k: 'v' })));
    const test = h.call(patch(core('configmaps'), 'default', 'c', 'application/json-patch+json', [{ op: 'test', path: '/data/k', value: 'other' }]));
    expect(test.body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422,
      message: 'the server rejected our request due to an error in our request', details: {},
    });
    expect(h.call(patch(core('configmaps'), 'default', 'c', 'application/json-patch+json', { not: 'a list' })).code).toBe(400);
    const smp = h.call(patch(core('configmaps'), 'default', 'c', 'application/strategic-merge-patch+json', [1, 2]));
    expect(status(smp).message).toBe('json: cannot unmarshal array into Go value of type map[string]interface {}');
    expect(h.call(patch(core('configmaps'), 'default', 'c', 'application/apply-patch+cbor' as never, {})).code).toBe(415);
    // Server-side apply is served (test/apiserver/apply.test.ts); without a field manager it is a 422.
    expect(h.call(patch(core('configmaps'), 'default', 'c', 'application/apply-patch+yaml', {})).code).toBe(422);
    expect(obj(h.call(get(core('configmaps'), 'default', 'c'))).data).toEqual({ k: 'v' });
  });

  it('a patch that changes the name or kind is refused', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('c')));
    const renamed = h.call(patch(core('configmaps'), 'default', 'c', 'application/merge-patch+json', { metadata: { name: 'd' } }));
    expect(status(renamed).message).toBe('the name of the object (d) does not match the name on the URL (c)');
    const rekinded = h.call(patch(core('configmaps'), 'default', 'c', 'application/merge-patch+json', { kind: 'Secret' }));
    expect(rekinded.code).toBe(400);
  });

  it('concurrent unconditional patches both land (the loser is re-applied to fresh state)', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('shared')));
    let txns = 0;
    h.sim.bus.tap.subscribe((e) => {
      const m = e.envelope.message as { type: string; request?: { op: string } };
      if (e.kind === 'send' && m.type === 'etcd.client.invoke' && m.request?.op === 'txn') txns++;
    });
    const a = h.send(patch(core('configmaps'), 'default', 'shared', 'application/merge-patch+json', { data: { a: '1' } }));
    const b = h.send(patch(core('configmaps'), 'default', 'shared', 'application/merge-patch+json', { data: { b: '2' } }));
    expect(h.await(a).code).toBe(200);
    expect(h.await(b).code).toBe(200);
    expect(obj(h.call(get(core('configmaps'), 'default', 'shared'))).data).toEqual({ a: '1', b: '2' });
    expect(txns).toBe(3); // the second write lost the race once and was recomputed
  });

  it('a patch naming a stale resourceVersion is a 409', () => {
    const h = new ApiHarness().start();
    const c = obj(h.call(create(core('configmaps'), 'default', configMap('c'))));
    h.call(patch(core('configmaps'), 'default', 'c', 'application/merge-patch+json', { data: { x: '1' } }));
    const stale = h.call(patch(core('configmaps'), 'default', 'c', 'application/merge-patch+json', { metadata: { resourceVersion: c.metadata.resourceVersion }, data: { y: '2' } }));
    expect(stale.code).toBe(409);
  });
});
