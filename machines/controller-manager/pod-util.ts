// Pod predicates controllers share (k8s.io/kubernetes/pkg/api/v1/pod and controller_utils.go): active,
// ready, available after minReadySeconds, and the ranking that decides which pods a scale-down deletes.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { parseTimestamp } from '../../src/kubelet/format.ts';

/** controller.IsPodActive: not Succeeded/Failed and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  // A plain loop: ReplicaSet syncs call this for every pod they own.
  const conditions = pod.status?.conditions;
  if (conditions === undefined) return undefined;
  for (let i = 0; i < conditions.length; i++) if (conditions[i].type === 'Ready') return conditions[i];
  return undefined;
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** podutil.IsPodAvailable: ready, and for more than minReadySeconds (strictly). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return isReadyConditionAvailable(podReadyCondition(pod), minReadySeconds, now);
}

/** IsPodAvailable given the pod's Ready condition (for loops that already looked it up). */
export function isReadyConditionAvailable(ready: PodCondition | undefined, minReadySeconds: number, now: number): boolean {
  if (ready?.status !== 'True') return false;
  if (minReadySeconds === 0) return true;
  const since = ready.lastTransitionTime;
  return since !== undefined && parseTimestamp(since) + minReadySeconds * 1000 < now;
}

/** Unix-ish ms of a metav1.Time, undefined when unset. */
function timeOf(t: string | undefined): number | undefined {
  return t === undefined || t === '' ? undefined : parseTimestamp(t);
}

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/** afterOrZero: a zero time counts as later than anything. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** logarithmicRankDiff: compares floor(log2(age in ns)), so pods of similar age rank alike. */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const ageNs = (now - t) * 1e6;
    return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
  };
  return rank(t1) - rank(t2);
}

function deletionCost(pod: Pod): number {
  const raw = pod.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
  const value = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(value) ? value : 0;
}

function maxRestarts(pod: Pod): [regular: number, sidecar: number] {
  let regular = 0;
  for (const c of pod.status?.containerStatuses ?? []) regular = Math.max(regular, c.restartCount);
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let sidecar = 0;
  for (const c of pod.status?.initContainerStatuses ?? []) if (sidecars.has(c.name)) sidecar = Math.max(sidecar, c.restartCount);
  return [regular, sidecar];
}

/** A pod with its rank: the number of related active pods on its node ("doubled up"). */
export interface RankedPod {
  pod: Pod;
  rank: number;
}

/**
 * ActivePodsWithRanks.Less (LogarithmicScaleDown and PodDeletionCost on, as in 1.30): true when `a`
 * should be deleted before `b`.
 */
export function deleteBefore(a: RankedPod, b: RankedPod, now: number): boolean {
  const [pi, pj] = [a.pod, b.pod];
  const ni = pi.spec?.nodeName ?? '';
  const nj = pj.spec?.nodeName ?? '';
  // 1. Unassigned < assigned.
  if (ni !== nj && (ni === '' || nj === '')) return ni === '';
  // 2. Pending < Unknown < Running.
  const oi = PHASE_ORDINAL[pi.status?.phase ?? ''] ?? 0;
  const oj = PHASE_ORDINAL[pj.status?.phase ?? ''] ?? 0;
  if (oi !== oj) return oi < oj;
  // 3. Not ready < ready.
  const ri = isPodReady(pi);
  const rj = isPodReady(pj);
  if (ri !== rj) return !ri;
  // 4. Lower pod-deletion-cost < higher.
  const ci = deletionCost(pi);
  const cj = deletionCost(pj);
  if (ci !== cj) return ci < cj;
  // 5. Doubled up (more related pods on the node) < not.
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. Ready for less time < more (by log2 bucket of the ready duration).
  if (ri && rj) {
    const ti = timeOf(podReadyCondition(pi)?.lastTransitionTime);
    const tj = timeOf(podReadyCondition(pj)?.lastTransitionTime);
    if (ti !== tj) {
      if (ti === undefined || tj === undefined) return afterOrZero(ti, tj);
      const diff = logarithmicRankDiff(ti, tj, now);
      if (diff === 0) return (pi.metadata?.uid ?? '') < (pj.metadata?.uid ?? '');
      return diff < 0;
    }
  }
  // 7. Higher restart count < lower.
  const [rgi, sci] = maxRestarts(pi);
  const [rgj, scj] = maxRestarts(pj);
  if (rgi !== rgj) return rgi > rgj;
  if (sci !== scj) return sci > scj;
  // 8. Newer < older (log2 bucket of the age), an unset creation time first.
  const ti = timeOf(pi.metadata?.creationTimestamp);
  const tj = timeOf(pj.metadata?.creationTimestamp);
  if (ti !== tj) {
    if (ti === undefined || tj === undefined) return afterOrZero(ti, tj);
    const diff = logarithmicRankDiff(ti, tj, now);
    if (diff === 0) return (pi.metadata?.uid ?? '') < (pj.metadata?.uid ?? '');
    return diff < 0;
  }
  return false;
}

/** Sorts by deleteBefore (stable, so equal pods keep their given order). */
export function rankForDeletion(pods: readonly RankedPod[], now: number): RankedPod[] {
  return [...pods].sort((a, b) => (deleteBefore(a, b, now) ? -1 : deleteBefore(b, a, now) ? 1 : 0));
}
