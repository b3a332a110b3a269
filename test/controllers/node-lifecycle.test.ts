import { describe, expect, it } from 'vitest';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { parseTimestamp } from '../../src/kubelet/format.ts';
import { Cluster, type ClusterOptions } from './harness.ts';
import { Kubelets, boundPod, placePod } from './nodes.ts';

const nodeCluster = (kcm: ClusterOptions['kcm'] = {}) =>
  new Cluster({ kcm: { controllers: ['nodelifecycle', 'taint-eviction-controller'], ...kcm } });

function start(names: string[], kcm: ClusterOptions['kcm'] = {}, labels: (name: string) => Record<string, string> = () => ({})) {
  const c = nodeCluster(kcm);
  const k = new Kubelets(c);
  for (const name of names) k.register(name, { labels: labels(name) });
  k.run(1_000);
  return { c, k };
}

const taintsOf = (k: Kubelets, name: string): Taint[] => k.node(name).spec?.taints ?? [];
const hasTaint = (k: Kubelets, name: string, key: string, effect: string) => taintsOf(k, name).some((t) => t.key === key && t.effect === effect);
const ready = (k: Kubelets, name: string) => k.node(name).status?.conditions?.find((c) => c.type === 'Ready');
const pod = (c: Cluster, name: string) => c.pods().find((p) => p.metadata?.name === name);
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';

describe('node lifecycle controller', () => {
  it('registers nodes (RegisteredNode) and leaves healthy ones alone', () => {
    const { c, k } = start(['node-1', 'node-2']);
    k.run(120_000);
    expect(c.eventMessages('node-controller')).toEqual([
      'Node node-1 event: Registered Node node-1 in Controller',
      'Node node-2 event: Registered Node node-2 in Controller',
    ]);
    expect(taintsOf(k, 'node-1')).toEqual([]);
    expect(ready(k, 'node-1')?.status).toBe('True');
    // Healthy nodes are never written to: their leases are the heartbeat.
    expect(c.requests('update', 'nodes')).toEqual([]);
  });

  it('marks a silent node Unknown after the grace period, taints it unreachable and its pods not ready', () => {
    const { c, k } = start(['node-1', 'node-2', 'node-3']);
    placePod(c, boundPod('web', 'node-1', c.now));
    k.run(5_000);
    const lastHeartbeat = c.now;
    k.stop('node-1');
    k.until(() => ready(k, 'node-1')?.status === 'Unknown', 70_000, 'Ready=Unknown');
    // --node-monitor-grace-period 50 s, checked every 5 s (the last renewal was up to 10 s earlier).
    expect(c.now - lastHeartbeat).toBeGreaterThan(40_000);
    expect(c.now - lastHeartbeat).toBeLessThanOrEqual(56_000);
    const conditions = k.node('node-1').status?.conditions ?? [];
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      expect(conditions.find((x) => x.type === type)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    }
    k.until(() => hasTaint(k, 'node-1', UNREACHABLE, 'NoExecute'), 10_000, 'NoExecute taint');
    expect(hasTaint(k, 'node-1', UNREACHABLE, 'NoSchedule')).toBe(true);
    const noExecute = taintsOf(k, 'node-1').find((t) => t.effect === 'NoExecute')!;
    expect(noExecute.timeAdded).toBeDefined();
    expect(pod(c, 'web')?.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('False');
    expect(c.events('node-controller').map((e) => [e.reason, e.message, e.involvedObject.kind])).toEqual(expect.arrayContaining([
      ['NodeNotReady', 'Node node-1 status is now: NodeNotReady', 'Node'],
      ['NodeNotReady', 'Node is not ready', 'Pod'],
    ]));
    // The other nodes are untouched.
    expect(taintsOf(k, 'node-2')).toEqual([]);
  });

  it('uses not-ready taints for a node that reports Ready=False, and swaps them when it goes silent', () => {
    const { c, k } = start(['node-1', 'node-2', 'node-3']);
    k.postStatus('node-1', 'False');
    k.until(() => hasTaint(k, 'node-1', NOT_READY, 'NoExecute') && hasTaint(k, 'node-1', NOT_READY, 'NoSchedule'), 15_000, 'not-ready taints');
    expect(hasTaint(k, 'node-1', UNREACHABLE, 'NoExecute')).toBe(false);
    k.stop('node-1');
    k.until(() => hasTaint(k, 'node-1', UNREACHABLE, 'NoExecute'), 70_000, 'unreachable taint');
    expect(hasTaint(k, 'node-1', NOT_READY, 'NoExecute')).toBe(false);
    expect(c.now).toBeGreaterThan(0);
  });

  it('lifts every taint when the kubelet comes back', () => {
    const { k } = start(['node-1', 'node-2', 'node-3']);
    k.stop('node-1');
    k.until(() => hasTaint(k, 'node-1', UNREACHABLE, 'NoExecute'), 70_000, 'unreachable taint');
    k.start('node-1');
    k.until(() => taintsOf(k, 'node-1').length === 0, 15_000, 'taints lifted');
    expect(ready(k, 'node-1')?.status).toBe('True');
  });

  it('taints nodes of one zone at --node-eviction-rate (0.1/s: one node every 10 s)', () => {
    const names = Array.from({ length: 10 }, (_, i) => `node-${i + 1}`);
    const { c, k } = start(names);
    k.stop('node-1');
    k.stop('node-2');
    k.stop('node-3');
    const taintedAt = new Map<string, number>();
    k.until(() => {
      for (const n of ['node-1', 'node-2', 'node-3']) if (!taintedAt.has(n) && hasTaint(k, n, UNREACHABLE, 'NoExecute')) taintedAt.set(n, c.now);
      return taintedAt.size === 3;
    }, 120_000, 'three nodes tainted');
    const times = [...taintedAt.values()].sort((a, b) => a - b);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(9_900);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(9_900);
    expect(times[2] - times[0]).toBeLessThan(25_000);
  });

  it('stops evicting in a small zone that is partially disrupted (55 % of its nodes, at least 3)', () => {
    const { k } = start(['node-1', 'node-2', 'node-3', 'node-4', 'node-5']);
    for (const n of ['node-1', 'node-2', 'node-3']) k.stop(n);
    k.run(120_000);
    for (const n of ['node-1', 'node-2', 'node-3']) {
      expect(ready(k, n)?.status).toBe('Unknown');
      expect(hasTaint(k, n, UNREACHABLE, 'NoSchedule')).toBe(true);
      expect(hasTaint(k, n, UNREACHABLE, 'NoExecute')).toBe(false);
    }
  });

  it('keeps evicting in a zone that is healthy while another is fully down', () => {
    const zone = (name: string) => ({ 'topology.kubernetes.io/zone': ['node-1', 'node-2'].includes(name) ? 'a' : 'b' });
    const { k } = start(['node-1', 'node-2', 'node-3', 'node-4'], {}, zone);
    k.stop('node-1');
    k.stop('node-2');
    // Zone a is fully disrupted but zone b is healthy: zone a still evicts at the normal rate.
    k.until(() => hasTaint(k, 'node-1', UNREACHABLE, 'NoExecute') && hasTaint(k, 'node-2', UNREACHABLE, 'NoExecute'), 90_000, 'zone a tainted');
  });

  it('enters master disruption mode when every node is down: no NoExecute taints, no evictions', () => {
    const { c, k } = start(['node-1', 'node-2']);
    placePod(c, boundPod('web', 'node-1', c.now, [], false));
    k.run(1_000);
    k.stop('node-1');
    k.stop('node-2');
    k.run(400_000);
    for (const n of ['node-1', 'node-2']) {
      expect(ready(k, n)?.status).toBe('Unknown');
      expect(hasTaint(k, n, UNREACHABLE, 'NoExecute')).toBe(false);
    }
    expect(pod(c, 'web')).toBeDefined();
  });
});

/**
 * The property taint-based eviction must keep: a pod that tolerates the node's NoExecute taint for T
 * seconds is still there T seconds after the taint was added. Returns the pods deleted too early.
 */
function evictedEarly(c: Cluster, tolerated: Map<string, number>, taintedAt: number): string[] {
  return [...tolerated].filter(([name, seconds]) => pod(c, name) === undefined && c.now - taintedAt < seconds * 1000).map(([name]) => name);
}

describe('taint-based eviction', () => {
  function outage(plant?: 'evict-without-toleration-wait') {
    const { c, k } = start(['node-1', 'node-2', 'node-3'], plant ? { plant } : {});
    placePod(c, boundPod('tolerates', 'node-1', c.now));
    placePod(c, boundPod('intolerant', 'node-1', c.now, [], false));
    placePod(c, boundPod('forever', 'node-1', c.now, [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }], false));
    placePod(c, boundPod('elsewhere', 'node-2', c.now));
    k.run(2_000);
    k.stop('node-1');
    k.until(() => hasTaint(k, 'node-1', UNREACHABLE, 'NoExecute'), 70_000, 'unreachable taint');
    const taintedAt = parseTimestamp(taintsOf(k, 'node-1').find((t) => t.effect === 'NoExecute')!.timeAdded!);
    return { c, k, taintedAt };
  }

  it('deletes pods without a toleration at once and tolerating ones after tolerationSeconds (300 s)', () => {
    const { c, k, taintedAt } = outage();
    k.until(() => pod(c, 'intolerant') === undefined, 2_000, 'intolerant pod deleted');
    k.run(250_000);
    expect(pod(c, 'tolerates')).toBeDefined();
    k.until(() => pod(c, 'tolerates') === undefined, 60_000, 'tolerating pod deleted');
    expect(c.now - taintedAt).toBeGreaterThanOrEqual(300_000);
    expect(c.now - taintedAt).toBeLessThan(302_000);
    k.run(30_000);
    expect(pod(c, 'forever')).toBeDefined();
    expect(pod(c, 'elsewhere')).toBeDefined();
    expect(c.events('taint-eviction-controller').map((e) => [e.reason, e.message])).toEqual([
      ['TaintManagerEviction', 'Marking for deletion Pod default/intolerant'],
      ['TaintManagerEviction', 'Marking for deletion Pod default/tolerates'],
    ]);
    // Marked as a disruption target before the delete.
    const patches = c.requests('patch', 'pods').map((r) => r.name);
    expect(patches).toEqual(['intolerant', 'tolerates']);
  });

  it('cancels a scheduled eviction when the node recovers in time', () => {
    const { c, k } = outage();
    k.run(60_000);
    k.start('node-1');
    k.until(() => taintsOf(k, 'node-1').length === 0, 15_000, 'taints lifted');
    k.run(300_000);
    expect(pod(c, 'tolerates')).toBeDefined();
    expect(c.events('taint-eviction-controller').map((e) => e.message)).toContain('Cancelling deletion of Pod default/tolerates');
  });

  it('keeps tolerating pods for their tolerationSeconds, checked all along the outage', () => {
    const { c, k, taintedAt } = outage();
    for (let t = 0; t < 300_000; t += 5_000) {
      k.run(5_000);
      expect(evictedEarly(c, new Map([['tolerates', 300], ['forever', Infinity]]), taintedAt)).toEqual([]);
    }
  });

  it('catches the planted bug evict-without-toleration-wait: a tolerating pod is deleted with the taint', () => {
    const { c, k, taintedAt } = outage('evict-without-toleration-wait');
    k.run(5_000);
    expect(evictedEarly(c, new Map([['tolerates', 300], ['forever', Infinity]]), taintedAt)).toEqual(['tolerates']);
  });
});
