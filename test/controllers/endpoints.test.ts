import { describe, expect, it } from 'vitest';
import type { Service } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { placePod } from './nodes.ts';
import { endpointsOf, podFor, podNamed, readyEndpointsMismatch, service, setReady, slicesOf, start } from './services.ts';

describe('endpoints and endpointslice controllers', () => {
  it('publish ready pods as addresses and the others as not ready, ports resolved by name', () => {
    const { c } = start();
    c.apply(service('web'), 'services');
    const ready = podFor('web-1', 'node-1', c.now);
    const unready = podFor('web-2', 'node-2', c.now, { ready: false });
    placePod(c, ready);
    placePod(c, unready);
    placePod(c, podFor('other', 'node-1', c.now, { app: 'other' }));
    c.run(2_500);
    const ep = endpointsOf(c)!;
    expect(ep.metadata?.labels).toEqual({ app: 'web', tier: 'frontend' });
    expect(ep.subsets).toEqual([{
      addresses: [{ ip: ready.status!.podIP!, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: podNamed(c, 'web-1').metadata!.uid } }],
      notReadyAddresses: [{ ip: unready.status!.podIP!, nodeName: 'node-2', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-2', uid: podNamed(c, 'web-2').metadata!.uid } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }]);
    const [slice, ...more] = slicesOf(c);
    expect(more).toEqual([]);
    expect(slice.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata?.labels).toEqual({
      app: 'web', tier: 'frontend', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice.metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: c.objects<Service>('services')[0].metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints.map((e) => [e.targetRef?.name, e.addresses, e.conditions, e.nodeName, e.zone])).toEqual([
      ['web-1', [ready.status!.podIP], { ready: true, serving: true, terminating: false }, 'node-1', 'zone-a'],
      ['web-2', [unready.status!.podIP], { ready: false, serving: false, terminating: false }, 'node-2', 'zone-b'],
    ]);
    expect(readyEndpointsMismatch(c)).toEqual([]);
  });

  it('follow readiness, deletion and terminating pods', () => {
    const { c } = start();
    c.apply(service('web'), 'services');
    placePod(c, podFor('web-1', 'node-1', c.now));
    placePod(c, podFor('web-2', 'node-2', c.now, { ready: false }));
    c.run(2_500);
    setReady(c, 'web-2', true);
    c.run(2_500);
    expect(endpointsOf(c)!.subsets!.map((s) => [s.addresses?.length, s.notReadyAddresses?.length])).toEqual([[2, undefined]]);
    expect(readyEndpointsMismatch(c)).toEqual([]);
    // A terminating pod: gone from Endpoints, kept in its slice as terminating (serving while still ready).
    const terminating = podNamed(c, 'web-1');
    c.apply({ ...terminating, metadata: { ...terminating.metadata, deletionTimestamp: rfc3339(c.now + 30_000) } }, 'pods');
    c.run(2_500);
    expect(endpointsOf(c)!.subsets!.flatMap((s) => s.addresses ?? []).map((a) => a.targetRef?.name)).toEqual(['web-2']);
    expect(slicesOf(c)[0].endpoints.find((e) => e.targetRef?.name === 'web-1')?.conditions).toEqual({ ready: false, serving: true, terminating: true });
    expect(readyEndpointsMismatch(c)).toEqual([]);
    c.deletePod(podNamed(c, 'web-1'));
    c.deletePod(podNamed(c, 'web-2'));
    c.run(2_500);
    expect(endpointsOf(c)!.subsets).toBeUndefined();
    // No endpoints left: one placeholder slice.
    expect(slicesOf(c).map((s) => [s.endpoints, s.ports])).toEqual([[[], []]]);
  });

  it('publishNotReadyAddresses publishes every pod as ready', () => {
    const { c } = start();
    c.apply(service('web', { publishNotReadyAddresses: true }), 'services');
    placePod(c, podFor('web-1', 'node-1', c.now, { ready: false }));
    c.run(2_500);
    expect(endpointsOf(c)!.subsets![0].addresses?.map((a) => a.targetRef?.name)).toEqual(['web-1']);
    expect(slicesOf(c)[0].endpoints[0].conditions).toEqual({ ready: true, serving: false, terminating: false });
  });

  it('puts at most 100 endpoints in a slice', () => {
    const { c } = start();
    c.apply(service('web', { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }), 'services');
    for (let i = 0; i < 250; i++) placePod(c, podFor(`web-${String(i).padStart(3, '0')}`, i % 2 ? 'node-1' : 'node-2', c.now));
    c.run(2_000);
    expect(slicesOf(c).map((s) => s.endpoints.length).sort((a, b) => a - b)).toEqual([50, 100, 100]);
    expect(endpointsOf(c)!.subsets![0].addresses).toHaveLength(250);
    expect(readyEndpointsMismatch(c)).toEqual([]);
  });

  it('leave Services without a selector alone and remove Endpoints with their Service', () => {
    const { c } = start();
    c.apply({ ...service('manual'), spec: { ...service('manual').spec, selector: undefined } }, 'services');
    c.apply(service('web'), 'services');
    placePod(c, podFor('web-1', 'node-1', c.now));
    c.run(2_500);
    expect(endpointsOf(c, 'manual')).toBeUndefined();
    expect(slicesOf(c, 'manual')).toEqual([]);
    expect(endpointsOf(c)).toBeDefined();
    c.fake.send({ type: 'fake.delete', resource: 'services', namespace: 'default', name: 'web' });
    c.run(2_500);
    expect(endpointsOf(c)).toBeUndefined();
  });

  it('recreate Endpoints deleted behind their back', () => {
    const { c } = start();
    c.apply(service('web'), 'services');
    placePod(c, podFor('web-1', 'node-1', c.now));
    c.run(2_500);
    c.fake.send({ type: 'fake.delete', resource: 'endpoints', namespace: 'default', name: 'web' });
    const [slice] = slicesOf(c);
    c.fake.send({ type: 'fake.delete', resource: 'endpointslices', namespace: 'default', name: slice.metadata!.name! });
    c.run(2_500);
    expect(endpointsOf(c)?.subsets?.[0].addresses).toHaveLength(1);
    expect(slicesOf(c).flatMap((s) => s.endpoints)).toHaveLength(1);
  });

  it('catch the planted bug endpoints-include-unready', () => {
    const { c } = start('endpoints-include-unready');
    c.apply(service('web'), 'services');
    placePod(c, podFor('web-1', 'node-1', c.now));
    placePod(c, podFor('web-2', 'node-2', c.now, { ready: false }));
    c.run(2_500);
    expect(readyEndpointsMismatch(c)).toHaveLength(2);
  });
});
