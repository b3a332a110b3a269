// CoreDNS in the cluster (coredns-0): a pod's request to `<svc>.<ns>.svc.cluster.local` (or the short name
// through its search path) resolves to the Service's ClusterIP and lands on a ready endpoint. With CoreDNS
// down, lookups time out while requests by IP still work; back up, it relists and answers again.
import type { Service } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/index.ts';
import { ServiceTraffic } from '../../src/network/index.ts';
import { pods, webCluster } from './harness.ts';

describe('CoreDNS in the cluster', () => {
  it('resolves a Service name from a pod; down: lookups time out; back: resolves again', () => {
    const cluster = webCluster(27);
    expect(cluster.layout.coredns).toBe('coredns-0');
    const clusterIP = cluster.get<Service>('services', 'web', 'default')!.spec!.clusterIP!;
    const ready = new Set(pods(cluster).map((p) => `${p.status!.podIP}:80`));
    const traffic = new ServiceTraffic(cluster.sim);
    const from = { node: 'node-2', podIP: '10.244.2.200', namespace: 'default' };

    for (const to of ['web.default.svc.cluster.local:80', 'web:80', 'web.default:80']) {
      const r = traffic.request({ from, to });
      expect(r.ok && r.address === `${clusterIP}:80` && ready.has(r.endpoint), `${to}: ${JSON.stringify(r)}`).toBe(true);
    }
    expect(traffic.request({ from, to: 'nope.default.svc.cluster.local:80' })).toMatchObject({ ok: false, error: 'no such host' });

    cluster.crash('coredns-0');
    expect(traffic.request({ from, to: 'web:80' })).toMatchObject({
      ok: false, error: 'i/o timeout', message: 'dial tcp: lookup web on 10.96.0.10:53: read udp: i/o timeout',
    });
    expect(traffic.request({ from, to: `${clusterIP}:80` }).ok).toBe(true);

    cluster.restart('coredns-0');
    cluster.runFor(5_000);
    expect(traffic.request({ from, to: 'web:80' }).ok).toBe(true);
    cluster.stop();
  });

  it('components.coredns: false leaves it out', () => {
    const cluster = buildCluster({ components: { coredns: false } }, { seed: 3 });
    expect(cluster.sim.has('coredns-0')).toBe(false);
    expect(cluster.layout.coredns).toBeUndefined();
    cluster.stop();
  });
});
