import {
  AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, makeInformer, PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../http/live-cluster.ts';
import { startE2eCluster, type E2eCluster } from './kubesim-up.ts';

/** `@kubernetes/client-node` 1.4 against `kubesim up`: typed calls, patches, an informer across a relist. */

let e2e: E2eCluster;
let kc: KubeConfig;
let core: CoreV1Api;
const NS = 'client-node';

beforeAll(async () => {
  e2e = await startE2eCluster();
  kc = new KubeConfig();
  kc.loadFromFile(e2e.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
});

const cm = (name: string, data: Record<string, string>): V1ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('@kubernetes/client-node', () => {
  it('lists, creates, reads and patches', async () => {
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system', NS]));
    const created = await core.createNamespacedConfigMap({ namespace: NS, body: cm('typed', { a: '1' }) });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

    const merged = await core.patchNamespacedConfigMap(
      { name: 'typed', namespace: NS, body: { data: { b: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.data).toEqual({ a: '1', b: '2' });
    const jsonPatched = await core.patchNamespacedConfigMap(
      { name: 'typed', namespace: NS, body: [{ op: 'replace', path: '/data/a', value: 'x' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.data).toEqual({ a: 'x', b: '2' });
    const read = await core.readNamespacedConfigMap({ name: 'typed', namespace: NS });
    expect(read.data).toEqual({ a: 'x', b: '2' });
    const listed = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: '' });
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(['typed']);
  });

  it('patches a Deployment with a strategic merge patch (lists merged by their keys, $patch: delete)', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const deployment: V1Deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'smp' },
      spec: {
        replicas: 0, selector: { matchLabels: { app: 'smp' } },
        template: {
          metadata: { labels: { app: 'smp' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] },
        },
      },
    };
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment });
    const patched = await apps.patchNamespacedDeployment({
      name: 'smp', namespace: NS,
      body: {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'web', image: 'nginx:1.26', env: [{ name: 'B', value: '3' }, { name: 'A', $patch: 'delete' }] },
                { name: 'sidecar', image: 'busybox:1.36' },
              ],
            },
          },
        },
      },
    }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    const containers = patched.spec?.template.spec?.containers ?? [];
    // Merged by name: `web` is updated in place (its env merged by name), `sidecar` is added.
    expect(containers.map((c) => [c.name, c.image])).toEqual([['web', 'nginx:1.26'], ['sidecar', 'busybox:1.36']]);
    expect(containers[0].env).toEqual([{ name: 'B', value: '3' }]);
    expect(patched.metadata?.generation).toBe(2);
  });

  it('server-side applies with field managers, a conflict, and force', async () => {
    const apply = (manager: string, data: Record<string, string>, force?: boolean) => core.patchNamespacedConfigMap(
      { name: 'applied', namespace: NS, body: cm('applied', data), fieldManager: manager, ...(force ? { force } : {}) },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    const first = await apply('alice', { owner: 'alice', shared: 'a' });
    expect(first.data).toEqual({ owner: 'alice', shared: 'a' });
    expect(first.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toEqual([['alice', 'Apply']]);
    expect(first.metadata?.managedFields?.[0].fieldsV1).toEqual({ 'f:data': { 'f:owner': {}, 'f:shared': {} } });

    // Bob sets a field Alice owns to another value: 409 Conflict naming Alice and the field.
    const conflict = await apply('bob', { shared: 'b' }).then(() => undefined, (err: unknown) => err);
    expect(conflict).toMatchObject({ code: 409 });
    const status = JSON.parse((conflict as { body: string }).body);
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "alice": .data.shared');
    expect(status.details.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.shared' }]);

    // With force, Bob takes the field over; Alice keeps what she alone manages.
    const forced = await apply('bob', { shared: 'b' }, true);
    expect(forced.data).toEqual({ owner: 'alice', shared: 'b' });
    const managers = Object.fromEntries((forced.metadata?.managedFields ?? []).map((f) => [f.manager, f.fieldsV1]));
    expect(managers).toEqual({ alice: { 'f:data': { 'f:owner': {} } }, bob: { 'f:data': { 'f:shared': {} } } });
  });

  it('reports API errors with their Status', async () => {
    await expect(core.readNamespacedConfigMap({ name: 'missing', namespace: NS })).rejects.toMatchObject({ code: 404 });
    await core.createNamespacedConfigMap({ namespace: NS, body: cm('dup', {}) });
    await expect(core.createNamespacedConfigMap({ namespace: NS, body: cm('dup', {}) })).rejects.toMatchObject({ code: 409 });
  });

  it('drives the generic object API (KubernetesObjectApi)', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const created = await objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: NS }, data: { k: 'v' } } as V1ConfigMap);
    expect(created.metadata?.name).toBe('generic');
    const read = await objects.read<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: NS } });
    expect(read.data).toEqual({ k: 'v' });
    await objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: NS } });
  });

  it('keeps an informer in sync across an apiserver restart and the relist it forces', async () => {
    let lists = 0;
    const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${NS}/configmaps`, () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: NS });
    });
    const errors: unknown[] = [];
    informer.on('error', (err) => {
      errors.push(err);
      // As client-node documents: restart after an error (here: the apiserver was briefly away).
      setTimeout(() => void informer.start(), 200);
    });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: NS, body: cm('seen-before', {}) });
    await waitFor(() => informer.get('seen-before', NS) !== undefined, 10_000);
    expect(lists).toBe(1);

    // A write elsewhere moves the revision past the informer's; the restarted apiserver's watch cache
    // starts there, so the informer's re-watch from its old revision is answered 410 and it re-lists.
    await core.createNamespacedConfigMap({ namespace: 'default', body: cm('elsewhere', {}) });
    const sim = e2e.running.cluster.sim;
    sim.crash('apiserver-0');
    sim.restart('apiserver-0');
    await waitFor(() => lists >= 2, 20_000);

    await core.createNamespacedConfigMap({ namespace: NS, body: cm('seen-after', {}) });
    await core.deleteNamespacedConfigMap({ name: 'seen-before', namespace: NS });
    await waitFor(() => informer.get('seen-after', NS) !== undefined && informer.get('seen-before', NS) === undefined, 15_000);
    await informer.stop();
  }, 60_000);
});
