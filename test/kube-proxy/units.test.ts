import { describe, expect, it } from 'vitest';
import { base32, endpointChain, serviceChain } from '../../machines/kube-proxy/chain-names.ts';
import { categorizeEndpoints, type EndpointInfo } from '../../machines/kube-proxy/endpoints.ts';
import { servicePortsOf } from '../../machines/kube-proxy/service-ports.ts';
import { newSyncRunner, pendingDueAt, requestSync, takeSync, type SyncRunner } from '../../machines/kube-proxy/sync-runner.ts';

describe('chain names', () => {
  it('match kube-proxy’s own test vectors', () => {
    // pkg/proxy/iptables/proxier_test.go: ns1/svc1:p80 and its endpoint 10.180.0.1:80.
    expect(serviceChain('ns1/svc1:p80', 'TCP')).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(endpointChain('ns1/svc1:p80', 'TCP', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(base32(new TextEncoder().encode('foobar'))).toBe('MZXW6YTBOI');
  });
});

describe('endpoint categorization (CategorizeEndpoints)', () => {
  const ep = (ip: string, o: Partial<EndpointInfo> = {}): EndpointInfo => ({ ip, port: 80, ready: true, serving: true, terminating: false, isLocal: false, ...o });
  const port = (spec: Record<string, unknown>) => servicePortsOf({ metadata: { name: 's', namespace: 'n' }, spec: { clusterIP: '10.96.0.9', ports: [{ port: 80 }], ...spec } })[0];

  it('uses local endpoints only for internalTrafficPolicy Local', () => {
    const eps = [ep('10.0.0.1', { isLocal: true }), ep('10.0.0.2')];
    expect(categorizeEndpoints(eps, port({ internalTrafficPolicy: 'Local' })).reachable.map((e) => e.ip)).toEqual(['10.0.0.1']);
    expect(categorizeEndpoints([ep('10.0.0.2')], port({ internalTrafficPolicy: 'Local' }))).toMatchObject({ hasAny: true, local: [] });
    expect(categorizeEndpoints(eps, port({})).reachable.map((e) => e.ip)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('does not proxy headless or ExternalName Services', () => {
    expect(servicePortsOf({ metadata: { name: 's', namespace: 'n' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } })).toEqual([]);
    expect(servicePortsOf({ metadata: { name: 's', namespace: 'n' }, spec: { type: 'ExternalName', externalName: 'x.com' } })).toEqual([]);
  });
});

describe('sync runner (BoundedFrequencyRunner)', () => {
  it('allows a burst of two, then one per minInterval, and a periodic run', () => {
    let r = newSyncRunner(0, 30_000);
    const ran: number[] = [];
    for (const t of [0, 10, 20, 30, 500, 1_000, 1_010]) {
      const step = takeSync(requestSync(r), t, 1_000, 30_000);
      r = step.runner;
      if (step.run) ran.push(t);
    }
    expect(ran).toEqual([0, 10, 1_000]);
    expect(takeSync(r, 31_000, 1_000, 30_000).run).toBe(true);
  });
});

describe('sync runner refills in floating point', () => {
  it('runs a sync whose token refilled to 0.9999999999 instead of rescheduling it for the same instant forever', () => {
    const runner: SyncRunner = { tokens: 0.9999999999, refilledAt: 1_000, pending: true, nextPeriodicAt: 31_000 };
    expect(pendingDueAt(runner, 1_000)).toBe(1_000);
    expect(takeSync(runner, 1_000, 1_000, 30_000).run).toBe(true);
  });
});
