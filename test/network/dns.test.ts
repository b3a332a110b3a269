import { describe, expect, it } from 'vitest';
import type { Service } from 'kubernetes-types/core/v1.js';
import { answerA, candidateNames, resolveName } from '../../src/network/dns.ts';
import { endpointSlice } from '../kube-proxy/harness.ts';

const svc = (name: string, namespace: string, spec: Service['spec']): Service => ({ metadata: { name, namespace }, spec });
const records = {
  services: [
    svc('web', 'default', { clusterIP: '10.96.3.4', ports: [{ port: 80 }] }),
    svc('db', 'shop', { clusterIP: 'None', ports: [{ port: 5432 }] }),
    svc('ext', 'default', { type: 'ExternalName', externalName: 'example.com' }),
  ],
  endpointSlices: [{ ...endpointSlice('db-x', 'db', [{ ip: '10.244.1.7', hostname: 'db-0' }, { ip: '10.244.2.8', ready: false }], [{ port: 5432 }]), metadata: { name: 'db-x', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } } }],
};

describe('cluster DNS', () => {
  it('tries the search path first for names with fewer than 5 dots (ndots:5)', () => {
    expect(candidateNames('web', 'shop')).toEqual(['web.shop.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web']);
    expect(candidateNames('web.default.svc.cluster.local.', 'shop')).toEqual(['web.default.svc.cluster.local']);
    expect(candidateNames('a.b.c.d.e.f', 'ns')[0]).toBe('a.b.c.d.e.f');
  });

  it('answers cluster IPs, headless endpoints, hostnames and ExternalName CNAMEs', () => {
    expect(answerA(records, 'web.default.svc.cluster.local')).toEqual({ rcode: 'NOERROR', addresses: ['10.96.3.4'] });
    expect(answerA(records, 'db.shop.svc.cluster.local')).toEqual({ rcode: 'NOERROR', addresses: ['10.244.1.7'] });
    expect(answerA(records, 'db-0.db.shop.svc.cluster.local')).toEqual({ rcode: 'NOERROR', addresses: ['10.244.1.7'] });
    expect(answerA(records, 'ext.default.svc.cluster.local')).toEqual({ rcode: 'NOERROR', addresses: [], cname: 'example.com' });
    expect(answerA(records, 'nope.default.svc.cluster.local')).toEqual({ rcode: 'NXDOMAIN' });
    expect(answerA(records, 'example.com')).toEqual({ rcode: 'NXDOMAIN' });
  });

  it('resolves short names relative to the client namespace', () => {
    expect(resolveName(records, 'web', 'default')).toMatchObject({ fqdn: 'web.default.svc.cluster.local', addresses: ['10.96.3.4'] });
    expect(resolveName(records, 'web', 'shop').addresses).toEqual([]);
    expect(resolveName(records, 'db.shop', 'default').addresses).toEqual(['10.244.1.7']);
  });
});
