// Failure table, kube-controller-manager down: "Deployments do not scale. Crashed pods are not replaced.
// Rolling updates do not progress." A deleted pod stays gone and a scale is recorded in the Deployment but
// not acted on; a restarted controller-manager relists and does both.
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { describe, expect, it } from 'vitest';
import { expectConverged, pods, runningContainers, webCluster } from './harness.ts';

describe('failure table: kube-controller-manager down', () => {
  it('a deleted pod is not replaced and a scale is not acted on; a restart does both', () => {
    const cluster = webCluster(24);
    cluster.crash('kcm-0');
    const [victim] = pods(cluster);
    cluster.delete('pods', victim.metadata!.name!);
    cluster.scale('deployment/web', 4);
    cluster.runFor(60_000);

    const left = pods(cluster);
    expect(left).toHaveLength(2);
    expect(left.some((p) => p.metadata?.uid === victim.metadata?.uid)).toBe(false);
    const deployment = cluster.get<Deployment>('deployments', 'web', 'default')!;
    expect(deployment.spec?.replicas).toBe(4);
    expect(deployment.status?.replicas).toBe(3);
    expect(runningContainers(cluster)).toHaveLength(2);

    cluster.restart('kcm-0');
    expectConverged(cluster, 60_000);
    expect(pods(cluster).filter((p) => p.status?.phase === 'Running')).toHaveLength(4);
    cluster.stop();
  });
});
