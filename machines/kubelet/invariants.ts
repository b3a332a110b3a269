// Invariants of the kubelet actor's state, checked by the review tooling on every explored state and by tests.
import type { KubeletActorState } from './state.ts';

/** The CRI client sends a round's calls one at a time: queued calls imply one in flight. */
export function criClientViolation(state: KubeletActorState): string | null {
  const { cri } = state;
  if (cri.outbox.length > 0 && cri.inFlight === undefined) return `${cri.outbox.length} CRI calls queued with none in flight`;
  if (cri.inFlight !== undefined && !cri.inFlight.partOfRound && cri.outbox.length > 0) return 'a relist in flight in the middle of a sync round';
  return null;
}

/** Registration needs the runtime (node status reads it); a registered node has a uid. */
export function registrationViolation(state: KubeletActorState): string | null {
  if (state.node.phase !== 'waiting' && !state.cri.seen) return 'registering before the runtime ever answered';
  if (state.node.phase === 'registered' && !state.node.uid) return 'registered without a Node uid';
  return null;
}

/** Every pod status record belongs to a pod worker (records of deleted pods are dropped with them). */
export function statusRecordViolation(state: KubeletActorState): string | null {
  for (const uid of Object.keys(state.statuses)) if (!state.workers[uid]) return `status record for pod ${uid} without a pod worker`;
  return null;
}

/** Static pods run for the kubelet's whole life: each has a static pod worker; mirror bookkeeping is theirs only. */
export function staticPodViolation(state: KubeletActorState): string | null {
  for (const uid of Object.keys(state.staticPods)) if (state.workers[uid]?.static !== true) return `static pod ${uid} without a static pod worker`;
  for (const uid of Object.keys(state.mirrors)) if (!state.staticPods[uid]) return `mirror pod bookkeeping for ${uid}, which is not a static pod`;
  return null;
}
