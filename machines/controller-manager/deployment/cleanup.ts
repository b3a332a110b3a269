// cleanupDeployment: delete the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { deleteReplicaSet, type Planner } from './planner.ts';
import { byRevision, hasRevisionHistoryLimit, replicasOf } from './util.ts';

export function cleanupDeployment(p: Planner, oldRSs: readonly ReplicaSet[], d: Deployment): void {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = cleanable.length - (d.spec?.revisionHistoryLimit ?? 0);
  if (diff <= 0) return;
  const byAge = [...cleanable].sort(byRevision);
  for (const rs of byAge.slice(0, diff)) {
    // Only ReplicaSets with nothing left and whose controller has caught up.
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
    if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata?.deletionTimestamp) continue;
    deleteReplicaSet(p, rs);
  }
}
