// kube-scheduler end to end against a real kube-apiserver over a real 3-member etcd: Nodes and Pods are
// posted through the API, the scheduler watches them and binds through pods/<name>/binding.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { WatchEventBody } from '../../src/apiserver/protocol.ts';
import { core, watch } from '../apiserver/harness.ts';
import { SCHEDULER, SchedulerCluster } from './harness.ts';

const INSUFFICIENT_CPU =
  '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..';

function threeNodes(options: ConstructorParameters<typeof SchedulerCluster>[0] = {}): SchedulerCluster {
  const c = new SchedulerCluster(options);
  for (const n of ['node-1', 'node-2', 'node-3']) c.createNode(n);
  return c.startScheduler();
}

function countByNode(pods: readonly Pod[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of pods) if (p.spec?.nodeName) counts[p.spec.nodeName] = (counts[p.spec.nodeName] ?? 0) + 1;
  return counts;
}

describe('kube-scheduler against a real apiserver over real etcd', () => {
  it('binds pods spread across the nodes, with the Scheduled event and PodScheduled=True', () => {
    const c = threeNodes();
    const names = Array.from({ length: 6 }, (_, i) => `web-${i}`);
    for (const n of names) c.createPod(n, { cpu: '100m', memory: '128Mi' });
    c.untilBound(names);
    c.run(1_000);

    // LeastAllocated and BalancedAllocation spread identical pods evenly.
    expect(countByNode(c.pods())).toEqual({ 'node-1': 2, 'node-2': 2, 'node-3': 2 });
    const pod = c.pod('web-0');
    expect(pod.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status).toBe('True');
    const [scheduled] = c.eventsFor('web-0');
    expect(scheduled).toMatchObject({
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned default/web-0 to ${pod.spec?.nodeName}`,
      source: { component: 'default-scheduler' },
      reportingComponent: 'default-scheduler',
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'web-0', uid: pod.metadata?.uid },
      count: 1,
    });
    expect(c.state().stats).toMatchObject({ bound: 6, bindFailures: 0 });
    expect(c.state().cache.assumedPods()).toEqual([]);
    expect(c.api.failures()).toEqual([]);
  });

  it('leaves a pod requesting cpu "100" Pending with the real FailedScheduling message and PodScheduled=False', () => {
    const c = threeNodes();
    c.createPod('big', { cpu: '100' });
    c.run(3_000);

    const pod = c.pod('big');
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: INSUFFICIENT_CPU, lastProbeTime: null, lastTransitionTime: expect.any(String) },
    ]);
    expect(c.eventsFor('big')).toMatchObject([
      { type: 'Warning', reason: 'FailedScheduling', message: INSUFFICIENT_CPU, source: { component: 'default-scheduler' }, count: 1 },
    ]);
    // It waits in unschedulablePods for a cluster event (or the 5-minute flush), not in a retry loop.
    expect(c.state().queue.queueOf(pod)).toBe('unschedulablePods');
    expect(c.state().stats.attempts).toBe(1);

    // After 5 minutes it is retried; the identical event is folded into the first (count 2).
    c.run(5 * 60_000 + 30_000);
    expect(c.eventsFor('big')).toMatchObject([{ reason: 'FailedScheduling', message: INSUFFICIENT_CPU, count: 2 }]);
    expect(c.state().stats.attempts).toBe(2);
  });

  it('respects taints, tolerations and nodeSelector', () => {
    const c = new SchedulerCluster();
    c.createNode('node-1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], labels: { accelerator: 'gpu' } });
    c.createNode('node-2', { labels: { disk: 'ssd' } });
    c.createNode('node-3');
    c.startScheduler();

    const plain = Array.from({ length: 6 }, (_, i) => `plain-${i}`);
    for (const n of plain) c.createPod(n);
    c.createPod('ssd', { nodeSelector: { disk: 'ssd' } });
    c.createPod('gpu', { nodeSelector: { accelerator: 'gpu' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
    c.createPod('gpu-intolerant', { nodeSelector: { accelerator: 'gpu' } });
    c.untilBound([...plain, 'ssd', 'gpu']);
    c.run(2_000);

    const pods = new Map(c.pods().map((p) => [p.metadata!.name!, p]));
    for (const n of plain) expect(pods.get(n)?.spec?.nodeName).not.toBe('node-1');
    expect(pods.get('ssd')?.spec?.nodeName).toBe('node-2');
    expect(pods.get('gpu')?.spec?.nodeName).toBe('node-1');
    expect(pods.get('gpu-intolerant')?.spec?.nodeName).toBeUndefined();
    expect(c.eventsFor('gpu-intolerant').map((e) => e.message)).toEqual([
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..',
    ]);
  });

  it('moves an unschedulable pod back when a node that fits it is added, and binds it there', () => {
    const c = threeNodes();
    c.createPod('large', { cpu: '6' });
    c.run(2_000);
    expect(c.state().queue.queueOf(c.pod('large'))).toBe('unschedulablePods');

    c.createNode('node-4', { cpu: '8', memory: '16Gi' });
    c.untilBound(['large'], 5_000);
    expect(c.pod('large').spec?.nodeName).toBe('node-4');
    // Moved by the NodeAdd event within the same second, not by the 5-minute leftover flush.
    expect(c.sim.now).toBeLessThan(10_000);
    expect(c.eventsFor('large').map((e) => e.reason)).toEqual(['FailedScheduling', 'Scheduled']);
  });

  it('after a crash and restart relists, never binds a pod twice, and handles the 409 of a binding that already happened', () => {
    // Without leader election: with it, the restarted process would wait for its old lease to expire
    // (15 s) and find every pod bound; here the new incarnation must race the old one's bindings.
    const c = threeNodes({ scheduler: { leaderElection: { leaderElect: false } } });
    c.run(1_000);
    const w = c.api.send(watch(core('pods'), 'default'));
    const names = Array.from({ length: 12 }, (_, i) => `web-${i}`);
    c.sendPods(names.map((n) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: n, namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } })));
    // Crash the moment bindings are on the wire, before any answer.
    expect(c.sim.runUntilTrue(() => c.state().binds.size > 0, 10_000)).toBe(true);
    c.sim.crash(SCHEDULER);
    c.sim.restart(SCHEDULER);
    c.untilBound(names, 30_000);
    c.run(3_000);

    // Each pod got exactly one node, and it never changed.
    const nodesSeen = new Map<string, Set<string>>();
    for (const e of c.api.watchEvents(w) as WatchEventBody[]) {
      const pod = e.object as Pod;
      if (!pod.spec?.nodeName) continue;
      const seen = nodesSeen.get(pod.metadata!.name!) ?? new Set<string>();
      seen.add(pod.spec.nodeName);
      nodesSeen.set(pod.metadata!.name!, seen);
    }
    expect([...nodesSeen.keys()].sort()).toEqual([...names].sort());
    for (const seen of nodesSeen.values()) expect(seen.size).toBe(1);
    // The new incarnation saw unbound pods in its first list while the old bindings committed: its own
    // bindings for those answered 409, were forgotten and not retried (the informer shows them bound).
    const state = c.state();
    expect(state.stats.bindFailures).toBeGreaterThan(0);
    expect(state.cache.assumedPods()).toEqual([]);
    expect(state.queue.size).toBe(0);
    const conflicts = c.events().filter((e) => e.reason === 'FailedScheduling');
    expect(conflicts.length).toBe(state.stats.bindFailures);
    for (const e of conflicts) expect(e.message).toMatch(/^running Bind plugin "DefaultBinder": Operation cannot be fulfilled on pods.* is already assigned to node "node-\d"$/);
    // Every pod ends with exactly one Scheduled event, from whichever incarnation's binding won.
    const scheduled = c.events().filter((e) => e.reason === 'Scheduled').map((e) => e.involvedObject.name);
    expect(scheduled.length).toBeLessThanOrEqual(names.length);
    expect(new Set(scheduled).size).toBe(scheduled.length);
  });
});
