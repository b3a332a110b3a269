// Deployment status and conditions (deployment/sync.go calculateStatus, deployment_util.go conditions,
// DeploymentComplete / DeploymentProgressing / DeploymentTimedOut): what `kubectl rollout status` reads.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import { rfc3339 } from '../../../src/kubelet/format.ts';
import {
  actualReplicas, availableReplicas, hasProgressDeadline, maxUnavailable, readyReplicas, replicasOf, specReplicas, timeOf,
} from './util.ts';

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';

export const REASONS = Object.freeze({
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
});

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: no change for the same status and reason; keeps lastTransitionTime for the same status. */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): DeploymentStatus {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return status;
  const next = current && current.status === condition.status ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  return { ...status, conditions: [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next] };
}

export function removeCondition(status: DeploymentStatus, type: string): DeploymentStatus {
  const conditions = (status.conditions ?? []).filter((c) => c.type !== type);
  const next = { ...status };
  if (conditions.length > 0) next.conditions = conditions;
  else delete next.conditions;
  return next;
}

/** Go's JSON for DeploymentStatus: every counter omitempty. */
function encode(s: Required<Pick<DeploymentStatus, 'observedGeneration' | 'replicas' | 'updatedReplicas' | 'readyReplicas' | 'availableReplicas' | 'unavailableReplicas'>> & Pick<DeploymentStatus, 'conditions' | 'collisionCount'>): DeploymentStatus {
  const out: DeploymentStatus = {};
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  if (s.replicas) out.replicas = s.replicas;
  if (s.updatedReplicas) out.updatedReplicas = s.updatedReplicas;
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.availableReplicas) out.availableReplicas = s.availableReplicas;
  if (s.unavailableReplicas) out.unavailableReplicas = s.unavailableReplicas;
  if (s.conditions && s.conditions.length > 0) out.conditions = s.conditions;
  if (s.collisionCount !== undefined) out.collisionCount = s.collisionCount;
  return out;
}

/** calculateStatus, with the Available condition. */
export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const unavailable = Math.max(0, specReplicas(allRSs) - available);
  let status = encode({
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    conditions: [...(d.status?.conditions ?? [])],
    collisionCount: d.status?.collisionCount,
  });
  status = available >= replicasOf(d) - maxUnavailable(d)
    ? setCondition(status, newCondition(AVAILABLE, 'True', REASONS.minimumReplicasAvailable, 'Deployment has minimum availability.', now))
    : setCondition(status, newCondition(AVAILABLE, 'False', REASONS.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  return status;
}

/** reflect.DeepEqual of two statuses (absent counters are zero). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined) => canonicalJson({
    observedGeneration: s?.observedGeneration ?? 0, replicas: s?.replicas ?? 0, updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0, availableReplicas: s?.availableReplicas ?? 0, unavailableReplicas: s?.unavailableReplicas ?? 0,
    conditions: s?.conditions ?? [], collisionCount: s?.collisionCount,
  });
  return norm(a) === norm(b);
}

/** DeploymentComplete: every replica updated and available, at the current generation. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus | undefined): boolean {
  const replicas = replicasOf(d);
  return (status?.updatedReplicas ?? 0) === replicas && (status?.replicas ?? 0) === replicas &&
    (status?.availableReplicas ?? 0) === replicas && (status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, or more ready/available than last recorded. */
export function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress recorded for progressDeadlineSeconds. */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status, PROGRESSING);
  if (!condition) return false;
  if (condition.reason === REASONS.newRSAvailable) return false;
  if (condition.reason === REASONS.timedOut) return true;
  return timeOf(condition.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}
