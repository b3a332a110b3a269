import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resourceForPlural } from '../../src/api/resources.ts';
import { ApiError } from '../../src/apiserver/errors.ts';
import type { KubeObject } from '../../src/apiserver/objects.ts';
import { applyStrategicMergePatch } from '../../src/apiserver/patch/index.ts';
import { applyConfiguration, FieldSet, recordUpdate } from '../../src/apiserver/patch/apply/index.ts';
import { pathString } from '../../src/apiserver/patch/apply/field-set.ts';
import { numRuns } from '../fc.ts';
import { ApiHarness, apps, configMap, core, create, deployment, get, obj, patch, status, update } from './harness.ts';

const DEPLOYMENTS = resourceForPlural('deployments', 'apps')!;
const T0 = '2024-04-17T00:00:01Z';
const ctx = (manager: string, time = T0) => ({ resource: DEPLOYMENTS, manager, time });
const APPLY = 'application/apply-patch+yaml' as const;

function web(replicas = 3, image = 'nginx:1.25', extraLabels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', ...extraLabels } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } },
    },
  };
}

function conflictOf(run: () => unknown): { message: string; causes: unknown } {
  try {
    run();
  } catch (e) {
    if (e instanceof ApiError) return { message: e.status.message, causes: e.status.details?.causes };
    throw e;
  }
  throw new Error('expected a conflict');
}

function managers(o: KubeObject): [string, string][] {
  return (o.metadata?.managedFields ?? []).map((m) => [m.manager ?? '', m.operation ?? '']);
}

describe('server-side apply: ownership and conflicts', () => {
  it('conflicts with the field a client-side apply set, as kube-apiserver words it', () => {
    const live = recordUpdate(undefined, web(3), ctx('kubectl-client-side-apply'));
    const c = conflictOf(() => applyConfiguration(live, web(5), ctx('other'), { force: false }));
    expect(c.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(c.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);
  });

  it('lists several conflicts by manager', () => {
    const live = recordUpdate(undefined, web(3), ctx('kubectl-client-side-apply'));
    const c = conflictOf(() => applyConfiguration(live, web(5, 'nginx:1.26'), ctx('other'), { force: false }));
    expect(c.message).toBe('Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
  });

  it('shares fields applied with the same value, and force takes them over', () => {
    const live = recordUpdate(undefined, web(3), ctx('kubectl-client-side-apply'));
    const shared = applyConfiguration(live, web(3), ctx('other'), { force: false });
    expect(managers(shared)).toEqual([['other', 'Apply'], ['kubectl-client-side-apply', 'Update']]);
    const forced = applyConfiguration(live, web(5), ctx('other'), { force: true });
    expect((forced.spec as { replicas: number }).replicas).toBe(5);
    const csa = forced.metadata!.managedFields!.find((m) => m.manager === 'kubectl-client-side-apply')!;
    expect(FieldSet.fromFieldsV1(csa.fieldsV1).has(['f:spec', 'f:replicas'])).toBe(false);
    expect(FieldSet.fromFieldsV1(csa.fieldsV1).has(['f:spec', 'f:selector'])).toBe(true);
  });

  it('lets `kubectl` take over what its last-applied-configuration lists (upgrade from client-side apply)', () => {
    const withAnnotation = web(3);
    withAnnotation.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(web(3)) };
    const live = recordUpdate(undefined, withAnnotation, ctx('kubectl-client-side-apply'));
    const applied = applyConfiguration(live, web(4), ctx('kubectl'), { force: false });
    expect((applied.spec as { replicas: number }).replicas).toBe(4);
    // and keeps the annotation in step with what it applied
    expect(JSON.parse(applied.metadata!.annotations!['kubectl.kubernetes.io/last-applied-configuration']).spec.replicas).toBe(4);
    expect(() => applyConfiguration(live, web(4), ctx('someone-else'), { force: false })).toThrow(ApiError);
  });

  it('removes what the applier owned and no longer applies, unless someone else owns it', () => {
    const first = applyConfiguration(undefined, web(3, 'nginx:1.25', { tier: 'front', team: 'a' }), ctx('kubectl'), { force: false });
    // another manager takes the "team" label over with an update
    const updated = recordUpdate(first, { ...first, metadata: { ...first.metadata, labels: { ...first.metadata!.labels, team: 'b' } } }, ctx('kubectl-label'));
    const second = applyConfiguration(updated, web(3), ctx('kubectl'), { force: false });
    expect(second.metadata!.labels).toEqual({ app: 'web', team: 'b' });
  });

  it('is a no-op when nothing changes: the live object comes back as it was', () => {
    const first = applyConfiguration(undefined, web(), ctx('kubectl'), { force: false });
    expect(applyConfiguration(first, web(), ctx('kubectl', '2024-04-17T01:00:00Z'), { force: false })).toBe(first);
  });

  it('hands the fields of objects nobody tracked to "before-first-apply"', () => {
    const untracked = web(3);
    const c = conflictOf(() => applyConfiguration(untracked, web(5), ctx('kubectl'), { force: false }));
    expect(c.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
  });

  it('merges keyed lists item by item and keeps live-only items in place', () => {
    const live = recordUpdate(undefined, {
      ...web(), spec: { ...(web().spec as object), template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }] } } },
    }, ctx('creator'));
    const cfg = { ...web(), spec: { ...(web().spec as object), template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'c2' }, { name: 'd', image: 'd' }, { name: 'a', image: 'a' }] } } } };
    const out = applyConfiguration(live, cfg, ctx('kubectl'), { force: true }) as any;
    expect(out.spec.template.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`)).toEqual(['b=b', 'c=c2', 'd=d', 'a=a']);
  });

  it('spells paths as fieldpath does', () => {
    expect(pathString(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:name'])).toBe('.spec.ports[port=80,protocol="TCP"].name');
    expect(pathString(['f:metadata', 'f:finalizers', 'v:"x"'])).toBe('.metadata.finalizers[="x"]');
  });

  it('property: re-applying a configuration is a no-op, and the applier owns exactly what it applied', () => {
    const label = fc.stringMatching(/^[a-z]{1,5}$/);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.dictionary(label, label, { maxKeys: 4 }), fc.constantFrom('nginx:1', 'nginx:2'), (replicas, labels, image) => {
        const cfg = web(replicas, image, labels);
        const once = applyConfiguration(undefined, cfg, ctx('kubectl'), { force: false });
        expect(applyConfiguration(once, cfg, ctx('kubectl'), { force: false })).toBe(once);
        const owned = FieldSet.fromFieldsV1(once.metadata!.managedFields![0].fieldsV1);
        for (const k of Object.keys(cfg.metadata!.labels!)) expect(owned.has(['f:metadata', 'f:labels', `f:${k}`])).toBe(true);
        expect(owned.has(['f:spec', 'f:replicas'])).toBe(true);
        expect(owned.has(['f:metadata', 'f:name'])).toBe(false);
      }),
      { numRuns: numRuns(50) },
    );
  });
});

describe('server-side apply through the apiserver', () => {
  const applyReq = (body: unknown, query: Record<string, unknown> = { fieldManager: 'kubectl' }) => ({ ...patch(apps('deployments'), 'default', 'web', APPLY, body), query });

  it('creates when absent (201), updates (200), and writes nothing when re-applied unchanged', () => {
    const h = new ApiHarness().start();
    const created = h.call(applyReq(web(2)));
    expect(created.code).toBe(201);
    expect(obj(created).metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' })]);
    expect(obj(created).spec.strategy.type).toBe('RollingUpdate'); // defaulted, owned by nobody
    const again = h.call(applyReq(web(2)));
    expect(again.code).toBe(200);
    expect(obj(again).metadata.resourceVersion).toBe(obj(created).metadata.resourceVersion);
    const changed = h.call(applyReq(web(2, 'nginx:1.26')));
    expect(obj(changed).spec.template.spec.containers[0].image).toBe('nginx:1.26');
    expect(obj(changed).metadata.generation).toBe(2);
  });

  it('takes YAML text bodies', () => {
    const h = new ApiHarness().start();
    const yaml = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: demo-config', 'data:', '  env: prod', ''].join('\n');
    const r = h.call({ ...patch(core('configmaps'), 'default', 'demo-config', APPLY, yaml), query: { fieldManager: 'kubectl' } });
    expect(r.code).toBe(201);
    expect(obj(r).data).toEqual({ env: 'prod' });
    const bad = h.call({ ...patch(core('configmaps'), 'default', 'demo-config', APPLY, 'a: [unclosed'), query: { fieldManager: 'kubectl' } });
    expect(bad.code).toBe(400);
    expect(status(bad).message).toMatch(/^error decoding YAML: /);
  });

  it('requires a field manager and refuses force on other patch types (422 PatchOptions)', () => {
    const h = new ApiHarness().start();
    const r = h.call({ ...patch(apps('deployments'), 'default', 'web', APPLY, web()), query: {} });
    expect(r.code).toBe(422);
    expect(status(r).message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    h.call(create(core('configmaps'), 'default', configMap('c')));
    const forced = h.call({ ...patch(core('configmaps'), 'default', 'c', 'application/merge-patch+json', { data: { a: 'b' } }), query: { force: true } });
    expect(status(forced).message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('answers 409 with the conflict, and force=true takes the field', () => {
    const h = new ApiHarness().start();
    h.call({ ...create(apps('deployments'), 'default', web(3)), query: { fieldManager: 'kubectl-client-side-apply' } });
    const conflict = h.call(applyReq(web(5), { fieldManager: 'other' }));
    expect(conflict.code).toBe(409);
    expect(status(conflict).message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(obj(h.call(get(apps('deployments'), 'default', 'web'))).spec.replicas).toBe(3);
    const forced = h.call(applyReq(web(5), { fieldManager: 'other', force: true }));
    expect(forced.code).toBe(200);
    expect(obj(forced).spec.replicas).toBe(5);
  });

  it('refuses an apply naming another API version or setting managedFields', () => {
    const h = new ApiHarness().start();
    const wrong = h.call(applyReq({ ...web(), apiVersion: 'apps/v2' }));
    expect(status(wrong).message).toBe('Incorrect version specified in apply patch. Specified patch version: apps/v2, expected: apps/v1');
    const mf = h.call(applyReq({ ...web(), metadata: { name: 'web', managedFields: [] } }));
    expect(status(mf).message).toBe('metadata.managedFields must be nil');
  });
});

describe('managed fields of updates', () => {
  it('records the creator and each updater, with the fields they changed', () => {
    const h = new ApiHarness().start();
    const created = obj(h.call({ ...create(apps('deployments'), 'default', deployment('web', 2)), query: { fieldManager: 'kubectl-create' } }));
    expect(created.metadata.managedFields).toHaveLength(1);
    const entry = created.metadata.managedFields[0];
    expect(entry).toMatchObject({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    const set = FieldSet.fromFieldsV1(entry.fieldsV1);
    expect(set.has(['f:spec', 'f:replicas'])).toBe(true);
    expect(set.has(['f:spec', 'f:strategy', 'f:type'])).toBe(true); // defaults are the creator's
    expect(set.has(['f:metadata', 'f:name'])).toBe(false);
    const scaled = obj(h.call({ ...patch(apps('deployments'), 'default', 'web', 'application/merge-patch+json', { spec: { replicas: 4 } }), query: { fieldManager: 'kubectl-edit' } }));
    const byManager = Object.fromEntries(scaled.metadata.managedFields.map((m: { manager: string; fieldsV1: unknown }) => [m.manager, FieldSet.fromFieldsV1(m.fieldsV1)]));
    expect(byManager['kubectl-edit'].has(['f:spec', 'f:replicas'])).toBe(true);
    expect(byManager['kubectl-create'].has(['f:spec', 'f:replicas'])).toBe(false);
  });

  it('leaves requests without a field manager, and objects never tracked, untracked', () => {
    const h = new ApiHarness().start();
    const c = obj(h.call(create(core('configmaps'), 'default', configMap('c', { a: '1' }))));
    expect(c.metadata.managedFields).toBeUndefined();
    const u = obj(h.call({ ...update(core('configmaps'), 'default', 'c', { ...c, data: { a: '2' } }), query: { fieldManager: 'kubectl-replace' } }));
    expect(u.metadata.managedFields).toBeUndefined();
  });

  it('an update that changes nothing writes nothing', () => {
    const h = new ApiHarness().start();
    const c = obj(h.call({ ...create(core('configmaps'), 'default', configMap('c', { a: '1' })), query: { fieldManager: 'kubectl-create' } }));
    const again = obj(h.call({ ...patch(core('configmaps'), 'default', 'c', 'application/merge-patch+json', { data: { a: '1' } }), query: { fieldManager: 'kubectl-patch' } }));
    expect(again.metadata.resourceVersion).toBe(c.metadata.resourceVersion);
    expect(again.metadata.managedFields).toEqual(c.metadata.managedFields);
  });
});

describe('strategic merge patch: $setElementOrder', () => {
  it('orders patch items as asked and interleaves server-only items by their live position', () => {
    const live = { spec: { containers: [{ name: 'a', image: '1' }, { name: 'server-only', image: 's' }, { name: 'b', image: '1' }] } };
    const out = applyStrategicMergePatch(live, {
      spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'c' }], containers: [{ name: 'c', image: '1' }] },
    }) as typeof live;
    // mergeSortedSlice: "server-only" came before "b" in the live list, so it stays ahead of it.
    expect(out.spec.containers.map((c) => c.name)).toEqual(['server-only', 'b', 'a', 'c']);
    const reordered = applyStrategicMergePatch({ spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'server-only' }] } }, {
      spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] },
    }) as typeof live;
    expect(reordered.spec.containers.map((c) => c.name)).toEqual(['b', 'a', 'server-only']);
  });

  it('orders primitive merge lists (finalizers) too', () => {
    const out = applyStrategicMergePatch({ metadata: { finalizers: ['x', 'y'] } }, { metadata: { '$setElementOrder/finalizers': ['z', 'y', 'x'], finalizers: ['z'] } });
    expect(out).toEqual({ metadata: { finalizers: ['z', 'y', 'x'] } });
  });

  it('applies the three-way patch `kubectl apply` sends when an image changes', () => {
    const h = new ApiHarness().start();
    const lastApplied = (image: string) => JSON.stringify(web(3, image)) + '\n';
    const first = web(3, 'nginx:1.25');
    first.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied('nginx:1.25') };
    h.call({ ...create(apps('deployments'), 'default', first), query: { fieldManager: 'kubectl-client-side-apply' } });
    // What kubectl 1.33 computes (CreateThreeWayMergePatch with the OpenAPI patch strategies).
    const kubectlPatch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied('nginx:1.26') } },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } } },
    };
    const r = h.call({ ...patch(apps('deployments'), 'default', 'web', 'application/strategic-merge-patch+json', kubectlPatch), query: { fieldManager: 'kubectl-client-side-apply' } });
    expect(r.code).toBe(200);
    const containers = obj(r).spec.template.spec.containers;
    expect(containers).toHaveLength(1);
    expect(containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    expect(obj(r).metadata.managedFields.map((m: { manager: string }) => m.manager)).toEqual(['kubectl-client-side-apply']);
  });
});
