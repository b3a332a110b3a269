import { describe, expect, it } from 'vitest';
import { ApiHarness, apps, core, create, deployment, get, obj, patch, pod, status, update } from './harness.ts';

const binding = (name: string, node: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } });

describe('subresources', () => {
  it('binding sets spec.nodeName and PodScheduled once; a second binding is 409', () => {
    const h = new ApiHarness().start();
    h.call(create(core('pods'), 'default', pod('web-x')));
    const bound = h.call(create(core('pods'), 'default', binding('web-x', 'node-1'), { name: 'web-x', subresource: 'binding' }));
    expect(bound.code).toBe(201);
    expect(bound.body).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const p = obj(h.call(get(core('pods'), 'default', 'web-x')));
    expect(p.spec.nodeName).toBe('node-1');
    expect(p.status.conditions).toEqual([{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-04-17T00:00:00Z' }]);

    const again = h.call(create(core('pods'), 'default', binding('web-x', 'node-2'), { name: 'web-x', subresource: 'binding' }));
    expect(again.code).toBe(409);
    expect(status(again).message).toBe('Operation cannot be fulfilled on pods "web-x": pod web-x is already assigned to node "node-1"');
  });

  it('binding a missing pod is 404, a mismatched name 400', () => {
    const h = new ApiHarness().start();
    expect(h.call(create(core('pods'), 'default', binding('nope', 'n'), { name: 'nope', subresource: 'binding' })).code).toBe(404);
    h.call(create(core('pods'), 'default', pod('a')));
    const mismatch = h.call(create(core('pods'), 'default', binding('b', 'n'), { name: 'a', subresource: 'binding' }));
    expect(mismatch.code).toBe(400);
  });

  it('scale reads and writes spec.replicas as an autoscaling/v1 Scale', () => {
    const h = new ApiHarness().start();
    const d = obj(h.call(create(apps('deployments'), 'default', deployment('web', 2))));
    const scale = obj(h.call({ verb: 'get', ...apps('deployments'), namespace: 'default', name: 'web', subresource: 'scale' }));
    expect(scale).toEqual({
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', namespace: 'default', uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion, creationTimestamp: d.metadata.creationTimestamp },
      spec: { replicas: 2 }, status: { replicas: 0, selector: 'app=web' },
    });
    const put = h.call(update(apps('deployments'), 'default', 'web', { ...scale, spec: { replicas: 4 } }, 'scale'));
    expect(put.code).toBe(200);
    expect(obj(put).spec.replicas).toBe(4);
    const patched = h.call(patch(apps('deployments'), 'default', 'web', 'application/merge-patch+json', { spec: { replicas: 6 } }, 'scale'));
    expect(obj(patched).spec.replicas).toBe(6);
    const after = obj(h.call(get(apps('deployments'), 'default', 'web')));
    expect(after.spec.replicas).toBe(6);
    expect(after.metadata.generation).toBe(3);
  });

  it('scale refuses negative replicas with the Scale validation message, and stale versions with 409', () => {
    const h = new ApiHarness().start();
    h.call(create(apps('deployments'), 'default', deployment('web')));
    const scale = obj(h.call({ verb: 'get', ...apps('deployments'), namespace: 'default', name: 'web', subresource: 'scale' }));
    const negative = h.call(update(apps('deployments'), 'default', 'web', { ...scale, spec: { replicas: -1 } }, 'scale'));
    expect(negative.code).toBe(422);
    expect(status(negative).message).toBe('Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    h.call(update(apps('deployments'), 'default', 'web', { ...scale, spec: { replicas: 3 } }, 'scale'));
    const stale = h.call(update(apps('deployments'), 'default', 'web', { ...scale, spec: { replicas: 9 } }, 'scale'));
    expect(stale.code).toBe(409);
  });

  it('status changes only status; the main resource cannot change status', () => {
    const h = new ApiHarness().start();
    const p = obj(h.call(create(core('pods'), 'default', pod('web'))));
    const running = { ...p, metadata: { ...p.metadata, labels: { sneaky: 'yes' } }, spec: { ...p.spec, nodeName: 'node-9' }, status: { ...p.status, phase: 'Running', podIP: '10.0.0.5' } };
    const r = h.call(update(core('pods'), 'default', 'web', running, 'status'));
    expect(r.code).toBe(200);
    expect(obj(r).status).toMatchObject({ phase: 'Running', podIP: '10.0.0.5' });
    expect(obj(r).spec.nodeName).toBeUndefined();
    expect(obj(r).metadata.labels).toBeUndefined();
    const viaMain = h.call(update(core('pods'), 'default', 'web', { ...obj(r), status: { phase: 'Failed' } }));
    expect(obj(viaMain).status.phase).toBe('Running');
  });

  it('a status update keeps the request\'s annotations, as upstream (how a Deployment records its revision)', () => {
    const h = new ApiHarness().start();
    const d = obj(h.call(create(apps('deployments'), 'default', deployment('web'))));
    const annotated = { ...d, metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '1' } }, status: { observedGeneration: 1 } };
    const r = h.call(update(apps('deployments'), 'default', 'web', annotated, 'status'));
    expect(r.code).toBe(200);
    expect(obj(r).metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '1' });
    expect(obj(r).status).toMatchObject({ observedGeneration: 1 });
  });

  it('status can be patched (what a kubelet does)', () => {
    const h = new ApiHarness().start();
    h.call(create(core('pods'), 'default', pod('web')));
    const r = h.call(patch(core('pods'), 'default', 'web', 'application/strategic-merge-patch+json', {
      status: { conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running' },
    }, 'status'));
    expect(r.code).toBe(200);
    expect(obj(r).status).toMatchObject({ phase: 'Running', qosClass: 'BestEffort', conditions: [{ type: 'Ready', status: 'True' }] });
  });

  it('eviction deletes the pod and answers 201; evicting it again is 404', () => {
    const h = new ApiHarness().start();
    h.call(create(core('pods'), 'default', pod('victim')));
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'victim', namespace: 'default' } };
    const r = h.call(create(core('pods'), 'default', eviction, { name: 'victim', subresource: 'eviction' }));
    expect(r.code).toBe(201);
    expect(h.call(get(core('pods'), 'default', 'victim')).code).toBe(404);
    expect(h.call(create(core('pods'), 'default', eviction, { name: 'victim', subresource: 'eviction' })).code).toBe(404);
  });

  it('unknown subresources are 404, wrong verbs on one 405', () => {
    const h = new ApiHarness().start();
    expect(h.call({ verb: 'get', ...core('configmaps'), namespace: 'default', name: 'x', subresource: 'scale' }).code).toBe(404);
    expect(h.call({ verb: 'delete', ...apps('deployments'), namespace: 'default', name: 'x', subresource: 'scale' }).code).toBe(405);
  });
});
