// syncReplicaSet as a plan (pkg/controller/replicaset/replica_set.go): claim the pods (adopting
// orphans after an uncached re-check of the ReplicaSet, releasing ones that no longer match), then —
// only if its expectations are satisfied — create the missing pods in slow-start batches (1, 2, 4, …)
// or delete the surplus ranked by ActivePodsWithRanks, recording expectations first; the status write
// comes last (the job's finalizer), computed from the pods as they were found.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matches, selectorFromLabelSelector } from '../../../src/api/index.ts';
import {
  PODS, REPLICASETS, createRequest, deleteRequest, getNamespaced, getRequest, metaNamespaceKey, splitMetaNamespaceKey,
  updateRequest,
} from '../../../src/client/index.ts';
import type { ResolvedConfig } from '../config.ts';
import { adopted, claimDecision, newControllerRef, released } from '../controller-ref.ts';
import { referenceTo } from '../events.ts';
import { deleteExpectations, expectCreations, expectDeletions, satisfiedExpectations } from '../expectations.ts';
import type { JobPlan, PlannedCall, Step } from '../jobs.ts';
import { isPodActive, rankForDeletion } from '../pod-util.ts';
import { activePodsPerNode, candidatePods, indirectlyRelatedPods, type ReplicaSetView } from './lookup.ts';
import type { ReplicaSetControllerState } from './state.ts';
import { replicasOf } from './status.ts';

export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface ReplicaSetSync {
  readonly state: ReplicaSetControllerState;
  /** Undefined when the sync is over at once (nothing to write). */
  readonly plan?: JobPlan;
}

/** slowStartBatch's batch sizes for `count` creations: 1, 2, 4, … with the last one cut to what remains. */
export function slowStartBatches(count: number, initial = SLOW_START_INITIAL_BATCH_SIZE): number[] {
  const sizes: number[] = [];
  let remaining = count;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    sizes.push(size);
    remaining -= size;
  }
  return sizes;
}

/** controller.GetPodFromTemplate: generateName "<rs>-", template labels/annotations/finalizers/spec, ControllerRef. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const template = rs.spec?.template;
  const metadata: Pod['metadata'] = {
    generateName: `${rs.metadata?.name ?? ''}-`,
    namespace: rs.metadata?.namespace,
    ownerReferences: [newControllerRef(rs, 'apps/v1', 'ReplicaSet')],
  };
  const labels = template?.metadata?.labels;
  const annotations = template?.metadata?.annotations;
  const finalizers = template?.metadata?.finalizers;
  if (labels && Object.keys(labels).length > 0) metadata.labels = { ...labels };
  if (annotations && Object.keys(annotations).length > 0) metadata.annotations = { ...annotations };
  if (finalizers && finalizers.length > 0) metadata.finalizers = [...finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template?.spec ?? { containers: [] }) };
}

/** getPodsToDelete: all of them, or the `count` first by deletion rank. */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now: number): Pod[] {
  if (count >= pods.length) return pods.slice(0, count);
  const perNode = activePodsPerNode(related);
  const ranked = rankForDeletion(pods.map((pod) => ({ pod, rank: perNode.get(pod.spec?.nodeName ?? '') ?? 0 })), now);
  return ranked.slice(0, count).map((r) => r.pod);
}

export function syncReplicaSet(state: ReplicaSetControllerState, view: ReplicaSetView, key: string, now: number, config: ResolvedConfig): ReplicaSetSync {
  const { namespace, name } = splitMetaNamespaceKey(key);
  const rs = getNamespaced(view.replicasets, namespace ?? '', name);
  if (!rs) return { state: { ...state, expectations: deleteExpectations(state.expectations, key) } };
  const needsSync = config.plant === 'rs-no-expectations' ||
    satisfiedExpectations(state.expectations, key, now, config.expectationsTimeoutMs);
  let selector;
  try {
    selector = selectorFromLabelSelector(rs.spec?.selector);
  } catch {
    return { state }; // an invalid selector is not retried
  }
  const steps: Step[] = [];
  const user = { namespace, user: config.user };
  const rsRef = referenceTo(rs, 'apps/v1', 'ReplicaSet');
  const controllerRef = newControllerRef(rs, 'apps/v1', 'ReplicaSet');

  // Claim: keep owned pods that match, adopt matching orphans, release owned ones that stopped matching.
  const claimed: Pod[] = [];
  const claimCalls: PlannedCall[] = [];
  let adopting = false;
  for (const pod of candidatePods(view, rs)) {
    if (!isPodActive(pod)) continue;
    const decision = claimDecision(rs, pod, matches(selector, pod.metadata?.labels));
    if (decision === 'owned') claimed.push(pod);
    if (decision === 'adopt') {
      adopting = true;
      const body = adopted(pod, controllerRef);
      claimed.push(body);
      claimCalls.push({ request: updateRequest(PODS, pod.metadata?.name ?? '', body, user), tag: { kind: 'write' }, tolerateNotFound: true });
    }
    if (decision === 'release') {
      const body = released(pod, rs.metadata?.uid ?? '');
      claimCalls.push({ request: updateRequest(PODS, pod.metadata?.name ?? '', body, user), tag: { kind: 'write' }, tolerateNotFound: true });
    }
  }
  if (adopting) {
    // Adopting needs a fresh read: a ReplicaSet being deleted must not take new pods (RecheckDeletionTimestamp).
    steps.push({ label: 'claim', calls: [{ request: getRequest(REPLICASETS, name, user), tag: { kind: 'recheck', uid: rs.metadata?.uid ?? '' } }] });
  }
  if (claimCalls.length > 0) steps.push({ label: 'claim', calls: claimCalls });

  let expectations = state.expectations;
  const diff = claimed.length - replicasOf(rs);
  if (needsSync && !rs.metadata?.deletionTimestamp) {
    if (diff < 0) {
      const count = Math.min(-diff, config.burstReplicas);
      expectations = expectCreations(expectations, key, count, now);
      const create: PlannedCall = { request: createRequest(PODS, podFromTemplate(rs), user), tag: { kind: 'createPod', rsKey: key, rs: rsRef } };
      for (const size of slowStartBatches(count)) steps.push({ label: 'manage', calls: Array.from({ length: size }, () => create) });
    } else if (diff > 0) {
      const count = Math.min(diff, config.burstReplicas);
      const victims = podsToDelete(claimed, indirectlyRelatedPods(view, rs), count, now);
      expectations = expectDeletions(expectations, key, victims.map(metaNamespaceKey), now);
      steps.push({
        label: 'manage',
        calls: victims.map((pod) => ({
          request: deleteRequest(PODS, pod.metadata?.name ?? '', user),
          tag: { kind: 'deletePod', rsKey: key, podKey: metaNamespaceKey(pod), podName: pod.metadata?.name ?? '', rs: rsRef },
          tolerateNotFound: true,
        })),
      });
    }
  }
  return {
    state: { ...state, expectations },
    plan: { steps, finalizer: { kind: 'rsStatus', rs, pods: claimed, diff } },
  };
}

