import { describe, expect, it } from 'vitest';
import { discoveryResponse, storageVersionHash } from '../../src/http/discovery/index.ts';

function json(path: string, accept?: string): any {
  const reply = discoveryResponse(path, accept);
  if (!reply) throw new Error(`no discovery reply for ${path}`);
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body as string);
}

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

describe('legacy discovery', () => {
  it('lists the core version at /api and the named groups at /apis in priority order', () => {
    expect(json('/api')).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = json('/apis?timeout=32s');
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: { name: string }) => g.name)).toEqual(['apps', 'events.k8s.io', 'batch', 'coordination.k8s.io', 'discovery.k8s.io']);
    expect(groups.groups[0]).toEqual({ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
    expect(json('/apis/batch')).toMatchObject({ kind: 'APIGroup', apiVersion: 'v1', name: 'batch' });
  });

  it('describes each resource of /api/v1 with verbs, short names, categories and its subresources', () => {
    const list = json('/api/v1');
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const names: string[] = list.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual([...names].sort());
    const byName = new Map(list.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.get('pods')).toEqual({
      name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'], categories: ['all'], storageVersionHash: 'xPOwRZ+Yhw8=',
    });
    expect(byName.get('pods/eviction')).toEqual({ name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    expect(byName.get('pods/binding')).toMatchObject({ kind: 'Binding', verbs: ['create'] });
    expect(byName.get('pods/log')).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    expect(byName.get('pods/status')).toMatchObject({ kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    expect(byName.get('nodes')).toMatchObject({ namespaced: false, shortNames: ['no'] });
    expect(byName.get('namespaces')).toMatchObject({ verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] });
    expect(byName.get('configmaps')).toMatchObject({ storageVersionHash: 'qFsyl6wFWjQ=' });
  });

  it('lists deployments/scale as autoscaling/v1 Scale under /apis/apps/v1', () => {
    const list = json('/apis/apps/v1/');
    const byName = new Map(list.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.get('deployments')).toMatchObject({ kind: 'Deployment', shortNames: ['deploy'], categories: ['all'], storageVersionHash: '8aSe+NMegvE=' });
    expect(byName.get('deployments/scale')).toEqual({ name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    expect(byName.get('deployments/status')).toMatchObject({ kind: 'Deployment' });
  });

  it('hashes events.k8s.io Events as the core Events they are stored as', () => {
    const core = json('/api/v1').resources.find((r: { name: string }) => r.name === 'events');
    const v1 = json('/apis/events.k8s.io/v1').resources.find((r: { name: string }) => r.name === 'events');
    expect(v1.kind).toBe('Event');
    expect(v1.storageVersionHash).toBe(core.storageVersionHash);
    expect(storageVersionHash('', 'v1', 'Event')).toBe(core.storageVersionHash);
  });

  it('answers 404 for groups and versions it does not serve, and nothing for resource paths', () => {
    expect(discoveryResponse('/apis/example.com/v1', undefined)?.status).toBe(404);
    expect(discoveryResponse('/apis/apps/v2', undefined)?.status).toBe(404);
    expect(discoveryResponse('/api/v2', undefined)?.status).toBe(404);
    expect(discoveryResponse('/api/v1/pods', undefined)).toBeUndefined();
    expect(discoveryResponse('/apis/apps/v1/namespaces/default/deployments', undefined)).toBeUndefined();
    expect(discoveryResponse('/version', undefined)).toBeUndefined();
  });
});

describe('aggregated discovery', () => {
  it('answers v2 with the matching content type, resources and subresources', () => {
    const reply = discoveryResponse('/apis', V2)!;
    expect(reply.contentType).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const doc = JSON.parse(reply.body as string);
    expect(doc).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    const apps = doc.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'apps');
    expect(apps.versions[0]).toMatchObject({ version: 'v1', freshness: 'Current' });
    const deployments = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
    expect(deployments).toEqual({
      resource: 'deployments', responseKind: { group: '', version: '', kind: 'Deployment' }, scope: 'Namespaced', singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['deploy'], categories: ['all'],
      subresources: [
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'status', responseKind: { group: '', version: '', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
    expect(doc.items.some((g: { metadata: { name: string } }) => g.metadata.name === '')).toBe(false);
  });

  it('serves the core group at /api and v2beta1 to the kubectl versions that ask for it', () => {
    const reply = discoveryResponse('/api', V2BETA1)!;
    expect(reply.contentType).toBe('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    const doc = JSON.parse(reply.body as string);
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(doc.items).toHaveLength(1);
    expect(doc.items[0].metadata.name).toBe('');
    const pods = doc.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'pods');
    expect(pods.subresources.map((s: { subresource: string }) => s.subresource)).toEqual(['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'status']);
    const nodes = doc.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'nodes');
    expect(nodes.scope).toBe('Cluster');
  });

  it('falls back to the legacy document for plain JSON, protobuf-only aggregated asks, or no Accept at all', () => {
    for (const accept of [undefined, 'application/json', '*/*', 'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json']) {
      const reply = discoveryResponse('/apis', accept)!;
      expect(reply.contentType).toBe('application/json');
      expect(JSON.parse(reply.body as string).kind).toBe('APIGroupList');
    }
  });
});
