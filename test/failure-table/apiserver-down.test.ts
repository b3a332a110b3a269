// Failure table, kube-apiserver down: "Everything. No kubectl. No deployments. No scaling. Existing pods keep
// running (kubelet operates independently) but nothing can be managed." kubectl's connection is refused;
// the runtimes keep every container running; the kubelet still restarts a container that dies (a local
// decision) but nothing reaches the store: no status, no replacement for the pods of a node that dies
// meanwhile. A restarted apiserver lets everything catch up and the cluster converges.
import { describe, expect, it } from 'vitest';
import { ConnectionRefusedError } from '../../src/cluster/index.ts';
import { crictlStop, etcdRevision, expectConverged, pods, runningContainers, webCluster } from './harness.ts';

describe('failure table: kube-apiserver down', () => {
  it('kubectl fails, running pods keep running, nothing reconciles; a restart converges', () => {
    const cluster = webCluster(21);
    const before = runningContainers(cluster);
    expect(before.length).toBe(3);

    cluster.crash('apiserver-0');
    expect(() => cluster.scale('deployment/web', 1)).toThrow(ConnectionRefusedError);
    expect(() => cluster.list('pods')).toThrow(/The connection to the server apiserver-0:6443 was refused/);
    const revision = etcdRevision(cluster);

    // A container dies meanwhile: its kubelet restarts it on its own (restartPolicy Always).
    const victim = before[0];
    crictlStop(cluster, victim.node, victim.id);
    cluster.runFor(30_000);
    const restarted = runningContainers(cluster).find((c) => c.podUid === victim.podUid);
    expect(restarted?.attempt).toBe(victim.attempt + 1);

    // A whole node dies meanwhile: past the 50 s grace and the 300 s toleration nobody notices.
    const lost = before.find((c) => c.node !== victim.node)!;
    cluster.crash(lost.node);
    cluster.runFor(6 * 60_000);
    // The live nodes' containers ran throughout; the dead node's pod is not replaced, and not even marked:
    // no write reached etcd since the apiserver went down (its revision has not moved).
    const running = runningContainers(cluster);
    expect(running.map((c) => c.podUid).sort()).toEqual(before.filter((c) => c.node !== lost.node).map((c) => c.podUid).sort());
    expect(etcdRevision(cluster)).toBe(revision);

    // Recovery: the apiserver comes back (its watch cache relists etcd) and the restarted container's count
    // shows. The node lifecycle controller times the dead node from when it last saw its lease change, so
    // the grace period (50 s) and the pods' toleration (300 s) run from the recovery: only then is the pod
    // evicted and replaced by the ReplicaSet.
    cluster.restart('apiserver-0');
    expectConverged(cluster, 8 * 60_000, [lost.node]);
    const after = pods(cluster);
    // The evicted pod stays Terminating (its kubelet is gone to confirm), as upstream until the Node is deleted.
    expect(after.filter((p) => !p.metadata?.deletionTimestamp).every((p) => p.spec?.nodeName !== lost.node)).toBe(true);
    const survivor = after.find((p) => p.metadata?.uid === victim.podUid);
    expect(survivor?.status?.containerStatuses?.[0].restartCount).toBe(1);
    cluster.stop();
  });
});
