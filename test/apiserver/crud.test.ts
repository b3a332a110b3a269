import { describe, expect, it } from 'vitest';
import { ApiHarness, apps, configMap, core, create, del, deployment, get, list, namespace, obj, pod, status, update } from './harness.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('create / get / list / update / delete', () => {
  it('stores a ConfigMap with system metadata and reads it back from etcd and from the cache', () => {
    const h = new ApiHarness().start();
    const created = h.call(create(core('configmaps'), 'default', configMap('settings', { mode: 'fast' })));
    expect(created.code).toBe(201);
    const meta = obj(created).metadata;
    expect(meta).toMatchObject({ name: 'settings', namespace: 'default', creationTimestamp: '2024-04-17T00:00:00Z' });
    expect(meta.uid).toMatch(UUID_V4);
    expect(meta.resourceVersion).toMatch(/^[0-9]+$/);

    const fromEtcd = h.call(get(core('configmaps'), 'default', 'settings'));
    expect(fromEtcd.code).toBe(200);
    expect(obj(fromEtcd)).toEqual(obj(created));
    h.run(20);
    const fromCache = h.call(get(core('configmaps'), 'default', 'settings', { resourceVersion: '0' }));
    expect(obj(fromCache)).toEqual(obj(created));
  });

  it('uses the etcd mod revision as resourceVersion and bumps it on every write', () => {
    const h = new ApiHarness().start();
    const a = obj(h.call(create(core('configmaps'), 'default', configMap('a'))));
    const b = obj(h.call(create(core('configmaps'), 'default', configMap('b'))));
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    const updated = h.call(update(core('configmaps'), 'default', 'a', { ...a, data: { x: '1' } }));
    expect(updated.code).toBe(200);
    expect(Number(obj(updated).metadata.resourceVersion)).toBe(Number(b.metadata.resourceVersion) + 1);
    expect(obj(updated).metadata.uid).toBe(a.metadata.uid);
  });

  it('lists objects as an XList with the list revision, across and within namespaces', () => {
    const h = new ApiHarness().start();
    h.call(create(core('namespaces'), undefined, namespace('team-a')));
    h.call(create(core('pods'), 'default', pod('web-1')));
    h.call(create(core('pods'), 'team-a', pod('web-2')));
    const all = h.call(list(core('pods')));
    expect(all.code).toBe(200);
    expect(obj(all)).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect((obj(all).items as { metadata: { name: string } }[]).map((p) => p.metadata.name)).toEqual(['web-1', 'web-2']);
    const inTeam = obj(h.call(list(core('pods'), 'team-a')));
    expect((inTeam.items as { metadata: { name: string } }[]).map((p) => p.metadata.name)).toEqual(['web-2']);
    expect(Number(inTeam.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number((inTeam.items as any[])[0].metadata.resourceVersion));
  });

  it('defaults a Pod and applies the DefaultTolerationSeconds admission plugin', () => {
    const h = new ApiHarness().start();
    const p = obj(h.call(create(core('pods'), 'default', pod('web'))));
    expect(p.spec).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst' });
    expect(p.status).toMatchObject({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(p.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  it('creates a Deployment at generation 1 and bumps generation only when the spec changes', () => {
    const h = new ApiHarness().start();
    const d = obj(h.call(create(apps('deployments'), 'default', deployment('web', 2))));
    expect(d.metadata.generation).toBe(1);
    expect(d.spec).toMatchObject({ replicas: 2, strategy: { type: 'RollingUpdate' }, revisionHistoryLimit: 10 });
    const labelled = obj(h.call(update(apps('deployments'), 'default', 'web', { ...d, metadata: { ...d.metadata, labels: { tier: 'front' } } })));
    expect(labelled.metadata.generation).toBe(1);
    const scaled = obj(h.call(update(apps('deployments'), 'default', 'web', { ...labelled, spec: { ...labelled.spec, replicas: 5 } })));
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.metadata.labels).toEqual({ tier: 'front' });
  });

  it('keeps the stored status on a main-resource update of a kind with a status subresource', () => {
    const h = new ApiHarness().start();
    const d = obj(h.call(create(apps('deployments'), 'default', deployment('web'))));
    const u = obj(h.call(update(apps('deployments'), 'default', 'web', { ...d, status: { replicas: 99 } })));
    expect(u.status).toEqual({});
  });

  it('completes generateName with five characters of the Kubernetes alphabet', () => {
    const h = new ApiHarness().start();
    const body = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'web-' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } };
    const a = obj(h.call(create(core('pods'), 'default', body)));
    const b = obj(h.call(create(core('pods'), 'default', body)));
    expect(a.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(b.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(a.metadata.name).not.toBe(b.metadata.name);
    expect(a.metadata.generateName).toBe('web-');
  });

  it('draws uids and generated names from the seed: the same seed gives the same objects', () => {
    const run = (seed: number) => {
      const h = new ApiHarness({ seed }).start();
      return obj(h.call(create(core('pods'), 'default', { ...pod(''), metadata: { generateName: 'x-' } }))).metadata;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7).uid).not.toBe(run(8).uid);
  });

  it('deletes a ConfigMap at once and answers with a Success Status', () => {
    const h = new ApiHarness().start();
    const c = obj(h.call(create(core('configmaps'), 'default', configMap('gone'))));
    const deleted = h.call(del(core('configmaps'), 'default', 'gone'));
    expect(deleted.code).toBe(200);
    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone', kind: 'configmaps', uid: c.metadata.uid } });
    expect(h.call(get(core('configmaps'), 'default', 'gone')).code).toBe(404);
  });

  it('deletes a Deployment at once', () => {
    const h = new ApiHarness().start();
    h.call(create(apps('deployments'), 'default', deployment('web')));
    expect(h.call(del(apps('deployments'), 'default', 'web')).code).toBe(200);
    expect(status(h.call(get(apps('deployments'), 'default', 'web'))).message).toBe('deployments.apps "web" not found');
  });

  it('bootstraps the system namespaces, Active with the kubernetes finalizer', () => {
    const h = new ApiHarness().start();
    const names = (obj(h.call(list(core('namespaces')))).items as any[]).map((n) => [n.metadata.name, n.status.phase, n.spec.finalizers]);
    expect(names).toEqual([
      ['default', 'Active', ['kubernetes']],
      ['kube-node-lease', 'Active', ['kubernetes']],
      ['kube-public', 'Active', ['kubernetes']],
      ['kube-system', 'Active', ['kubernetes']],
    ]);
  });

  it('terminates a Namespace on delete, refuses new content in it, and removes it once finalized', () => {
    const h = new ApiHarness().start();
    h.call(create(core('namespaces'), undefined, namespace('doomed')));
    const terminating = h.call(del(core('namespaces'), undefined, 'doomed'));
    expect(terminating.code).toBe(200);
    expect(obj(terminating).status.phase).toBe('Terminating');
    expect(obj(terminating).metadata.deletionTimestamp).toBeDefined();
    h.run(20);

    const refused = h.call(create(core('configmaps'), 'doomed', configMap('late')));
    expect(refused.code).toBe(403);
    expect(status(refused).message).toBe('configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    expect(status(refused).details?.causes).toEqual([{ reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }]);

    // What the namespace controller does once the namespace is empty: finalize, then delete.
    const current = obj(h.call(get(core('namespaces'), undefined, 'doomed')));
    const finalized = h.call(update(core('namespaces'), undefined, 'doomed', { ...current, spec: { finalizers: [] } }, 'finalize' as never));
    expect(finalized.code).toBe(200);
    expect(obj(finalized).spec.finalizers).toEqual([]);
    expect(h.call(del(core('namespaces'), undefined, 'doomed')).code).toBe(200);
    expect(h.call(get(core('namespaces'), undefined, 'doomed')).code).toBe(404);
  });

  it('refuses to delete the immortal namespaces', () => {
    const h = new ApiHarness().start();
    const refused = h.call(del(core('namespaces'), undefined, 'kube-system'));
    expect(refused.code).toBe(403);
    expect(status(refused).message).toBe('namespaces "kube-system" is forbidden: this namespace may not be deleted');
  });

  it('does not write a no-op update: same resourceVersion, no new revision', () => {
    const h = new ApiHarness().start();
    const c = obj(h.call(create(core('configmaps'), 'default', configMap('same', { a: '1' }))));
    const again = obj(h.call(update(core('configmaps'), 'default', 'same', c)));
    expect(again.metadata.resourceVersion).toBe(c.metadata.resourceVersion);
  });
});

describe('dryRun=All', () => {
  it('runs create, update, patch and delete through every check without writing', () => {
    const h = new ApiHarness().start();
    const dry = { dryRun: 'All' as const };
    const created = h.call({ ...create(core('configmaps'), 'default', configMap('dry', { a: '1' })), query: dry });
    expect(created.code).toBe(201);
    expect(obj(created).metadata.uid).toBeDefined();
    expect(h.call(get(core('configmaps'), 'default', 'dry')).code).toBe(404);
    expect(h.call({ ...create(apps('deployments'), 'default', deployment('bad', -1)), query: dry }).code).toBe(422);

    const real = obj(h.call(create(core('configmaps'), 'default', configMap('real', { a: '1' }))));
    const updated = h.call({ ...update(core('configmaps'), 'default', 'real', { ...real, data: { a: '2' } }), query: dry });
    expect(obj(updated).data).toEqual({ a: '2' });
    const deleted = h.call({ ...del(core('configmaps'), 'default', 'real'), query: dry });
    expect(deleted.code).toBe(200);
    expect(obj(h.call(get(core('configmaps'), 'default', 'real')))).toEqual(real);
    expect(h.call({ ...create(core('configmaps'), 'default', configMap('real')), query: dry }).code).toBe(409);
  });
});
