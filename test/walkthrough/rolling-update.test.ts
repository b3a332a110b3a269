// Changing the image rolls the Deployment: checked at every committed state of its pods, never fewer
// than replicas − maxUnavailable available and never more than replicas + maxSurge; then a rollback.
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/index.ts';
import { RolloutObserver } from '../cluster/rollout-observer.ts';
import { deploymentYaml, pods, startCluster, waitFor } from './helpers.ts';

function rolledOut(cluster: Cluster, image: string, replicas = 4): boolean {
  const d = cluster.get<Deployment & { metadata: object }>('deployments', 'web', 'default');
  const s = d?.status ?? {};
  return (s.observedGeneration ?? 0) >= (d?.metadata?.generation ?? 1) && s.updatedReplicas === replicas &&
    s.availableReplicas === replicas && s.replicas === replicas &&
    pods(cluster, 'web').length === replicas && pods(cluster, 'web').every((p) => p.spec?.containers[0].image === image);
}

describe('walkthrough: rolling update and rollback', () => {
  it('never drops below replicas - maxUnavailable available nor above replicas + maxSurge, both ways', () => {
    const cluster = startCluster(21);
    const observer = new RolloutObserver(cluster, 'web');
    cluster.apply(deploymentYaml('web', { replicas: 4 }));
    waitFor(cluster, 'the first rollout', () => rolledOut(cluster, 'nginx:1.25'));
    // 25 % of 4: maxSurge rounds up to 1, maxUnavailable down to 1.
    observer.setBounds({ maxPods: 5, minAvailable: 3 });

    expect(cluster.setImage('deployment/web', { nginx: 'nginx:1.26' })).toBe('deployment.apps/web image updated');
    waitFor(cluster, 'the rolling update', () => rolledOut(cluster, 'nginx:1.26'));
    expect(observer.surgeViolation).toBeUndefined();
    expect(observer.availabilityViolation).toBeUndefined();
    // The rollout used its whole budget, both ways.
    expect(observer.maxActive).toBe(5);
    expect(observer.minAvailable).toBe(3);
    expect(cluster.get('deployments', 'web', 'default')?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(cluster.list('replicasets', { namespace: 'default' })).toHaveLength(2);

    observer.setBounds({ maxPods: 5, minAvailable: 3 });
    expect(cluster.rolloutUndo('deployment/web')).toBe('deployment.apps/web rolled back');
    waitFor(cluster, 'the rollback', () => rolledOut(cluster, 'nginx:1.25'));
    expect(observer.surgeViolation).toBeUndefined();
    expect(observer.availabilityViolation).toBeUndefined();
    const d = cluster.get('deployments', 'web', 'default')!;
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    // The rollback reused the first ReplicaSet: still two.
    expect(cluster.list('replicasets', { namespace: 'default' })).toHaveLength(2);
    observer.stop();
  });

  it('the availability check catches a dip (planted: a Recreate rollout takes every pod down)', () => {
    const cluster = startCluster(22);
    const observer = new RolloutObserver(cluster, 'web');
    cluster.apply(deploymentYaml('web', { replicas: 4, extra: '  strategy:\n    type: Recreate\n' }));
    waitFor(cluster, 'the first rollout', () => rolledOut(cluster, 'nginx:1.25'));
    observer.setBounds({ maxPods: 5, minAvailable: 3 });
    cluster.setImage('deployment/web', { nginx: 'nginx:1.26' });
    waitFor(cluster, 'the recreate', () => rolledOut(cluster, 'nginx:1.26'));
    expect(observer.availabilityViolation).toBeDefined();
    expect(observer.minAvailable).toBe(0);
    observer.stop();
  });
});
