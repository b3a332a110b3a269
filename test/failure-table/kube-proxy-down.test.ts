// Failure table, kube-proxy down on one node: "Service traffic not routing — kube-proxy may not have updated
// iptables rules." The node's kernel keeps the rules kube-proxy last wrote, so when the Service's endpoints
// change its connections still go to the old endpoints — where nothing answers now — while every other
// node's traffic lands on the current ready ones; the pods themselves are unaffected. A restarted
// kube-proxy resyncs its rules and that node's traffic is right again.
import type { Service } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { checkConvergence } from '../../src/check/convergence/index.ts';
import { ServiceTraffic, type RequestOutcome } from '../../src/network/index.ts';
import { evaluateTraffic } from '../../src/scenario/traffic.ts';
import { expectConverged, pods, snapshot, webCluster } from './harness.ts';

describe('failure table: kube-proxy down on one node', () => {
  it('that node sends traffic to stale endpoints, others to the current ones; a restart resyncs', () => {
    const cluster = webCluster(26);
    const clusterIP = cluster.get<Service>('services', 'web', 'default')!.spec!.clusterIP!;
    // Something answers at ip:port when a live pod has that IP (read before each burst of requests).
    let live = new Set<string>();
    const refresh = () => {
      live = new Set(pods(cluster).filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => `${p.status!.podIP}:80`));
    };
    const traffic = new ServiceTraffic(cluster.sim, { listening: (endpoint) => live.has(endpoint) });
    const burst = (node: string, n = 30): RequestOutcome[] =>
      Array.from({ length: n }, () => traffic.request({ from: { node, podIP: `10.244.${node.slice(5)}.200` }, to: `${clusterIP}:80` }));

    refresh();
    const oldEndpoints = new Set(live);
    expect(burst('node-1').every((r) => r.ok && oldEndpoints.has(r.endpoint))).toBe(true);

    cluster.crash('node-1/kube-proxy');
    cluster.delete('pods', undefined, { labelSelector: 'app=web' });
    // The ReplicaSet replaces them and the endpoints follow: everything converges but node-1's rules, which
    // the convergence checker flags.
    const onlyNode1Stale = () => {
      const violations = checkConvergence(snapshot(cluster));
      return violations.length > 0 && violations.every((v) => v.property === 'kube-proxy-rules' && v.message.startsWith('Node node-1 has stale kube-proxy rules'));
    };
    let settled = false;
    for (let i = 0; i < 60 && !settled; i++) {
      cluster.runFor(1_000);
      settled = onlyNode1Stale();
    }
    expect(settled).toBe(true);
    refresh();
    expect([...live].some((e) => oldEndpoints.has(e))).toBe(false);

    // node-1 still DNATs to the deleted pods: every connection times out, none reaches a new pod.
    const stale = burst('node-1');
    expect(stale.every((r) => !r.ok && r.error === 'i/o timeout' && r.endpoint !== undefined && oldEndpoints.has(r.endpoint))).toBe(true);
    // Every other node lands on the current ready endpoints.
    for (const node of ['node-2', 'node-3']) expect(burst(node).every((r) => r.ok && live.has(r.endpoint))).toBe(true);
    // The scenario files' `traffic` condition sees the same (and would fail a run that expected node-1 to work).
    expect(evaluateTraffic(cluster, { from: 'node-1', to: 'web:80', requests: 10, ok: true }).ok).toBe(false);
    expect(evaluateTraffic(cluster, { from: 'node-1', to: 'web:80', requests: 10, ok: false, error: 'i/o timeout' }).ok).toBe(true);
    expect(evaluateTraffic(cluster, { from: 'node-2', to: 'web:80', requests: 10, ok: true }).ok).toBe(true);

    cluster.restart('node-1/kube-proxy');
    expectConverged(cluster, 30_000);
    refresh();
    const after = burst('node-1', 60);
    expect(after.every((r) => r.ok && live.has(r.endpoint))).toBe(true);
    expect(new Set(after.map((r) => (r.ok ? r.endpoint : ''))).size).toBe(3);
    cluster.stop();
  });
});
