// ESR for Deployments and ReplicaSets: the right number of pods, all Running and Ready, and for a
// Deployment all of them from its current template — the pods of the one ReplicaSet whose template is the
// Deployment's (ignoring the pod-template-hash label), every older ReplicaSet scaled to zero — and status
// that says so.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../api/names.ts';
import { isActive, isControlledBy, controllerRef, isRunningAndReady, listNames, podName, podStateText, selectorMatches } from './pods.ts';
import { describeObject, type ClusterView } from './view.ts';
import { violation, type Violation } from './violation.ts';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Semantic form: nulls, empty lists and empty maps dropped (apimachinery's semantic equality treats them as unset). */
function semantic(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((v) => semantic(v) ?? null);
  if (value === null || typeof value !== 'object') return value ?? undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const s = semantic(v);
    if (s !== undefined) out[k] = s;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Two pod templates are the same once the pod-template-hash label is set aside. */
export function sameTemplateIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const labels = { ...t?.metadata?.labels };
    delete labels[POD_TEMPLATE_HASH_LABEL];
    return canonicalJson(semantic({ ...t, metadata: { ...t?.metadata, labels } }) ?? null);
  };
  return strip(a) === strip(b);
}

const replicasOf = (obj: Deployment | ReplicaSet): number => obj.spec?.replicas ?? 1;

function hashOf(rs: ReplicaSet): string | undefined {
  return rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? rs.spec?.template?.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
}

function activePodsIn(view: ClusterView, namespace: string): Pod[] {
  return view.objects.pods.filter((p) => (p.metadata?.namespace ?? '') === namespace && isActive(p));
}

/** Status counters that should all equal the desired replicas once converged. */
function statusProblems(
  object: string, at: number, generation: number | undefined, observed: number | undefined, counters: Record<string, number | undefined>, want: number,
  property: Violation['property'],
): Violation[] {
  const out: Violation[] = [];
  if ((observed ?? 0) < (generation ?? 0)) out.push(violation(property, object, `has stale status: observedGeneration ${observed ?? 0} is behind generation ${generation}.`, at));
  const wrong = Object.entries(counters).filter(([, n]) => (n ?? 0) !== want);
  if (wrong.length > 0) {
    out.push(violation(property, object, `reports ${wrong.map(([k, n]) => `${k}=${n ?? 0}`).join(', ')} in its status, but wants ${want}.`, at));
  }
  return out;
}

export function checkDeployment(d: Deployment, view: ClusterView): Violation[] {
  const object = describeObject('Deployment', d);
  const at = view.time;
  const out: Violation[] = [];
  const v = (detail: string) => out.push(violation('deployment', object, detail, at));
  if (d.metadata?.deletionTimestamp) return [violation('stuck-deletion', object, `is still being deleted (since ${d.metadata.deletionTimestamp}).`, at)];
  const namespace = d.metadata?.namespace ?? '';
  const replicas = replicasOf(d);
  const owned = view.objects.replicasets.filter((rs) => (rs.metadata?.namespace ?? '') === namespace && isControlledBy(rs, d));
  const ownedUids = new Set(owned.map((rs) => rs.metadata?.uid));
  const pods = activePodsIn(view, namespace).filter((p) => ownedUids.has(controllerRef(p)?.uid));
  const paused = d.spec?.paused === true;

  let current: ReplicaSet | undefined;
  if (!paused) {
    const matching = owned.filter((rs) => sameTemplateIgnoringHash(rs.spec?.template, d.spec?.template));
    if (matching.length === 0) v('has no ReplicaSet with its current pod template.');
    if (matching.length > 1) v(`has ${matching.length} ReplicaSets with its current pod template: ${listNames(matching.map((rs) => rs.metadata?.name ?? '?'))}.`);
    current = matching[0];
    if (current && replicasOf(current) !== replicas) {
      v(`wants ${replicas} replicas but its current ReplicaSet ${current.metadata?.name} is scaled to ${replicasOf(current)}.`);
    }
    for (const rs of owned) {
      if (rs !== current && replicasOf(rs) > 0) v(`still has old ReplicaSet ${rs.metadata?.name} scaled to ${replicasOf(rs)}.`);
    }
  }

  if (pods.length !== replicas) v(`has ${pods.length} active pods, wants ${replicas}${pods.length ? ` (${listNames(pods.map((p) => p.metadata?.name ?? '?'))})` : ''}.`);
  const hash = current ? hashOf(current) : undefined;
  for (const pod of pods) {
    if (current && !isControlledBy(pod, current)) {
      v(`has ${podName(pod)} from an old template (pod-template-hash ${pod.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? 'none'}, current ${hash ?? 'none'}).`);
    } else if (current && hash !== undefined && pod.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] !== hash) {
      v(`has ${podName(pod)} labelled pod-template-hash ${pod.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? 'none'}, but its ReplicaSet's hash is ${hash}.`);
    }
    if (!isRunningAndReady(pod)) v(`has ${podName(pod)} that ${podStateText(pod)}.`);
  }
  const s = d.status;
  out.push(...statusProblems(object, at, d.metadata?.generation, s?.observedGeneration, {
    replicas: s?.replicas, updatedReplicas: s?.updatedReplicas, readyReplicas: s?.readyReplicas, availableReplicas: s?.availableReplicas,
  }, replicas, 'deployment'));
  return out;
}

export function checkReplicaSet(rs: ReplicaSet, view: ClusterView): Violation[] {
  const object = describeObject('ReplicaSet', rs);
  const at = view.time;
  const out: Violation[] = [];
  const v = (detail: string) => out.push(violation('replicaset', object, detail, at));
  if (rs.metadata?.deletionTimestamp) return [violation('stuck-deletion', object, `is still being deleted (since ${rs.metadata.deletionTimestamp}).`, at)];
  const namespace = rs.metadata?.namespace ?? '';
  const replicas = replicasOf(rs);
  const selected = activePodsIn(view, namespace).filter((p) => selectorMatches(rs.spec?.selector, p.metadata?.labels));
  // Orphans it selects should have been adopted; pods another controller owns are not its business.
  const orphans = selected.filter((p) => controllerRef(p) === undefined);
  if (orphans.length > 0) v(`selects ${orphans.length} pods it has not adopted: ${listNames(orphans.map((p) => p.metadata?.name ?? '?'))}.`);
  const pods = selected.filter((p) => isControlledBy(p, rs));
  if (pods.length !== replicas) v(`has ${pods.length} active pods, wants ${replicas}${pods.length ? ` (${listNames(pods.map((p) => p.metadata?.name ?? '?'))})` : ''}.`);
  for (const pod of pods) if (!isRunningAndReady(pod)) v(`has ${podName(pod)} that ${podStateText(pod)}.`);
  const s = rs.status;
  out.push(...statusProblems(object, at, rs.metadata?.generation, s?.observedGeneration, {
    replicas: s?.replicas, readyReplicas: s?.readyReplicas, availableReplicas: s?.availableReplicas,
  }, replicas, 'replicaset'));
  return out;
}
