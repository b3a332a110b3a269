// The kubelet's status manager: keeps the latest status each pod worker generated, with a version bumped on
// every change, and writes it through the pod's `status` subresource whenever the API is behind — one write
// per pod in flight, retried every 10 s (syncBatch's period) after a failure, so a status that changed while
// the apiserver was unreachable catches up after the partition heals. Once a pod being deleted has
// terminated and its final status is written, it deletes the pod with gracePeriodSeconds=0 (upstream's
// canBeDeleted → Delete with a UID precondition).
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ApiRequest, ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { semanticEqual } from '../../src/api/validation/object-meta.ts';
import { PODS, failureOf, isNotFound, mergePatchRequest, storeGet } from '../../src/client/index.ts';
import { currentMirror } from './mirror-pods.ts';
import type { CallPurpose, KubeletActorState, PodStatusRecord, Tx } from './state.ts';

/** status manager syncBatch period: how soon a failed status write is retried. */
export const STATUS_RETRY_MS = 10_000;

/** Top-level fields the kubelet owns and may drop: a merge patch has to null them explicitly. */
const DROPPABLE_FIELDS = ['reason', 'message'] as const;

function setRecord(tx: Tx, record: PodStatusRecord): void {
  tx.update({ statuses: { ...tx.state.statuses, [record.uid]: record } });
}

function apiPod(tx: Tx, record: Pick<PodStatusRecord, 'namespace' | 'name' | 'uid'>): Pod | undefined {
  if (tx.state.staticPods[record.uid]) return currentMirror(tx.state, record.uid);
  const pod = storeGet(tx.state.pods.store, `${record.namespace}/${record.name}`);
  return pod?.metadata?.uid === record.uid ? pod : undefined;
}

/** SetPodStatus: a new status for the pod (a no-op when nothing changed). */
export function setPodStatus(tx: Tx, pod: Pod, status: PodStatus, terminatedForDeletion: boolean): void {
  const uid = pod.metadata?.uid ?? '';
  const existing = tx.state.statuses[uid];
  const record: PodStatusRecord = existing ?? {
    uid,
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    // What the API has: after a kubelet restart an unchanged status is not written again.
    status: pod.status ?? {},
    version: 0,
    ackedVersion: 0,
    inFlight: false,
    retryAt: null,
    deleteWhenFinal: false,
    deleteSent: false,
  };
  const changed = !semanticEqual(record.status, status);
  setRecord(tx, {
    ...record,
    ...(changed ? { status, version: record.version + 1 } : {}),
    deleteWhenFinal: record.deleteWhenFinal || terminatedForDeletion,
  });
}

/** The pod is gone from the API: forget it. */
export function forgetPodStatus(tx: Tx, uid: string): void {
  if (!tx.state.statuses[uid]) return;
  const { [uid]: _gone, ...statuses } = tx.state.statuses;
  tx.update({ statuses });
}

function statusPatch(record: PodStatusRecord, base: Pod | undefined): ApiRequest {
  const nulls = Object.fromEntries(DROPPABLE_FIELDS.filter((f) => base?.status?.[f] !== undefined && record.status[f] === undefined).map((f) => [f, null]));
  // metadata.uid makes the write fail rather than land on a new pod of the same name (a static pod's
  // status goes to its mirror pod, whose UID is the API's).
  const patch = { metadata: { uid: base?.metadata?.uid ?? record.uid }, status: { ...record.status, ...nulls } };
  return { ...mergePatchRequest(PODS, record.name, patch, { namespace: record.namespace }), subresource: 'status' };
}

function deleteRequest(record: PodStatusRecord): ApiRequest {
  return {
    verb: 'delete', group: '', version: 'v1', resource: 'pods', namespace: record.namespace, name: record.name,
    query: { gracePeriodSeconds: 0 },
    body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: record.uid } },
  };
}

/**
 * needsReconcile: does the API's copy differ from the cached status on what the kubelet owns — the phase
 * and each condition the kubelet sets (status, reason, message; timestamps aside)? Someone else wrote it
 * (the node-lifecycle controller's MarkPodsNotReady while the node was unreachable), or a write was lost.
 * Conditions the kubelet does not set (DisruptionTarget, ...) are not its business.
 */
export function needsReconcile(cached: PodStatus, api: PodStatus | undefined): boolean {
  if (api === undefined) return false;
  if (cached.phase !== undefined && cached.phase !== api.phase) return true;
  for (const c of cached.conditions ?? []) {
    const a = (api.conditions ?? []).find((x) => x.type === c.type);
    if (!a || a.status !== c.status || (a.reason ?? '') !== (c.reason ?? '') || (a.message ?? '') !== (c.message ?? '')) return true;
  }
  return false;
}

/**
 * The syncBatch pass (every STATUS_RETRY_MS): a pod whose acknowledged status the API no longer shows gets
 * it written again (a version bump, so flushStatuses sends it). Without this a status changed behind the
 * kubelet's back stays changed for ever, since the kubelet only writes what it believes changed.
 */
function reconcileStatuses(tx: Tx): void {
  if (tx.now < tx.state.statusSyncAt) return;
  tx.update({ statusSyncAt: tx.now + STATUS_RETRY_MS });
  for (const record of Object.values(tx.state.statuses)) {
    if (record.inFlight || record.version > record.ackedVersion || record.deleteSent) continue;
    if (!needsReconcile(record.status, apiPod(tx, record)?.status)) continue;
    setRecord(tx, { ...record, version: record.version + 1, retryAt: null });
    tx.observe('obs.kubelet.statusReconciled', { pod: `${record.namespace}/${record.name}` });
  }
}

/** Writes every status the API is behind on (and the final deletes that are due). */
export function flushStatuses(tx: Tx): void {
  reconcileStatuses(tx);
  for (const record of Object.values(tx.state.statuses)) {
    if (record.inFlight || (record.retryAt !== null && record.retryAt > tx.now)) continue;
    if (tx.state.staticPods[record.uid]) {
      // A static pod: its status is written to its mirror pod, once there is one (again after a re-creation).
      const mirror = currentMirror(tx.state, record.uid);
      const mirrorUid = mirror?.metadata?.uid;
      if (mirrorUid === undefined || (record.version <= record.ackedVersion && record.mirrorUid === mirrorUid)) continue;
      tx.call({ kind: 'pod-status', uid: record.uid, version: record.version, mirrorUid }, statusPatch(record, mirror));
      setRecord(tx, { ...record, inFlight: true, retryAt: null });
      continue;
    }
    if (record.version > record.ackedVersion) {
      tx.call({ kind: 'pod-status', uid: record.uid, version: record.version }, statusPatch(record, apiPod(tx, record)));
      setRecord(tx, { ...record, inFlight: true, retryAt: null });
    } else if (record.deleteWhenFinal && !record.deleteSent) {
      tx.call({ kind: 'pod-delete', uid: record.uid }, deleteRequest(record));
      setRecord(tx, { ...record, inFlight: true, deleteSent: true, retryAt: null });
    }
  }
}

/** The answer to a status write or a final delete (undefined: it timed out). */
export function onStatusAnswer(tx: Tx, purpose: CallPurpose, message: ApiResponseMessage | undefined): void {
  if (purpose.kind !== 'pod-status' && purpose.kind !== 'pod-delete') return;
  const record = tx.state.statuses[purpose.uid];
  if (!record) return;
  const failure = message === undefined ? { code: 504, reason: 'Timeout', message: 'timed out' } : failureOf(message);
  const gone = isNotFound(failure);
  if (purpose.kind === 'pod-status') {
    if (purpose.mirrorUid !== undefined) {
      // A mirror pod: written, or to be written again (to this mirror, or to the next one if it is gone).
      setRecord(tx, failure
        ? { ...record, inFlight: false, retryAt: tx.now + (gone ? 1_000 : STATUS_RETRY_MS) }
        : { ...record, inFlight: false, ackedVersion: Math.max(record.ackedVersion, purpose.version), mirrorUid: purpose.mirrorUid });
    } else if (!failure || gone) {
      // Written — or the pod is gone, and its watch event will retire this record.
      setRecord(tx, { ...record, inFlight: false, ackedVersion: Math.max(record.ackedVersion, gone ? record.version : purpose.version) });
    } else {
      setRecord(tx, { ...record, inFlight: false, retryAt: tx.now + STATUS_RETRY_MS });
    }
  } else {
    setRecord(tx, { ...record, inFlight: false, ...(failure && !gone ? { deleteSent: false, retryAt: tx.now + STATUS_RETRY_MS } : {}) });
  }
  if (failure && !gone) tx.observe('obs.kubelet.statusWriteFailed', { pod: `${record.namespace}/${record.name}`, kind: purpose.kind, code: failure.code });
}

/** When a failed write is next retried, or the next syncBatch pass is due (when there are pods). */
export function statusDeadline(state: KubeletActorState): number {
  let at = Object.keys(state.statuses).length > 0 ? state.statusSyncAt : Infinity;
  for (const r of Object.values(state.statuses)) {
    if (r.inFlight || r.retryAt === null) continue;
    // A static pod without a mirror waits for the mirror (its creation wakes the kubelet), not for a timer.
    if (state.staticPods[r.uid] && currentMirror(state, r.uid) === undefined) continue;
    if (r.version > r.ackedVersion || (r.deleteWhenFinal && !r.deleteSent)) at = Math.min(at, r.retryAt);
  }
  return at;
}
