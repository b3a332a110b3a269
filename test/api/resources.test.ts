import { describe, expect, it } from 'vitest';
import {
  RESOURCES,
  apiVersionOf,
  findResource,
  groupKindString,
  keyFor,
  parseKey,
  prefixFor,
  resourceForApiVersionKind,
  resourceForKind,
  resourceForPlural,
  resourceForShortName,
} from '../../src/api/resources.ts';

describe('resource registry', () => {
  it('has every resource the model serves, with discovery metadata', () => {
    expect(RESOURCES.map((r) => `${apiVersionOf(r)}/${r.plural}`)).toEqual([
      'v1/namespaces',
      'v1/nodes',
      'v1/pods',
      'v1/events',
      'v1/configmaps',
      'v1/secrets',
      'v1/services',
      'v1/endpoints',
      'v1/serviceaccounts',
      'coordination.k8s.io/v1/leases',
      'apps/v1/deployments',
      'apps/v1/replicasets',
      'apps/v1/daemonsets',
      'batch/v1/jobs',
      'discovery.k8s.io/v1/endpointslices',
      'events.k8s.io/v1/events',
    ]);
    const pods = resourceForPlural('pods')!;
    expect(pods.subresources).toEqual(expect.arrayContaining(['status', 'binding', 'eviction', 'log']));
    expect(pods.categories).toEqual(['all']);
    expect(resourceForKind('Deployment')!.subresources).toEqual(['scale', 'status']);
    expect(resourceForKind('Namespace')!.verbs).not.toContain('deletecollection');
    expect(resourceForKind('Node')!.namespaced).toBe(false);
    expect(resourceForKind('Lease')!.group).toBe('coordination.k8s.io');
  });

  it.each([
    ['po', 'pods'],
    ['no', 'nodes'],
    ['ns', 'namespaces'],
    ['deploy', 'deployments'],
    ['rs', 'replicasets'],
    ['ds', 'daemonsets'],
    ['svc', 'services'],
    ['ep', 'endpoints'],
    ['cm', 'configmaps'],
    ['ev', 'events'],
    ['sa', 'serviceaccounts'],
  ])('short name %s is %s', (short, plural) => {
    expect(resourceForShortName(short)!.plural).toBe(plural);
  });

  it('resolves kinds, apiVersion+kind and what users type', () => {
    expect(resourceForApiVersionKind('apps/v1', 'ReplicaSet')!.plural).toBe('replicasets');
    expect(resourceForApiVersionKind('events.k8s.io/v1', 'Event')!.group).toBe('events.k8s.io');
    expect(resourceForKind('Event')!.group).toBe('');
    expect(resourceForApiVersionKind('v1', 'Deployment')).toBeUndefined();
    expect(findResource('Deployments.apps')!.kind).toBe('Deployment');
    expect(findResource('pod')!.kind).toBe('Pod');
    expect(findResource('ev.events.k8s.io')!.group).toBe('events.k8s.io');
    expect(groupKindString(resourceForKind('Deployment')!)).toBe('Deployment.apps');
    expect(groupKindString(resourceForKind('Pod')!)).toBe('Pod');
  });
});

describe('etcd keys', () => {
  it.each([
    ['Pod', 'default', 'web', '/registry/pods/default/web'],
    ['Node', undefined, 'node-1', '/registry/minions/node-1'],
    ['Namespace', undefined, 'kube-system', '/registry/namespaces/kube-system'],
    ['Service', 'default', 'kubernetes', '/registry/services/specs/default/kubernetes'],
    ['Endpoints', 'default', 'kubernetes', '/registry/services/endpoints/default/kubernetes'],
    ['Lease', 'kube-node-lease', 'node-1', '/registry/leases/kube-node-lease/node-1'],
    ['Deployment', 'default', 'web', '/registry/deployments/default/web'],
    ['Event', 'default', 'web.17a', '/registry/events/default/web.17a'],
    ['EndpointSlice', 'default', 'web-abc', '/registry/endpointslices/default/web-abc'],
    ['Job', 'default', 'pi', '/registry/jobs/default/pi'],
  ])('%s %s/%s lives at %s', (kind, ns, name, key) => {
    const r = resourceForKind(kind)!;
    expect(keyFor(r, ns, name)).toBe(key);
    expect(parseKey(key)).toEqual({ resource: r, ...(ns ? { namespace: ns } : {}), name });
  });

  it('builds list prefixes and rejects bad keys the way the registry does', () => {
    const pods = resourceForKind('Pod')!;
    expect(prefixFor(pods, 'default')).toBe('/registry/pods/default/');
    expect(prefixFor(pods)).toBe('/registry/pods/');
    expect(prefixFor(resourceForKind('Node')!)).toBe('/registry/minions/');
    expect(() => keyFor(pods, '', 'web')).toThrow('Namespace parameter required.');
    expect(() => keyFor(pods, 'default', 'a/b')).toThrow('Name parameter invalid: "a/b": may not contain \'/\'');
    expect(() => keyFor(pods, 'default', '..')).toThrow("may not be '..'");
  });
});
