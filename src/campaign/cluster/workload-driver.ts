// The workload's changes as kubectl would make them (`kubectl scale`, `kubectl set image`, `kubectl delete
// pod`), each one request sent at its time without waiting for the answer: under faults a request may be
// refused, lost or time out, as a user's would. The stored objects, not the scenario, are the desired state
// the checkers compare against.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiRequest } from '../../apiserver/protocol.ts';
import type { Cluster } from '../../cluster/cluster.ts';
import { request, resolveResource } from '../../cluster/kubectl/resources.ts';
import type { ClusterView } from '../../check/convergence/view.ts';
import { isActive } from '../../check/convergence/pods.ts';
import { APP_CONTAINER, deploymentName } from './manifests.ts';
import { APP_IMAGE, type WorkloadChange } from './scenario.ts';

export interface WorkloadStats {
  sent: number;
  /** Refused at once: no apiserver was running. */
  refused: number;
  /** Answered with an error status. */
  failed: number;
}

/** Schedules every change at `base + change.at`; `view` gives the latest snapshot (to pick a pod to delete). */
export function driveWorkload(cluster: Cluster, changes: readonly WorkloadChange[], base: number, view: () => ClusterView | undefined): WorkloadStats {
  const stats: WorkloadStats = { sent: 0, refused: 0, failed: 0 };
  for (const change of changes) {
    cluster.sim.clock.setTimeout(() => {
      const req = requestFor(change, view);
      if (!req) return;
      try {
        cluster.client.send(req, (response) => {
          if (response.code >= 400) stats.failed++;
        });
        stats.sent++;
      } catch {
        stats.refused++;
      }
    }, Math.max(0, base + change.at - cluster.now));
  }
  return stats;
}

function requestFor(change: WorkloadChange, view: () => ClusterView | undefined): ApiRequest | undefined {
  const name = deploymentName(change.deployment);
  switch (change.kind) {
    case 'scale':
      return request(resolveResource('deployments'), 'patch', {
        namespace: 'default', name, subresource: 'scale', patchType: 'application/merge-patch+json', body: { spec: { replicas: change.replicas } },
      });
    case 'image':
      return request(resolveResource('deployments'), 'patch', {
        namespace: 'default', name, patchType: 'application/strategic-merge-patch+json',
        body: { spec: { template: { spec: { containers: [{ name: APP_CONTAINER, image: `${APP_IMAGE}:${change.tag}` }] } } } },
      });
    case 'delete-pod': {
      const pods = (view()?.objects.pods ?? [])
        .filter((p: Pod) => p.metadata?.labels?.app === name && isActive(p))
        .map((p) => p.metadata?.name ?? '')
        .sort();
      if (pods.length === 0) return undefined;
      return request(resolveResource('pods'), 'delete', { namespace: 'default', name: pods[change.pod % pods.length] });
    }
  }
}
