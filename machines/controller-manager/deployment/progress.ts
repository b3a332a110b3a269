// Deployment status writes (deployment/progress.go and sync.go): syncRolloutStatus with the Progressing
// condition and its deadline, syncDeploymentStatus, the paused/resumed conditions, and the requeue that
// checks a stuck rollout against its deadline.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { writeDeploymentStatus, type Planner } from './planner.ts';
import {
  PROGRESSING, REASONS, REPLICA_FAILURE, calculateStatus, deploymentComplete, deploymentProgressing,
  deploymentTimedOut, getCondition, newCondition, removeCondition, setCondition, statusEqual,
} from './conditions.ts';
import { hasProgressDeadline, timeOf } from './util.ts';

const quote = (s: string) => JSON.stringify(s);

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure, else any old one's. */
function replicaFailure(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined) {
  const of = (rs: ReplicaSet | undefined) => (rs?.status?.conditions ?? []).filter((c) => c.type === REPLICA_FAILURE);
  const found = of(newRS).length > 0 ? of(newRS) : allRSs.flatMap(of);
  const c = found[0];
  return c && {
    type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime,
    reason: c.reason, message: c.message,
  };
}

/** requeueStuckDeployment: come back when the progress deadline would pass. */
function requeueStuckDeployment(p: Planner, d: Deployment, status: NonNullable<Deployment['status']>): void {
  const current = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, status) || current.reason === REASONS.timedOut) return;
  const after = timeOf(current.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - p.now;
  if (after < 1000) p.requeueRateLimited = true;
  else p.requeueAfterMs = after + 1000;
}

export function syncRolloutStatus(p: Planner, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): void {
  let status = calculateStatus(allRSs, newRS, d, p.now);
  if (!hasProgressDeadline(d)) status = removeCondition(status, PROGRESSING);
  const current = getCondition(d.status, PROGRESSING);
  const isComplete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === REASONS.newRSAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const name = newRS?.metadata?.name;
    if (deploymentComplete(d, status)) {
      const message = name ? `ReplicaSet ${quote(name)} has successfully progressed.` : `Deployment ${quote(d.metadata?.name ?? '')} has successfully progressed.`;
      status = setCondition(status, newCondition(PROGRESSING, 'True', REASONS.newRSAvailable, message, p.now));
    } else if (deploymentProgressing(d, status)) {
      const message = name ? `ReplicaSet ${quote(name)} is progressing.` : `Deployment ${quote(d.metadata?.name ?? '')} is progressing.`;
      let condition = newCondition(PROGRESSING, 'True', REASONS.replicaSetUpdated, message, p.now);
      // Progress moves lastUpdateTime even with the same reason (so the deadline restarts).
      if (current) {
        if (current.status === 'True') condition = { ...condition, lastTransitionTime: current.lastTransitionTime };
        status = removeCondition(status, PROGRESSING);
      }
      status = setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, p.now)) {
      const message = name ? `ReplicaSet ${quote(name)} has timed out progressing.` : `Deployment ${quote(d.metadata?.name ?? '')} has timed out progressing.`;
      status = setCondition(status, newCondition(PROGRESSING, 'False', REASONS.timedOut, message, p.now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  status = failure ? setCondition(status, failure) : removeCondition(status, REPLICA_FAILURE);
  if (statusEqual(d.status, status)) {
    requeueStuckDeployment(p, d, status);
    return;
  }
  d.status = status;
  writeDeploymentStatus(p, d);
}

export function syncDeploymentStatus(p: Planner, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): void {
  const status = calculateStatus(allRSs, newRS, d, p.now);
  if (statusEqual(d.status, status)) return;
  d.status = status;
  writeDeploymentStatus(p, d);
}

/** checkPausedConditions: Progressing Unknown "DeploymentPaused" / "DeploymentResumed", so a pause never times out. */
export function checkPausedConditions(p: Planner, d: Deployment): void {
  if (!hasProgressDeadline(d)) return;
  const current = getCondition(d.status, PROGRESSING);
  if (current?.reason === REASONS.timedOut) return;
  const pausedCondition = current?.reason === REASONS.paused;
  const paused = d.spec?.paused === true;
  let condition;
  if (paused && !pausedCondition) condition = newCondition(PROGRESSING, 'Unknown', REASONS.paused, 'Deployment is paused', p.now);
  else if (!paused && pausedCondition) condition = newCondition(PROGRESSING, 'Unknown', REASONS.resumed, 'Deployment is resumed', p.now);
  if (!condition) return;
  d.status = setCondition(d.status ?? {}, condition);
  writeDeploymentStatus(p, d);
}
