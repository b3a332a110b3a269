// The Recreate strategy (deployment/recreate.go): scale every old ReplicaSet to zero, wait until none of
// their pods runs, then create (or scale up) the new one at full size.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { InformerState } from '../../../src/client/index.ts';
import { cleanupDeployment } from './cleanup.ts';
import { deploymentComplete } from './conditions.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import type { Planner } from './planner.ts';
import { syncRolloutStatus } from './progress.ts';
import { scaleReplicaSetAndRecordEvent } from './scaling.ts';
import { actualReplicas, filterActive, replicasOf } from './util.ts';

/** oldPodsRunning: an old ReplicaSet still reports pods, or one of its pods is not terminal. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: ReadonlyMap<string, readonly Pod[]>): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    if (pods.some((pod) => pod.status?.phase !== 'Failed' && pod.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

export function rolloutRecreate(
  p: Planner, d: Deployment, rsList: ReplicaSet[], podMap: ReadonlyMap<string, readonly Pod[]>, cache: InformerState<ReplicaSet>,
): void {
  // No new ReplicaSet yet: never scale up before the old ones are down.
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(p, d, rsList, false, cache);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if (scaleReplicaSetAndRecordEvent(p, rs, 0, d)[0]) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(p, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(p, allRSs, newRS, d);
  if (!newRS) {
    const created = getAllReplicaSetsAndSyncRevision(p, d, rsList, true, cache);
    if (created.abort || !created.newRS) return;
    ({ newRS, oldRSs } = created);
    allRSs = [...oldRSs, newRS];
  }
  scaleReplicaSetAndRecordEvent(p, newRS!, replicasOf(d), d);
  if (deploymentComplete(d, d.status)) cleanupDeployment(p, oldRSs, d);
  syncRolloutStatus(p, allRSs, newRS, d);
}
