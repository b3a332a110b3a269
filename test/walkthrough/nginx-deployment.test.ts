// The guides' main walkthrough: `kubectl apply -f deployment.yaml` for 3 nginx replicas on 3 nodes, then
// what happens when a pod dies and when the Deployment is scaled.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/index.ts';
import { deploymentYaml, eventsOf, pods, reasons, runningReady, startCluster, waitFor } from './helpers.ts';

describe('walkthrough: a 3-replica nginx Deployment on 3 nodes', () => {
  let cluster: Cluster;
  beforeAll(() => {
    cluster = startCluster(11);
    cluster.apply(deploymentYaml('web'));
    waitFor(cluster, '3 running pods', () => runningReady(cluster, 'web').length === 3);
  });

  it('runs 3 pods, one per node', () => {
    const running = runningReady(cluster, 'web');
    expect(running).toHaveLength(3);
    expect(new Set(running.map((p) => p.spec?.nodeName))).toEqual(new Set(['node-1', 'node-2', 'node-3']));
    expect(running.every((p) => p.status?.podIP?.startsWith(`10.244.${p.spec!.nodeName!.slice(5)}.`))).toBe(true);
  });

  it('shows the real event sequence: ScalingReplicaSet, SuccessfulCreate ×3, then per pod Scheduled, Pulling, Pulled, Created, Started', () => {
    const deployment = eventsOf(cluster, 'Deployment', 'web');
    expect(reasons(deployment)).toEqual(['ScalingReplicaSet']);
    const rsName = cluster.list('replicasets', { namespace: 'default', labelSelector: 'app=web' })[0].metadata!.name!;
    expect(deployment[0].message).toBe(`Scaled up replica set ${rsName} from 0 to 3`);
    expect(deployment[0].source?.component).toBe('deployment-controller');
    const created = eventsOf(cluster, 'ReplicaSet', rsName);
    expect(reasons(created)).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
    for (const pod of runningReady(cluster, 'web')) {
      const events = eventsOf(cluster, 'Pod', pod.metadata!.name!);
      expect(reasons(events)).toEqual(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
      expect(events[0].message).toBe(`Successfully assigned default/${pod.metadata!.name} to ${pod.spec!.nodeName}`);
      expect(events[1].message).toBe('Pulling image "nginx:1.25"');
      expect(events[4].message).toBe('Started container nginx');
      expect(events[1].source).toMatchObject({ component: 'kubelet', host: pod.spec!.nodeName });
    }
    // Across the cluster the first of each reason comes in the walkthrough's order.
    const firsts = ['ScalingReplicaSet', 'SuccessfulCreate', 'Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']
      .map((r) => cluster.eventLog.findIndex((o) => o.event.reason === r));
    expect(firsts.every((index, i) => index >= 0 && (i === 0 || index > firsts[i - 1]))).toBe(true);
  });

  it('replaces a deleted pod', () => {
    const victim = runningReady(cluster, 'web')[0].metadata!.name!;
    cluster.delete('pods', victim, { namespace: 'default' });
    waitFor(cluster, 'a replacement', () => {
      const now = runningReady(cluster, 'web');
      return now.length === 3 && !now.some((p) => p.metadata?.name === victim);
    }, 60_000);
    const rsName = cluster.list('replicasets', { namespace: 'default' })[0].metadata!.name!;
    expect(reasons(eventsOf(cluster, 'ReplicaSet', rsName)).filter((r) => r === 'SuccessfulCreate')).toHaveLength(4);
    expect(reasons(eventsOf(cluster, 'Pod', victim))).toContain('Killing');
  });

  it('scales to 1 and back to 3', () => {
    expect(cluster.scale('deployment/web', 1)).toBe('deployment.apps/web scaled');
    waitFor(cluster, 'one pod', () => pods(cluster, 'web').length === 1, 60_000);
    cluster.runFor(5_000);
    expect(runningReady(cluster, 'web')).toHaveLength(1);
    cluster.scale('deployment/web', 3);
    waitFor(cluster, '3 running pods again', () => runningReady(cluster, 'web').length === 3, 60_000);
    const messages = eventsOf(cluster, 'Deployment', 'web').map((e) => e.message);
    expect(messages).toContainEqual(expect.stringMatching(/^Scaled down replica set web-\w+ from 3 to 1$/));
    expect(messages).toContainEqual(expect.stringMatching(/^Scaled up replica set web-\w+ from 1 to 3$/));
    expect(cluster.list('replicasets', { namespace: 'default' })).toHaveLength(1);
  });
});
