// pkg/controller/deployment/util: annotations and revisions, maxSurge/maxUnavailable fenceposts,
// finding the new and old ReplicaSets, replica counts, proportional-scaling fractions, orderings.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import { parseTimestamp } from '../../../src/kubelet/format.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const DEPRECATED_ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** apps.DefaultDeploymentUniqueLabelKey. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;
const MAX_INT32 = 2147483647;

/** Annotations a ReplicaSet never inherits from its Deployment (and a rollback never copies back). */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO_ANNOTATION,
]);

export const replicasOf = (obj: Deployment | ReplicaSet): number => obj.spec?.replicas ?? 1;

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return l !== undefined && l !== MAX_INT32;
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (!value.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const percent = Number(value.slice(0, -1));
  if (!Number.isInteger(percent)) throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  const scaled = (percent * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** ResolveFenceposts: surge rounds up, unavailable down; both zero → unavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [surge: number, unavailable: number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d))[0];
}

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas)[1], replicas);
}

/** Revision from the annotation; 0 when absent, undefined when unparseable. */
export function revisionOf(obj: Deployment | ReplicaSet): number | undefined {
  const v = obj.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^-?\d+$/.test(v) ? Number(v) : undefined;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** Time of a metav1.Time in virtual ms (0 when unset, as Go's zero time sorts first). */
export function timeOf(t: string | undefined): number {
  return t ? parseTimestamp(t) : Number.NEGATIVE_INFINITY;
}

/** controller.ReplicaSetsByCreationTimestamp (seconds resolution, then name). */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const ta = timeOf(a.metadata?.creationTimestamp);
  const tb = timeOf(b.metadata?.creationTimestamp);
  if (ta === tb) return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0;
  return ta < tb ? -1 : 1;
}

/** ReplicaSetsBySizeOlder: larger first, older first among equals. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(a) === replicasOf(b) ? byCreationTimestamp(a, b) : replicasOf(b) - replicasOf(a);
}

/** ReplicaSetsBySizeNewer: larger first, newer first among equals. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(a) === replicasOf(b) ? byCreationTimestamp(b, a) : replicasOf(b) - replicasOf(a);
}

/** ReplicaSetsByRevision: lower revision first, then older. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a) ?? 0;
  const rb = revisionOf(b) ?? 0;
  return ra === rb ? byCreationTimestamp(a, b) : ra - rb;
}

const MAP_FIELDS = new Set(['labels', 'annotations', 'nodeSelector', 'requests', 'limits', 'overhead', 'matchLabels']);

/**
 * Semantic equality as apimachinery's: an empty slice equals nil, and so does an empty map; a null member
 * decodes to the Go zero value, so it equals an absent one (`kubectl rollout undo` sends the template with
 * `metadata.creationTimestamp: null`).
 */
function semantic(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((v) => semantic(v));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const s = semantic(v, k);
    if (s !== undefined && s !== null) out[k] = s;
  }
  return MAP_FIELDS.has(key) && Object.keys(out).length === 0 ? undefined : out;
}

/** EqualIgnoreHash: templates equal once the pod-template-hash label is set aside. */
export function equalIgnoreHash(t1: PodTemplateSpec | undefined, t2: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const labels = { ...t?.metadata?.labels };
    delete labels[POD_TEMPLATE_HASH_LABEL];
    return canonicalJson(semantic({ ...t, metadata: { ...t?.metadata, labels } }));
  };
  return strip(t1) === strip(t2);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: [those with replicas, all of them], the new one excluded. */
export function findOldReplicaSets(d: Deployment, rsList: readonly ReplicaSet[]): [required: ReplicaSet[], all: ReplicaSet[]] {
  const newRS = findNewReplicaSet(d, rsList);
  const all = rsList.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid);
  return [all.filter((rs) => replicasOf(rs) !== 0), all];
}

export const filterActive = (rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] =>
  rss.filter((rs): rs is ReplicaSet => rs !== undefined && replicasOf(rs) > 0);

/** Spec replicas summed (GetReplicaCountForReplicaSets). */
export const specReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
/** Status replicas summed (GetActualReplicaCountForReplicaSets). */
export const actualReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const readyReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const availableReplicas = (rss: readonly (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

/** NewRSNewReplicas: how far the new ReplicaSet may grow now. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const maxTotal = replicasOf(d) + maxSurge(d);
  const current = specReplicas(allRSs);
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/** IsSaturated: the new ReplicaSet runs the whole Deployment, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
  if (desired === undefined) return false;
  return replicasOf(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is; undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** Go's integer.RoundToInt32 (half away from zero). */
function roundToInt(a: number): number {
  return a < 0 ? Math.trunc(a - 0.5) : Math.trunc(a + 0.5);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentMax = replicasOf(d) + maxSurge(d);
  let before = intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
  if (before === undefined || before === 0) {
    // Annotation lost: fall back to the deployment's size before the scale.
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  return roundToInt((replicasOf(rs) * deploymentMax) / before) - replicasOf(rs);
}

/** GetReplicaSetProportion: this ReplicaSet's share of a scaling event, bounded by what is left. */
export function replicaSetProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** SetReplicasAnnotations; true when something changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = { ...rs.metadata?.annotations };
  let updated = false;
  if (annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    updated = true;
  }
  if (annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    updated = true;
  }
  rs.metadata = { ...rs.metadata, annotations };
  return updated;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations;
  return a?.[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a?.[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/** copyDeploymentAnnotationsToReplicaSet (mutates `rs`); true when something changed. */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const annotations = { ...rs.metadata?.annotations };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  rs.metadata = { ...rs.metadata, annotations };
  return changed;
}

/**
 * SetNewReplicaSetAnnotations (mutates `rs`): copies the Deployment's annotations, raises the revision to
 * `newRevision` (keeping the old one in revision-history when it had one: a rollback), and on creation
 * stamps desired/max replicas.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const annotations = { ...rs.metadata?.annotations };
  const oldRevision = annotations[REVISION_ANNOTATION];
  const hadRevision = oldRevision !== undefined;
  let oldInt = 0;
  if (hadRevision) {
    if (!/^-?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  const newInt = Number(newRevision);
  if (oldInt < newInt) {
    annotations[REVISION_ANNOTATION] = newRevision;
    changed = true;
    if (hadRevision) {
      const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
      const old = history.split(',');
      if (old[0].length === 0) {
        annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
      } else {
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < old.length) {
          total -= old[start].length + 1;
          start++;
        }
        if (total <= MAX_REV_HISTORY_LENGTH_IN_CHARS) annotations[REVISION_HISTORY_ANNOTATION] = [...old.slice(start), oldRevision].join(',');
      }
    }
  }
  rs.metadata = { ...rs.metadata, annotations };
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision (mutates `d`). */
export function setDeploymentRevision(d: Deployment, revision: string | undefined): boolean {
  const annotations = { ...d.metadata?.annotations };
  if (annotations[REVISION_ANNOTATION] === revision) return false;
  if (revision === undefined) delete annotations[REVISION_ANNOTATION];
  else annotations[REVISION_ANNOTATION] = revision;
  d.metadata = { ...d.metadata, annotations };
  return true;
}
