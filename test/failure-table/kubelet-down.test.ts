// Failure table, one kubelet down: "Nodes enter NotReady — kubelet has stopped reporting heartbeats." The
// node lifecycle controller marks the node Ready=Unknown (NodeStatusUnknown) once its Lease is older than the
// 50 s grace period and taints it node.kubernetes.io/unreachable (NoSchedule, NoExecute); taint eviction
// deletes its pods when their 300 s toleration runs out and the ReplicaSet recreates them elsewhere. The
// node's containers keep running all along (containerd does not need the kubelet). The kubelet back: the
// node is Ready again, the taints go, and the kubelet stops what was evicted.
import type { Node } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { expectConverged, pods, runningContainers, webCluster } from './harness.ts';

const UNREACHABLE = 'node.kubernetes.io/unreachable';

describe('failure table: one kubelet down', () => {
  it('NotReady after the grace period, pods evicted after their toleration and recreated; recovery clears it', () => {
    const cluster = webCluster(25);
    const node = 'node-2';
    const onNode = runningContainers(cluster).filter((c) => c.node === node);
    expect(onNode.length).toBeGreaterThan(0);
    const evictedNames = pods(cluster).filter((p) => p.spec?.nodeName === node).map((p) => p.metadata!.name!);
    cluster.crash(`${node}/kubelet`);
    const crashedAt = cluster.now;
    const ready = () => cluster.get<Node>('nodes', node)!.status!.conditions!.find((c) => c.type === 'Ready')!;

    cluster.runFor(35_000);
    expect(ready().status).toBe('True');
    cluster.runFor(30_000);
    expect(ready()).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const taints = cluster.get<Node>('nodes', node)!.spec!.taints!;
    expect(taints.filter((t) => t.key === UNREACHABLE).map((t) => t.effect).sort()).toEqual(['NoExecute', 'NoSchedule']);

    // Before the toleration runs out the pods stay bound to the node; after it, they are evicted.
    cluster.runUntilTime(crashedAt + 300_000);
    expect(pods(cluster).filter((p) => p.spec?.nodeName === node && !p.metadata?.deletionTimestamp)).toHaveLength(onNode.length);
    expectConverged(cluster, 120_000, [node]);
    const active = pods(cluster).filter((p) => !p.metadata?.deletionTimestamp);
    expect(active).toHaveLength(3);
    expect(active.every((p) => p.spec?.nodeName !== node)).toBe(true);
    const evictions = cluster.eventLog.filter((e) => e.event.reason === 'TaintManagerEviction').map((e) => e.event.involvedObject?.name);
    expect(evictions.sort()).toEqual(evictedNames.sort());
    // containerd ran the node's containers through it all.
    expect(runningContainers(cluster).filter((c) => c.node === node)).toEqual(onNode);

    cluster.restart(`${node}/kubelet`);
    expectConverged(cluster, 60_000);
    expect(ready().status).toBe('True');
    expect((cluster.get<Node>('nodes', node)!.spec!.taints ?? []).filter((t) => t.key === UNREACHABLE)).toEqual([]);
    // The kubelet found its evicted pods deleted and stopped their containers.
    expect(runningContainers(cluster).filter((c) => onNode.some((o) => o.id === c.id))).toEqual([]);
    cluster.stop();
  });
});
