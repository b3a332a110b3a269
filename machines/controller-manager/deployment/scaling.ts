// Scaling ReplicaSets (deployment/sync.go): one ReplicaSet to a new size with its ScalingReplicaSet
// event, and a Deployment's scaling event spread proportionally over its active ReplicaSets.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { deploymentRef, writeReplicaSet, type Planner } from './planner.ts';
import {
  DESIRED_REPLICAS_ANNOTATION, bySizeNewer, bySizeOlder, filterActive, findActiveOrLatest, isRollingUpdate, isSaturated,
  maxSurge, replicaSetProportion, replicasAnnotationsNeedUpdate, replicasOf, setReplicasAnnotations, specReplicas,
} from './util.ts';

/** scaleReplicaSet: writes size and desired/max annotations; the event only when the size changed. */
export function scaleReplicaSet(p: Planner, rs: ReplicaSet, newScale: number, d: Deployment, operation: 'up' | 'down' | ''): [scaled: boolean, rs: ReplicaSet] {
  const sizeNeedsUpdate = replicasOf(rs) !== newScale;
  const max = replicasOf(d) + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return [false, rs];
  const oldScale = replicasOf(rs);
  const rsCopy = structuredClone(rs);
  rsCopy.spec = { ...rsCopy.spec!, replicas: newScale };
  setReplicasAnnotations(rsCopy, replicasOf(d), max);
  const name = rs.metadata?.name ?? '';
  writeReplicaSet(p, rsCopy, sizeNeedsUpdate
    ? { kind: 'scaleReplicaSet', deployment: deploymentRef(d), message: `Scaled ${operation} replica set ${name} from ${oldScale} to ${newScale}` }
    : { kind: 'write' });
  return [sizeNeedsUpdate, rsCopy];
}

export function scaleReplicaSetAndRecordEvent(p: Planner, rs: ReplicaSet, newScale: number, d: Deployment): [scaled: boolean, rs: ReplicaSet] {
  if (replicasOf(rs) === newScale) return [false, rs];
  return scaleReplicaSet(p, rs, newScale, d, replicasOf(rs) < newScale ? 'up' : 'down');
}

/** isScalingEvent: an active ReplicaSet was sized for a different replica count. */
export function isScalingEvent(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[]): boolean {
  return filterActive(allRSs).some((rs) => {
    const desired = rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    return desired !== undefined && /^-?\d+$/.test(desired) && Number(desired) !== replicasOf(d);
  });
}

/** scale: the only active (or newest) ReplicaSet takes the whole size; otherwise proportional scaling. */
export function scale(p: Planner, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): void {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) !== replicasOf(d)) scaleReplicaSetAndRecordEvent(p, activeOrLatest, replicasOf(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) scaleReplicaSetAndRecordEvent(p, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  let allRSs = filterActive([...oldRSs, newRS]);
  const allowedSize = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - specReplicas(allRSs);
  let operation: 'up' | 'down' | '' = '';
  if (toAdd > 0) {
    allRSs = [...allRSs].sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    allRSs = [...allRSs].sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of allRSs) {
    const name = rs.metadata?.name ?? '';
    if (toAdd !== 0) {
      const proportion = replicaSetProportion(rs, d, toAdd, added);
      sizes.set(name, replicasOf(rs) + proportion);
      added += proportion;
    } else {
      sizes.set(name, replicasOf(rs));
    }
  }
  allRSs.forEach((rs, i) => {
    const name = rs.metadata?.name ?? '';
    if (i === 0 && toAdd !== 0) {
      // Leftovers go to the largest ReplicaSet.
      sizes.set(name, Math.max(0, sizes.get(name)! + toAdd - added));
    }
    scaleReplicaSet(p, rs, sizes.get(name)!, d, operation);
  });
}
