// The RollingUpdate strategy (deployment/rolling.go): grow the new ReplicaSet up to replicas + maxSurge
// pods in total, shrink old ones while at least replicas − maxUnavailable stay available (unhealthy old
// replicas first), clean up history once complete.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { InformerState } from '../../../src/client/index.ts';
import { cleanupDeployment } from './cleanup.ts';
import { deploymentComplete } from './conditions.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import type { Planner } from './planner.ts';
import { syncRolloutStatus } from './progress.ts';
import { scaleReplicaSetAndRecordEvent } from './scaling.ts';
import {
  availableReplicas, byCreationTimestamp, filterActive, maxUnavailable, newRSNewReplicas, replicasOf, specReplicas,
} from './util.ts';

export function reconcileNewReplicaSet(p: Planner, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet, d: Deployment): boolean {
  if (replicasOf(newRS) === replicasOf(d)) return false;
  if (replicasOf(newRS) > replicasOf(d)) return scaleReplicaSetAndRecordEvent(p, newRS, replicasOf(d), d)[0];
  return scaleReplicaSetAndRecordEvent(p, newRS, newRSNewReplicas(d, allRSs, newRS), d)[0];
}

/**
 * cleanupUnhealthyReplicas: old ReplicaSets lose their unavailable replicas first (oldest first).
 * Undefined when a lagging status (more available than desired) would make it scale *up*: upstream
 * refuses with "got invalid request to scale down" and the sync skips scaling down this time.
 */
function cleanupUnhealthyReplicas(p: Planner, oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): [ReplicaSet[], number] | undefined {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rs = sorted[i];
    if (total >= maxCleanup) break;
    if (replicasOf(rs) === 0) continue;
    const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy === 0) continue;
    const count = Math.min(maxCleanup - total, unhealthy);
    if (replicasOf(rs) - count > replicasOf(rs)) return undefined;
    const [, updated] = scaleReplicaSetAndRecordEvent(p, rs, replicasOf(rs) - count, d);
    total += count;
    sorted[i] = updated;
  }
  return [sorted, total];
}

/** scaleDownOldReplicaSetsForRollingUpdate: take away what is available beyond replicas − maxUnavailable. */
function scaleDownOldReplicaSets(p: Planner, allRSs: readonly (ReplicaSet | undefined)[], oldRSs: readonly ReplicaSet[], d: Deployment): number {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicas(allRSs);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= toScaleDown) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), toScaleDown - total);
    scaleReplicaSetAndRecordEvent(p, rs, replicasOf(rs) - count, d);
    total += count;
  }
  return total;
}

export function reconcileOldReplicaSets(p: Planner, allRSs: readonly (ReplicaSet | undefined)[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): boolean {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  // Never scale down further than the new ReplicaSet's unavailable pods could make up for.
  const maxScaledDown = specReplicas(allRSs) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleanup = cleanupUnhealthyReplicas(p, oldRSs, d, maxScaledDown);
  if (!cleanup) return false;
  const [cleaned, cleanupCount] = cleanup;
  const scaledDown = scaleDownOldReplicaSets(p, [...cleaned, newRS], cleaned, d);
  return cleanupCount + scaledDown > 0;
}

export function rolloutRolling(p: Planner, d: Deployment, rsList: ReplicaSet[], cache: InformerState<ReplicaSet>): void {
  const { newRS, oldRSs, abort } = getAllReplicaSetsAndSyncRevision(p, d, rsList, true, cache);
  if (abort || !newRS) return;
  const allRSs = [...oldRSs, newRS];
  if (reconcileNewReplicaSet(p, allRSs, newRS, d)) return syncRolloutStatus(p, allRSs, newRS, d);
  if (reconcileOldReplicaSets(p, allRSs, filterActive(oldRSs), newRS, d)) return syncRolloutStatus(p, allRSs, newRS, d);
  if (deploymentComplete(d, d.status)) cleanupDeployment(p, oldRSs, d);
  syncRolloutStatus(p, allRSs, newRS, d);
}
