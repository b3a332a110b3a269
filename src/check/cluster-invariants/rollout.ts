// Safety: during a rolling update without disruptions, a Deployment never has fewer than
// replicas − maxUnavailable available pods. Judged on consecutive snapshots: a violation is availability
// that drops while already below the floor (or drops below it), with the Deployment's replicas unchanged
// and nothing but the controllers acting. A Deployment that is still coming up (created, or scaled up) is
// below its floor without anyone having removed anything, so a lower count alone is not a violation.
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseTimestamp } from '../../kubelet/format.ts';
import { controllerRef, isActive, isReady } from '../convergence/pods.ts';
import { describeObject, type ClusterView } from '../convergence/view.ts';
import { violation, type Violation } from '../convergence/violation.ts';

/** intstr.GetScaledValueFromIntOrPercent; undefined for a malformed value. */
function scaled(value: number | string | undefined, total: number, roundUp: boolean): number | undefined {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return undefined;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** maxUnavailable of a RollingUpdate Deployment (defaults 25 % / 25 %; both zero means one), capped at replicas. */
export function maxUnavailableOf(d: Deployment): number | undefined {
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
  const replicas = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate;
  const surge = scaled(ru?.maxSurge ?? '25%', replicas, true);
  let unavailable = scaled(ru?.maxUnavailable ?? '25%', replicas, false);
  if (surge === undefined || unavailable === undefined) return undefined;
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return Math.min(unavailable, replicas);
}

/** podutil.IsPodAvailable: Ready for more than minReadySeconds. */
function isAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  return since !== undefined && parseTimestamp(since) + minReadySeconds * 1000 < now;
}

/** Available pods of the Deployment: active pods controlled by any of its ReplicaSets. */
export function availablePods(d: Deployment, view: ClusterView): number {
  const ns = d.metadata?.namespace ?? '';
  const rsUids = new Set(view.objects.replicasets
    .filter((rs) => (rs.metadata?.namespace ?? '') === ns && controllerRef(rs)?.uid === d.metadata?.uid)
    .map((rs) => rs.metadata?.uid));
  const minReady = d.spec?.minReadySeconds ?? 0;
  return view.objects.pods.filter((p) =>
    (p.metadata?.namespace ?? '') === ns && isActive(p) && rsUids.has(controllerRef(p)?.uid) && isAvailable(p, minReady, view.time)).length;
}

export function checkRolloutAvailability(prev: ClusterView, next: ClusterView): Violation[] {
  const out: Violation[] = [];
  const before = new Map(prev.objects.deployments.map((d) => [d.metadata?.uid, d]));
  for (const d of next.objects.deployments) {
    const old = before.get(d.metadata?.uid);
    if (!old || d.spec?.paused || d.metadata?.deletionTimestamp) continue;
    const replicas = d.spec?.replicas ?? 1;
    if ((old.spec?.replicas ?? 1) !== replicas) continue;
    const maxUnavailable = maxUnavailableOf(d);
    if (maxUnavailable === undefined) continue;
    const floor = replicas - maxUnavailable;
    const was = availablePods(old, prev);
    const now = availablePods(d, next);
    if (now < floor && now < was) {
      out.push(violation('rollout-availability', describeObject('Deployment', d),
        `has ${now} available pods, fewer than replicas ${replicas} − maxUnavailable ${maxUnavailable} = ${floor} (it had ${was} at ${prev.time}ms).`, next.time));
    }
  }
  return out;
}
