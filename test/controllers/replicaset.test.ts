import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { statusError } from '../../src/apiserver/protocol.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { controllerState } from '../../machines/controller-manager/manager.ts';
import type { ReplicaSetControllerState } from '../../machines/controller-manager/replicaset/state.ts';
import { Cluster } from './harness.ts';

function replicaSet(name: string, replicas: number, minReadySeconds?: number): ReplicaSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', labels },
    spec: {
      replicas, selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
      ...(minReadySeconds ? { minReadySeconds } : {}),
    },
  };
}

const rsCluster = (opts: ConstructorParameters<typeof Cluster>[0] = {}) => new Cluster({ ...opts, kcm: { controllers: ['replicaset'], ...opts.kcm } });
const rsOf = (c: Cluster, name = 'web') => c.objects<ReplicaSet>('replicasets').find((r) => r.metadata?.name === name)!;
const owned = (c: Cluster, name = 'web') => c.podsOf(rsOf(c, name));

function setReplicas(c: Cluster, replicas: number, name = 'web'): void {
  const rs = structuredClone(rsOf(c, name));
  rs.spec!.replicas = replicas;
  c.apply(rs, 'replicasets');
}

describe('replicaset controller', () => {
  it('creates pods in slow-start batches of 1, 2, 4', () => {
    const c = rsCluster({ latency: { kind: 'constant', ms: 1 } });
    c.run(50);
    c.apply(replicaSet('web', 7), 'replicasets');
    c.until(() => c.pods().length === 7, 5_000);
    const arrivals = new Map<number, number>();
    for (const r of c.requests('create', 'pods')) arrivals.set(r.at, (arrivals.get(r.at) ?? 0) + 1);
    expect([...arrivals.values()]).toEqual([1, 2, 4]);
  });

  it('creates at most burstReplicas pods per sync', () => {
    const c = rsCluster({ latency: { kind: 'constant', ms: 1 }, kcm: { burstReplicas: 3 } });
    c.run(50);
    c.apply(replicaSet('web', 5), 'replicasets');
    c.until(() => c.pods().length === 5, 5_000);
    const arrivals = new Map<number, number>();
    for (const r of c.requests('create', 'pods')) arrivals.set(r.at, (arrivals.get(r.at) ?? 0) + 1);
    expect([...arrivals.values()]).toEqual([1, 2, 1, 1]);
  });

  it('reports failed creates (FailedCreate event, ReplicaFailure condition), backs off and retries', () => {
    const c = rsCluster({ latency: { kind: 'constant', ms: 1 } });
    c.run(50);
    const quota = 'pods "web-" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2';
    c.reject('create', 'pods', 2, statusError('Forbidden', quota));
    c.apply(replicaSet('web', 3), 'replicasets');
    c.until(() => rsOf(c)?.status?.conditions !== undefined, 1_000, 'ReplicaFailure');
    expect(rsOf(c).status?.conditions).toEqual([
      { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: quota, lastTransitionTime: rfc3339(c.now) },
    ]);
    c.until(() => c.pods().length === 3, 5_000);
    c.run(100);
    expect(rsOf(c).status?.conditions).toBeUndefined();
    // The first failure stops the slow start: two rejected single creates, then 1 + 2.
    expect(c.requests('create', 'pods').map((r) => r.code)).toEqual([403, 403, 201, 201, 201]);
    const failed = c.events('replicaset-controller').filter((e) => e.reason === 'FailedCreate');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ type: 'Warning', message: `Error creating: ${quota}`, count: 2 });
  });

  /** Creates a 3-replica ReplicaSet while pod watch events lag 400 ms; returns the most pods ever seen. */
  function underLag(c: Cluster): number {
    c.run(50);
    c.faults({ delayMs: [400, 400], resources: ['pods'] });
    c.apply(replicaSet('web', 3), 'replicasets');
    let most = 0;
    const until = c.now + 3_000;
    while (c.now < until && c.sim.step()) most = Math.max(most, c.pods().length);
    return most;
  }

  it('never creates more than it needs while the pod watch lags (expectations)', () => {
    const c = rsCluster();
    expect(underLag(c)).toBe(3);
    expect(c.requests('create', 'pods')).toHaveLength(3);
    expect(c.requests('delete', 'pods')).toHaveLength(0);
  });

  it('over-creates (then over-deletes) under the same lag with the planted bug (no expectations)', () => {
    const c = rsCluster({ kcm: { plant: 'rs-no-expectations' } });
    expect(underLag(c)).toBeGreaterThan(3);
    expect(c.requests('delete', 'pods').length).toBeGreaterThan(0);
  });

  it('waits out the expectation TTL for a pod a relist never showed, and a resync brings it back', () => {
    // The pod watch breaks on the ReplicaSet's first create; the pod is deleted before the relist.
    const outage = (resyncPeriodMs: number) => {
      const c = rsCluster({
        kcm: { informer: { stallTimeoutMs: 3_000, resyncPeriodMs, backoff: { initialMs: 200, maxMs: 2_000, factor: 2, resetAfterMs: 60_000 } } },
      });
      c.run(50);
      c.faults({ drop: 1, resources: ['pods'] });
      c.apply(replicaSet('web', 1), 'replicasets');
      c.until(() => c.pods().length === 1, 1_000);
      c.deletePod(c.pods()[0]);
      c.faults({});
      c.run(60_000);
      // Relisted, but the pod was never in a list: its creation is still expected, so nothing happens.
      expect(c.manager().informers.pods.stats.lists).toBeGreaterThan(1);
      expect(c.pods()).toHaveLength(0);
      c.run(360_000);
      return c.pods().length;
    };
    // After the 5-minute TTL the expectation lapses, but only a resync wakes the ReplicaSet up.
    expect(outage(0)).toBe(0);
    expect(outage(60_000)).toBe(1);
  });

  it('adopts a matching orphan and creates only the rest', () => {
    const c = rsCluster();
    c.run(50);
    const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } };
    c.apply(orphan, 'pods');
    c.apply(replicaSet('web', 2), 'replicasets');
    c.run(1_000);
    const rs = rsOf(c);
    expect(c.pods()).toHaveLength(2);
    expect(c.requests('create', 'pods')).toHaveLength(1);
    const stray = c.pods().find((p) => p.metadata?.name === 'stray')!;
    expect(stray.metadata?.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata?.uid, controller: true, blockOwnerDeletion: true },
    ]);
    // The adoption was preceded by an uncached read of the ReplicaSet.
    expect(c.requests('get', 'replicasets')).toHaveLength(1);
  });

  it('releases a pod whose labels stop matching and replaces it', () => {
    const c = rsCluster();
    c.run(50);
    c.apply(replicaSet('web', 2), 'replicasets');
    c.until(() => c.pods().length === 2, 5_000);
    const pod = structuredClone(c.pods()[0]);
    pod.metadata = { ...pod.metadata, labels: { app: 'debug' } };
    c.apply(pod, 'pods');
    c.run(1_000);
    expect(owned(c)).toHaveLength(2);
    const released = c.pods().find((p) => p.metadata?.name === pod.metadata?.name)!;
    expect(released.metadata?.ownerReferences).toBeUndefined();
    expect(c.pods()).toHaveLength(3);
  });

  it('deletes unscheduled before scheduled, pending before running, not-ready before ready', () => {
    const c = rsCluster();
    c.run(50);
    c.apply(replicaSet('web', 4), 'replicasets');
    c.until(() => c.pods().length === 4, 5_000);
    const [unscheduled, pending, running, ready] = c.pods();
    const put = (pod: Pod, node: string, status?: Pod['status']) => {
      const spec = { ...pod.spec!, nodeName: node };
      c.apply({ ...pod, spec }, 'pods');
      if (status) c.fake.send({ type: 'fake.put', resource: 'pods', subresource: 'status', object: { ...pod, spec, status } });
    };
    put(pending, 'node-1', { phase: 'Pending' });
    put(running, 'node-1', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] });
    c.markReady(ready, 'node-2');
    c.run(200);
    const survivors = () => c.pods().map((p) => p.metadata?.name).sort();
    const name = (p: Pod) => p.metadata!.name!;
    setReplicas(c, 3);
    c.run(500);
    expect(survivors()).toEqual([pending, running, ready].map(name).sort());
    setReplicas(c, 2);
    c.run(500);
    expect(survivors()).toEqual([running, ready].map(name).sort());
    setReplicas(c, 1);
    c.run(500);
    expect(survivors()).toEqual([name(ready)]);
    expect(c.events('replicaset-controller').filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message)).toEqual(
      [unscheduled, pending, running].map((p) => `Deleted pod: ${name(p)}`),
    );
  });

  it('counts a pod available only minReadySeconds after it became ready, re-checking by itself', () => {
    const c = rsCluster();
    c.run(50);
    c.apply(replicaSet('web', 1, 5), 'replicasets');
    c.until(() => c.pods().length === 1, 5_000);
    c.markReady(c.pods()[0]);
    c.run(1_000);
    expect(rsOf(c).status).toMatchObject({ replicas: 1, readyReplicas: 1 });
    expect(rsOf(c).status?.availableReplicas).toBeUndefined();
    c.run(6_000);
    expect(rsOf(c).status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1 });
  });

  it('forgets a deleted ReplicaSet', () => {
    const c = rsCluster();
    c.run(50);
    c.apply(replicaSet('web', 2), 'replicasets');
    c.until(() => c.pods().length === 2, 5_000);
    c.fake.send({ type: 'fake.delete', resource: 'replicasets', namespace: 'default', name: 'web' });
    c.run(1_000);
    expect(c.pods()).toHaveLength(0);
    const rs = controllerState<ReplicaSetControllerState>(c.manager(), 'replicaset');
    expect(rs.expectations['default/web']).toBeUndefined();
    expect(Object.keys(rs.jobs)).toEqual([]);
  });
});
