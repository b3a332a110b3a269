import { describe, expect, it } from 'vitest';
import { hostCoreDns, ServiceTraffic, type RequestOutcome } from '../../src/network/index.ts';
import { ProxyCluster } from '../kube-proxy/harness.ts';

/**
 * The client request primitive over real kube-proxy rules: where requests to a ClusterIP, a node port or
 * a DNS name land, how evenly, and how they fail (no endpoints, kube-proxy down, CoreDNS down).
 */
function landings(traffic: ServiceTraffic, from: { node: string; podIP?: string; namespace?: string }, to: string, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = traffic.request({ from, to });
    const key = r.ok ? r.endpoint : r.error;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function threeEndpoints(mode: 'iptables' | 'ipvs') {
  const c = new ProxyCluster({ mode, seed: 7 });
  const svc = c.createService('web');
  c.setEndpoints('web', [
    { ip: '10.244.1.5', node: 'node-1' }, { ip: '10.244.2.7', node: 'node-2' }, { ip: '10.244.2.8', node: 'node-2' },
    { ip: '10.244.1.9', node: 'node-1', ready: false },
  ]);
  c.run(2_000);
  return { c, ip: svc.spec!.clusterIP! };
}

describe('requests to a ClusterIP', () => {
  it('iptables: land only on ready endpoints, evenly over many draws (fixed seed)', () => {
    const { c, ip } = threeEndpoints('iptables');
    const traffic = new ServiceTraffic(c.h.sim);
    const counts = landings(traffic, { node: 'node-1', podIP: '10.244.1.20' }, `${ip}:80`, 3_000);
    expect([...counts.keys()].sort()).toEqual(['10.244.1.5:8080', '10.244.2.7:8080', '10.244.2.8:8080']);
    for (const n of counts.values()) expect(Math.abs(n - 1_000)).toBeLessThan(100);
    const one = traffic.request({ from: { node: 'node-2' }, to: `${ip}:80` }) as Extract<RequestOutcome, { ok: true }>;
    expect(one.ok).toBe(true);
    expect(one.via).toBe('iptables');
    expect(one.chains![0]).toBe('OUTPUT');
    expect(one.chains![1]).toBe('KUBE-SERVICES');
    expect(one.chains![2]).toMatch(/^KUBE-SVC-/);
  });

  it('IPVS: round robin over the ready endpoints', () => {
    const { c, ip } = threeEndpoints('ipvs');
    const traffic = new ServiceTraffic(c.h.sim);
    const seq = Array.from({ length: 6 }, () => traffic.request({ from: { node: 'node-1', podIP: '10.244.1.20' }, to: `${ip}:80` }));
    expect(seq.map((r) => (r.ok ? r.endpoint : r.error))).toEqual([
      '10.244.1.5:8080', '10.244.2.7:8080', '10.244.2.8:8080', '10.244.1.5:8080', '10.244.2.7:8080', '10.244.2.8:8080',
    ]);
  });

  for (const mode of ['iptables', 'ipvs'] as const) {
    it(`${mode}: a Service without ready endpoints refuses the connection`, () => {
      const c = new ProxyCluster({ mode });
      const svc = c.createService('web');
      c.setEndpoints('web', [{ ip: '10.244.1.5', ready: false }]);
      c.run(2_000);
      const r = new ServiceTraffic(c.h.sim).request({ from: { node: 'node-1', podIP: '10.244.1.20' }, to: `${svc.spec!.clusterIP}:80` });
      expect(r).toMatchObject({ ok: false, error: 'connection refused', message: `dial tcp ${svc.spec!.clusterIP}:80: connect: connection refused` });
    });
  }

  it('ClientIP session affinity keeps a client on one endpoint', () => {
    const c = new ProxyCluster({ seed: 3 });
    const svc = c.createService('web', { sessionAffinity: 'ClientIP' });
    c.setEndpoints('web', [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }, { ip: '10.244.2.8' }]);
    c.run(2_000);
    const traffic = new ServiceTraffic(c.h.sim);
    const a = landings(traffic, { node: 'node-1', podIP: '10.244.1.20' }, `${svc.spec!.clusterIP}:80`, 50);
    expect(a.size).toBe(1);
    const many = new Set(Array.from({ length: 30 }, (_, i) => traffic.request({ from: { node: 'node-1', podIP: `10.244.1.${100 + i}` }, to: `${svc.spec!.clusterIP}:80` })).map((r) => (r.ok ? r.endpoint : r.error)));
    expect(many.size).toBeGreaterThan(1);
  });
});

describe('requests to a node port', () => {
  for (const mode of ['iptables', 'ipvs'] as const) {
    it(`${mode}: reach the endpoints through any node's IP, from another node`, () => {
      const c = new ProxyCluster({ mode });
      const svc = c.createService('web', { type: 'NodePort' });
      c.setEndpoints('web', [{ ip: '10.244.1.5' }]);
      c.run(2_000);
      const nodePort = svc.spec!.ports![0].nodePort!;
      const traffic = new ServiceTraffic(c.h.sim);
      expect(traffic.request({ from: { node: 'node-1' }, to: `172.18.0.3:${nodePort}` })).toMatchObject({ ok: true, endpoint: '10.244.1.5:8080', node: 'node-2' });
      expect(traffic.request({ from: { node: 'node-1' }, to: `172.18.0.3:${nodePort + 1}` })).toMatchObject({ ok: false, error: 'connection refused' });
    });
  }
});

describe('when kube-proxy on the client node is down', () => {
  it('stale rules: a new Service times out from that node, a removed endpoint still gets traffic there', () => {
    const c = new ProxyCluster({ seed: 11 });
    const web = c.createService('web');
    c.setEndpoints('web', [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }]);
    c.run(2_000);
    c.h.sim.crash('node-1/kube-proxy');
    c.setEndpoints('web', [{ ip: '10.244.2.7' }]); // the pod at 10.244.1.5 is gone
    const late = c.createService('late');
    c.setEndpoints('late', [{ ip: '10.244.2.9' }]);
    c.run(10_000);
    const live = new Set(['10.244.2.7:8080', '10.244.2.9:8080']);
    const traffic = new ServiceTraffic(c.h.sim, { listening: (ep) => live.has(ep) });
    const fromNode1 = landings(traffic, { node: 'node-1', podIP: '10.244.1.20' }, `${web.spec!.clusterIP}:80`, 400);
    expect(fromNode1.get('10.244.2.7:8080')).toBeGreaterThan(150);
    expect(fromNode1.get('i/o timeout')).toBeGreaterThan(150); // sent to the dead pod by node-1's stale rules
    const stale = traffic.request({ from: { node: 'node-1', podIP: '10.244.1.20' }, to: `${late.spec!.clusterIP}:80` });
    expect(stale).toMatchObject({ ok: false, error: 'i/o timeout', message: `dial tcp ${late.spec!.clusterIP}:80: i/o timeout` });
    // Pods elsewhere are unaffected.
    expect(landings(traffic, { node: 'node-2', podIP: '10.244.2.20' }, `${web.spec!.clusterIP}:80`, 50)).toEqual(new Map([['10.244.2.7:8080', 50]]));
    expect(traffic.request({ from: { node: 'node-2' }, to: `${late.spec!.clusterIP}:80` })).toMatchObject({ ok: true, endpoint: '10.244.2.9:8080' });
    // Recovery: the restarted kube-proxy rewrites node-1's rules.
    c.h.sim.restart('node-1/kube-proxy');
    c.run(2_000);
    expect(landings(traffic, { node: 'node-1', podIP: '10.244.1.20' }, `${web.spec!.clusterIP}:80`, 50)).toEqual(new Map([['10.244.2.7:8080', 50]]));
    expect(traffic.request({ from: { node: 'node-1' }, to: `${late.spec!.clusterIP}:80` })).toMatchObject({ ok: true, endpoint: '10.244.2.9:8080' });
  });
});

describe('requests by DNS name (CoreDNS)', () => {
  function withDns() {
    const c = new ProxyCluster({ seed: 5 });
    hostCoreDns(c.h.sim, { apiserver: 'apiserver-0' });
    c.call({ verb: 'create', group: '', version: 'v1', resource: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } });
    const web = c.createService('web');
    c.setEndpoints('web', [{ ip: '10.244.1.5' }]);
    c.createService('db', { clusterIP: 'None', ports: [{ port: 5432 }] });
    c.setEndpoints('db', [{ ip: '10.244.2.30', hostname: 'db-0' }, { ip: '10.244.2.31', ready: false }], [{ port: 5432 }]);
    c.run(2_000);
    return { c, web, traffic: new ServiceTraffic(c.h.sim) };
  }

  it('resolves <svc>.<ns>.svc.cluster.local and short names through the pod search path', () => {
    const { traffic } = withDns();
    const pod = { node: 'node-1', podIP: '10.244.1.20', namespace: 'default' };
    expect(traffic.request({ from: pod, to: 'web.default.svc.cluster.local:80' })).toMatchObject({ ok: true, endpoint: '10.244.1.5:8080' });
    expect(traffic.request({ from: pod, to: 'web:80' })).toMatchObject({ ok: true, endpoint: '10.244.1.5:8080' });
    expect(traffic.request({ from: { ...pod, namespace: 'shop' }, to: 'web:80' })).toMatchObject({
      ok: false, error: 'no such host', message: 'dial tcp: lookup web on 10.96.0.10:53: no such host',
    });
    expect(traffic.request({ from: { ...pod, namespace: 'shop' }, to: 'web.default:80' })).toMatchObject({ ok: true, endpoint: '10.244.1.5:8080' });
    // A headless Service resolves to its ready pods, which are dialled directly.
    expect(traffic.request({ from: pod, to: 'db:5432' })).toMatchObject({ ok: true, endpoint: '10.244.2.30:5432', via: 'direct' });
    expect(traffic.request({ from: pod, to: 'db-0.db.default.svc.cluster.local:5432' })).toMatchObject({ ok: true, endpoint: '10.244.2.30:5432' });
  });

  it('fails with a DNS timeout while CoreDNS is down, and resolves new Services once it has seen them', () => {
    const { c, traffic } = withDns();
    c.h.sim.crash('coredns-0');
    expect(traffic.request({ from: { node: 'node-1', podIP: '10.244.1.20' }, to: 'web:80' })).toMatchObject({
      ok: false, error: 'i/o timeout', message: 'dial tcp: lookup web on 10.96.0.10:53: read udp: i/o timeout',
    });
    c.h.sim.restart('coredns-0');
    c.createService('api');
    c.setEndpoints('api', [{ ip: '10.244.2.40' }]);
    c.run(2_000);
    expect(traffic.request({ from: { node: 'node-1', podIP: '10.244.1.20' }, to: 'api:80' })).toMatchObject({ ok: true, endpoint: '10.244.2.40:8080' });
  });
});
