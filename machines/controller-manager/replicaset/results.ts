// What the answers to a ReplicaSet sync's calls mean: events (SuccessfulCreate / SuccessfulDelete and
// their failures), expectations lowered for creates and deletes that will never be observed, and the
// status write that ends every sync not cut short while claiming.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { REPLICASETS, isNotFound, metaNamespaceKey, updateRequest, type ApiFailure } from '../../../src/client/index.ts';
import type { ResolvedConfig } from '../config.ts';
import type { EventSpec } from '../events.ts';
import { creationObserved, deletionObserved } from '../expectations.ts';
import { objectKeyOf, type CallResult, type PlannedCall, type RsStatusFinalizer, type Step } from '../jobs.ts';
import type { ReplicaSetControllerState } from './state.ts';
import { RS_COMPONENT } from './state.ts';
import { calculateStatus, replicasOf, statusUnchanged, withStatus } from './status.ts';

type State = ReplicaSetControllerState;

export function onReplicaSetCallResult(state: State, result: CallResult): { state: State; events: EventSpec[] } {
  const tag = result.call.tag;
  const failure = result.failure;
  if (tag.kind === 'createPod') {
    if (!failure) {
      const name = (result.body as Pod).metadata?.name ?? '';
      return { state, events: [{ type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${name}`, involvedObject: tag.rs, component: RS_COMPONENT }] };
    }
    // The informer will never see this pod: stop waiting for it.
    return {
      state: { ...state, expectations: creationObserved(state.expectations, tag.rsKey) },
      events: [{ type: 'Warning', reason: 'FailedCreate', message: `Error creating: ${failure.message}`, involvedObject: tag.rs, component: RS_COMPONENT }],
    };
  }
  if (tag.kind === 'deletePod') {
    if (!failure) {
      return { state, events: [{ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${tag.podName}`, involvedObject: tag.rs, component: RS_COMPONENT }] };
    }
    const next = { ...state, expectations: deletionObserved(state.expectations, tag.rsKey, tag.podKey) };
    if (isNotFound(failure)) return { state: next, events: [] };
    return {
      state: next,
      events: [{ type: 'Warning', reason: 'FailedDelete', message: `Error deleting: ${failure.message}`, involvedObject: tag.rs, component: RS_COMPONENT }],
    };
  }
  return { state, events: [] };
}

/** Creations of later slow-start batches that a failure cut off: not expected any more. */
export function onReplicaSetCallSkipped(state: State, call: PlannedCall): State {
  return call.tag.kind === 'createPod' ? { ...state, expectations: creationObserved(state.expectations, call.tag.rsKey) } : state;
}

/**
 * The status write at the end of syncReplicaSet (skipped when claiming failed, as upstream returns before
 * it), and the re-check after minReadySeconds when every pod is ready but not yet available.
 */
export function finalizeReplicaSetSync(
  finalizer: RsStatusFinalizer, failure: { error: ApiFailure; step: string } | undefined, now: number, config: ResolvedConfig,
): { step?: Step; requeueAfterMs?: number } {
  if (failure?.step === 'claim') return {};
  const { rs, pods, diff } = finalizer;
  const manageError = failure?.step === 'manage' ? failure.error : undefined;
  const status = calculateStatus(rs, pods, manageError, diff, now);
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const replicas = replicasOf(rs);
  const recheck = !manageError && minReadySeconds > 0 && (status.readyReplicas ?? 0) === replicas && (status.availableReplicas ?? 0) !== replicas;
  const requeueAfterMs = recheck ? minReadySeconds * 1000 : undefined;
  if (statusUnchanged(rs, status)) return { requeueAfterMs };
  const namespace = rs.metadata?.namespace;
  const call: PlannedCall = {
    request: updateRequest(REPLICASETS, rs.metadata?.name ?? '', withStatus(rs, status), { namespace, subresource: 'status', user: config.user }),
    tag: { kind: 'rsStatus', rsKey: metaNamespaceKey(rs), requeueAfterMs },
    objectKey: objectKeyOf('replicasets', rs),
  };
  return { step: { label: 'status', calls: [call] } };
}
