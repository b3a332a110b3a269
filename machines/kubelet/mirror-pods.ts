// Mirror pods (pkg/kubelet/pod/mirror_client.go, and syncPod's mirror handling): every static pod is shown
// to the API as a pod of the same name carrying `kubernetes.io/config.mirror`. Once the Node is registered
// (the mirror is owned by it), a missing mirror is created; a mirror being deleted or of an older manifest is
// deleted with gracePeriodSeconds=0 and created again. Failures are retried after 10 s.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { PODS, createRequest, failureOf, isNotFound, storeGet } from '../../src/client/index.ts';
import { isCurrentMirror, isMirrorPod, mirrorPodOf } from '../../src/kubelet/static-pods.ts';
import type { CallPurpose, KubeletActorState, MirrorSync, Tx } from './state.ts';

/** How soon a failed mirror create/delete is tried again. */
export const MIRROR_RETRY_MS = 10_000;

const keyOf = (pod: Pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

/** The API's pod of the static pod's name, if it is that static pod's current mirror. */
export function currentMirror(state: KubeletActorState, staticUid: string): Pod | undefined {
  const staticPod = state.staticPods[staticUid];
  const pod = staticPod && storeGet(state.pods.store, keyOf(staticPod));
  return pod && staticPod && isCurrentMirror(pod, staticPod) ? pod : undefined;
}

function setMirror(tx: Tx, uid: string, sync: MirrorSync): void {
  tx.update({ mirrors: { ...tx.state.mirrors, [uid]: sync } });
}

/** Creates or replaces the mirror pods that are missing or stale. */
export function syncMirrorPods(tx: Tx): void {
  const { node, pods } = tx.state;
  if (node.phase !== 'registered' || !node.uid || !pods.hasSynced) return;
  for (const [uid, staticPod] of Object.entries(tx.state.staticPods)) {
    let sync: MirrorSync = tx.state.mirrors[uid] ?? { inFlight: false, retryAt: null };
    if (sync.inFlight || (sync.retryAt !== null && sync.retryAt > tx.now)) continue;
    if (sync.retryAt !== null) {
      // The retry is due: whatever happens below, this timer is spent.
      sync = { ...sync, retryAt: null };
      setMirror(tx, uid, sync);
    }
    const existing = storeGet(pods.store, keyOf(staticPod));
    if (existing && isCurrentMirror(existing, staticPod)) continue;
    const meta = staticPod.metadata!;
    if (existing && isMirrorPod(existing)) {
      // Deleted already: its watch event has not arrived yet.
      if (sync.deleted === existing.metadata?.uid) continue;
      // Being deleted (kubectl delete pod), or of another manifest: gone at once, then created anew.
      tx.call({ kind: 'mirror-delete', uid, mirrorUid: existing.metadata?.uid ?? '' }, {
        verb: 'delete', group: '', version: 'v1', resource: 'pods', namespace: meta.namespace, name: meta.name,
        query: { gracePeriodSeconds: 0 },
        body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: existing.metadata?.uid } },
      });
    } else if (existing) {
      // A pod that is not a mirror holds the name: upstream leaves it alone and keeps trying.
      setMirror(tx, uid, { inFlight: false, retryAt: tx.now + MIRROR_RETRY_MS });
      continue;
    } else {
      tx.call({ kind: 'mirror-create', uid }, createRequest(PODS, mirrorPodOf(staticPod, { name: tx.state.config.node.name, uid: node.uid }), { namespace: meta.namespace }));
    }
    setMirror(tx, uid, { inFlight: true, retryAt: null });
  }
}

export function onMirrorAnswer(tx: Tx, purpose: CallPurpose, message: ApiResponseMessage | undefined): void {
  if (purpose.kind !== 'mirror-create' && purpose.kind !== 'mirror-delete') return;
  const failure = message === undefined ? { code: 504, reason: 'Timeout', message: 'timed out' } : failureOf(message);
  const ok = !failure || (purpose.kind === 'mirror-delete' && isNotFound(failure));
  const deleted = ok && purpose.kind === 'mirror-delete' ? { deleted: purpose.mirrorUid } : {};
  setMirror(tx, purpose.uid, { inFlight: false, retryAt: ok ? null : tx.now + MIRROR_RETRY_MS, ...deleted });
  if (!ok) tx.observe('obs.kubelet.mirrorPodFailed', { uid: purpose.uid, kind: purpose.kind, code: failure?.code });
}

export function mirrorDeadline(state: KubeletActorState): number {
  // Nothing is tried before registration and the pod list (their arrival wakes the kubelet anyway).
  if (state.node.phase !== 'registered' || !state.pods.hasSynced) return Infinity;
  let at = Infinity;
  for (const m of Object.values(state.mirrors)) if (!m.inFlight && m.retryAt !== null) at = Math.min(at, m.retryAt);
  return at;
}
