// ReplicaSet status as the controller computes it (replica_set_utils.go calculateStatus) from the pods
// it owns, the ReplicaFailure condition for a failed create/delete, and the write-skipping rule of
// updateReplicaSetStatus.
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { canonicalJson, matches, selectorFromSet } from '../../../src/api/index.ts';
import type { ApiFailure } from '../../../src/client/index.ts';
import { rfc3339 } from '../../../src/kubelet/format.ts';
import { isReadyConditionAvailable, podReadyCondition } from '../pod-util.ts';

export function replicasOf(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}

/** Go's JSON for ReplicaSetStatus: replicas always, the rest omitempty. */
function encode(status: Required<Pick<ReplicaSetStatus, 'replicas' | 'fullyLabeledReplicas' | 'readyReplicas' | 'availableReplicas'>> & Pick<ReplicaSetStatus, 'observedGeneration' | 'conditions'>): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: status.replicas };
  if (status.fullyLabeledReplicas) out.fullyLabeledReplicas = status.fullyLabeledReplicas;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.availableReplicas) out.availableReplicas = status.availableReplicas;
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  if (status.conditions && status.conditions.length > 0) out.conditions = status.conditions;
  return out;
}

/** calculateStatus: counts over the ReplicaSet's active, claimed pods; `diff` = pods − desired at sync time. */
export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: ApiFailure | undefined, diff: number, now: number): ReplicaSetStatus {
  const templateSelector = selectorFromSet(rs.spec?.template?.metadata?.labels ?? {});
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  // Runs over every pod of the ReplicaSet on every sync: the Ready condition is looked up once per pod.
  for (const pod of pods) {
    if (matches(templateSelector, pod.metadata?.labels)) fullyLabeled++;
    const readyCondition = podReadyCondition(pod);
    if (readyCondition?.status === 'True') {
      ready++;
      if (isReadyConditionAvailable(readyCondition, minReadySeconds, now)) available++;
    }
  }
  let conditions: ReplicaSetCondition[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', reason, message: manageError.message, lastTransitionTime: rfc3339(now) });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  return encode({
    replicas: pods.length, fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration, conditions,
  });
}

/** updateReplicaSetStatus's steady state: nothing to write. */
export function statusUnchanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur: Partial<ReplicaSetStatus> = rs.status ?? {};
  return (cur.replicas ?? 0) === (next.replicas ?? 0) &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (rs.metadata?.generation ?? 0) === (cur.observedGeneration ?? 0) &&
    canonicalJson(cur.conditions ?? []) === canonicalJson(next.conditions ?? []);
}

/** The object the status write sends: the status, stamped with the generation it acted on. */
export function withStatus(rs: ReplicaSet, status: ReplicaSetStatus): ReplicaSet {
  const generation = rs.metadata?.generation;
  return { ...rs, status: { ...status, ...(generation ? { observedGeneration: generation } : {}) } };
}
