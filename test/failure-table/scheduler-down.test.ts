// Failure table, kube-scheduler down: "New pods stay in Pending indefinitely. Existing running pods are
// unaffected." A scale-up still creates pods (the ReplicaSet controller runs) but nobody binds them; a
// restarted scheduler lists the unbound pods and places them.
import { describe, expect, it } from 'vitest';
import { expectConverged, pods, runningContainers, webCluster } from './harness.ts';

describe('failure table: kube-scheduler down', () => {
  it('new pods stay Pending with no node, existing ones unaffected; a restart binds them', () => {
    const cluster = webCluster(23);
    const before = runningContainers(cluster);
    cluster.crash('scheduler-0');
    cluster.scale('deployment/web', 5);
    cluster.runFor(60_000);

    const now = pods(cluster);
    expect(now).toHaveLength(5);
    const pending = now.filter((p) => !p.spec?.nodeName);
    expect(pending).toHaveLength(2);
    expect(pending.every((p) => p.status?.phase === 'Pending')).toBe(true);
    expect(now.filter((p) => p.spec?.nodeName).every((p) => p.status?.phase === 'Running')).toBe(true);
    expect(runningContainers(cluster)).toEqual(before);

    cluster.restart('scheduler-0');
    expectConverged(cluster, 60_000);
    const after = pods(cluster);
    expect(after.filter((p) => p.status?.phase === 'Running' && p.spec?.nodeName)).toHaveLength(5);
    // The pods that ran through the outage are the same containers, never restarted.
    const kept = runningContainers(cluster).filter((c) => before.some((b) => b.id === c.id));
    expect(kept).toEqual(before);
    cluster.stop();
  });
});
