import { describe, expect, it } from 'vitest';
import { endpointChain, serviceChain } from '../../machines/kube-proxy/chain-names.ts';
import { endpointsInRules, iptablesSave } from '../../src/network/index.ts';
import { ProxyCluster } from './harness.ts';

/**
 * kube-proxy against a real apiserver: the rules it writes for Services and EndpointSlices in both
 * modes, how they follow changes (rate-limited by minSyncPeriod, refreshed every syncPeriod), what a
 * crash leaves behind, and the planted bug the convergence check catches.
 */
const natRules = (c: ProxyCluster, node: string) => c.rules(node).iptables.nat.filter((l) => l.startsWith('-A KUBE-S'));

describe('kube-proxy, iptables mode', () => {
  it('writes the KUBE-SERVICES → KUBE-SVC → KUBE-SEP chains for the ready endpoints only', () => {
    const c = new ProxyCluster();
    const svc = c.createService('web');
    const ip = svc.spec!.clusterIP!;
    c.setEndpoints('web', [
      { ip: '10.244.1.5', node: 'node-1' }, { ip: '10.244.2.7', node: 'node-2' },
      { ip: '10.244.2.9', node: 'node-2', ready: false }, { ip: '10.244.1.6', node: 'node-1' },
    ]);
    c.run(2_000);
    const svcChain = serviceChain('default/web', 'TCP');
    const sep = (ep: string) => endpointChain('default/web', 'TCP', ep);
    expect(natRules(c, 'node-1')).toEqual([
      `-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d ${ip} --dport 80 -j ${svcChain}`,
      `-A ${svcChain} -m comment --comment "default/web cluster IP" -m tcp -p tcp -d ${ip} --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
      `-A ${svcChain} -m comment --comment default/web -m statistic --mode random --probability 0.3333333333 -j ${sep('10.244.1.5:8080')}`,
      `-A ${svcChain} -m comment --comment default/web -m statistic --mode random --probability 0.5000000000 -j ${sep('10.244.1.6:8080')}`,
      `-A ${svcChain} -m comment --comment default/web -j ${sep('10.244.2.7:8080')}`,
      `-A ${sep('10.244.1.5:8080')} -m comment --comment default/web -s 10.244.1.5 -j KUBE-MARK-MASQ`,
      `-A ${sep('10.244.1.5:8080')} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080`,
      `-A ${sep('10.244.1.6:8080')} -m comment --comment default/web -s 10.244.1.6 -j KUBE-MARK-MASQ`,
      `-A ${sep('10.244.1.6:8080')} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.6:8080`,
      `-A ${sep('10.244.2.7:8080')} -m comment --comment default/web -s 10.244.2.7 -j KUBE-MARK-MASQ`,
      `-A ${sep('10.244.2.7:8080')} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.2.7:8080`,
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    ]);
    // Every node programs every service the same way (Cluster traffic policy).
    expect(endpointsInRules(c.rules('node-2'))).toEqual(endpointsInRules(c.rules('node-1')));
    expect(iptablesSave(c.rules('node-1').iptables)).toContain(`:${svcChain} - [0:0]`);
    expect(c.mismatches()).toEqual([]);
  });

  it('REJECTs a service without endpoints, and programs node ports through KUBE-NODEPORTS and KUBE-EXT', () => {
    const c = new ProxyCluster();
    const empty = c.createService('empty');
    const np = c.createService('np', { type: 'NodePort' });
    c.setEndpoints('np', [{ ip: '10.244.1.5', node: 'node-1' }]);
    c.run(2_000);
    const filter = c.rules('node-1').iptables.filter;
    expect(filter).toContain(`-A KUBE-SERVICES -m comment --comment "default/empty has no endpoints" -m tcp -p tcp -d ${empty.spec!.clusterIP} --dport 80 -j REJECT`);
    const nodePort = np.spec!.ports![0].nodePort!;
    const nat = c.rules('node-1').iptables.nat;
    expect(nat).toContain(`-A KUBE-NODEPORTS -m comment --comment default/np -m tcp -p tcp --dport ${nodePort} -j KUBE-EXT-${serviceChain('default/np', 'TCP').slice('KUBE-SVC-'.length)}`);
    expect(nat.some((l) => l.includes('masquerade traffic for default/np external destinations'))).toBe(true);
  });

  it('follows endpoint changes within minSyncPeriod and drops a deleted Service', () => {
    const c = new ProxyCluster();
    c.createService('web');
    c.setEndpoints('web', [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }]);
    c.run(1_500);
    expect(endpointsInRules(c.rules('node-1'))['default/web']).toEqual(['10.244.1.5:8080', '10.244.2.7:8080']);
    c.setEndpoints('web', [{ ip: '10.244.2.7' }, { ip: '10.244.1.5', ready: false }]);
    c.run(1_500);
    expect(endpointsInRules(c.rules('node-1'))['default/web']).toEqual(['10.244.2.7:8080']);
    expect(c.mismatches()).toEqual([]);
    c.deleteService('web');
    c.run(1_500);
    expect(c.rules('node-1').iptables.nat.some((l) => l.includes('default/web'))).toBe(false);
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const c = new ProxyCluster();
    c.createService('web');
    c.setEndpoints('web', [{ ip: '10.244.1.5', ready: false, serving: true, terminating: true }, { ip: '10.244.1.6', ready: false, serving: false, terminating: true }]);
    c.run(2_000);
    expect(endpointsInRules(c.rules('node-1'))['default/web']).toEqual(['10.244.1.5:8080']);
  });

  it('syncs at most twice in a burst, then once per minSyncPeriod; and every syncPeriod without changes', () => {
    const c = new ProxyCluster({ nodes: ['node-1'] });
    c.createService('web');
    c.run(5_000);
    const before = c.syncsOf('node-1').length;
    const start = c.h.sim.now;
    for (let i = 0; i < 10; i++) c.setEndpoints('web', [{ ip: `10.244.1.${10 + i}` }]); // ~10 changes in a few ms
    c.run(3_000);
    const burst = c.syncsOf('node-1').slice(before).filter((t) => t >= start);
    expect(burst.length).toBeGreaterThanOrEqual(2);
    // A token bucket: two at once (the burst), then one more per minSyncPeriod on average.
    for (let i = 2; i < burst.length; i++) expect(burst[i] - burst[0]).toBeGreaterThanOrEqual((i - 1) * 1_000 - 1);
    expect(burst.length).toBeLessThanOrEqual(4);
    expect(endpointsInRules(c.rules('node-1'))['default/web']).toEqual(['10.244.1.19:8080']);
    // Quiet: the periodic sync, every 30 s.
    const quietFrom = c.h.sim.now;
    c.run(95_000);
    const periodic = c.syncsOf('node-1').filter((t) => t > quietFrom);
    expect(periodic.length).toBe(3);
    expect(periodic[1] - periodic[0]).toBe(30_000);
  });
});

describe('kube-proxy, IPVS mode', () => {
  it('programs a virtual server per cluster IP and node port with the ready endpoints as rr real servers', () => {
    const c = new ProxyCluster({ mode: 'ipvs' });
    const svc = c.createService('web', { type: 'NodePort', sessionAffinity: 'ClientIP' });
    c.setEndpoints('web', [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }, { ip: '10.244.2.8', ready: false }]);
    c.run(1_000);
    const ipvs = c.rules('node-2').ipvs!;
    const nodePort = svc.spec!.ports![0].nodePort!;
    expect(ipvs.virtualServers).toEqual([
      { service: 'default/web', address: svc.spec!.clusterIP, port: 80, protocol: 'TCP', scheduler: 'rr', persistentTimeoutSeconds: 10_800, realServers: [{ address: '10.244.1.5', port: 8080, weight: 1 }, { address: '10.244.2.7', port: 8080, weight: 1 }] },
      { service: 'default/web', address: '172.18.0.3', port: nodePort, protocol: 'TCP', scheduler: 'rr', persistentTimeoutSeconds: 10_800, realServers: [{ address: '10.244.1.5', port: 8080, weight: 1 }, { address: '10.244.2.7', port: 8080, weight: 1 }] },
    ]);
    expect(ipvs.boundAddresses).toEqual([svc.spec!.clusterIP]);
    expect(ipvs.ipsets['KUBE-CLUSTER-IP']).toEqual([`${svc.spec!.clusterIP},tcp:80`]);
    expect(ipvs.ipsets['KUBE-NODE-PORT-TCP']).toEqual([String(nodePort)]);
    expect(c.mismatches()).toEqual([]);
  });
});

describe('kube-proxy crash: the rules stay as they were', () => {
  for (const mode of ['iptables', 'ipvs'] as const) {
    it(`${mode}: a crashed kube-proxy leaves its node's rules stale until it restarts and syncs`, () => {
      const c = new ProxyCluster({ mode });
      c.createService('web');
      c.setEndpoints('web', [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }]);
      c.run(1_500);
      c.h.sim.crash('node-1/kube-proxy');
      c.setEndpoints('web', [{ ip: '10.244.2.7' }]);
      c.createService('late');
      c.setEndpoints('late', [{ ip: '10.244.2.9' }]);
      c.run(60_000);
      // node-1 still sends to the removed endpoint and knows nothing of the new Service; node-2 is current.
      expect(endpointsInRules(c.rules('node-1'))['default/web']).toEqual(['10.244.1.5:8080', '10.244.2.7:8080']);
      expect(endpointsInRules(c.rules('node-1'))['default/late']).toBeUndefined();
      expect(c.mismatches(['node-2'])).toEqual([]);
      expect(c.mismatches(['node-1'])).toEqual([
        'node-1: default/late rules lead to [], endpoints are [10.244.2.9:8080]',
        'node-1: default/web rules lead to [10.244.1.5:8080,10.244.2.7:8080], endpoints are [10.244.2.7:8080]',
      ]);
      c.h.sim.restart('node-1/kube-proxy');
      c.run(2_000);
      expect(c.mismatches()).toEqual([]);
      expect(c.rules('node-1').writtenBy).toBe(1);
    });
  }
});

describe('planted bug: kube-proxy-never-removes-endpoint', () => {
  function scenario(plant: boolean): string[] {
    const c = new ProxyCluster(plant ? { plant: 'kube-proxy-never-removes-endpoint' } : {});
    c.createService('web');
    c.setEndpoints('web', [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }]);
    c.run(1_500);
    c.setEndpoints('web', [{ ip: '10.244.2.7' }]);
    c.run(40_000);
    return c.mismatches();
  }

  it('is caught by the rules-equal-endpoints check, which passes without it', () => {
    expect(scenario(false)).toEqual([]);
    expect(scenario(true)).toEqual([
      'node-1: default/web rules lead to [10.244.1.5:8080,10.244.2.7:8080], endpoints are [10.244.2.7:8080]',
      'node-2: default/web rules lead to [10.244.1.5:8080,10.244.2.7:8080], endpoints are [10.244.2.7:8080]',
    ]);
  });
});
