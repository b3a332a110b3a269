// `kubectl rollout undo` (kubectl's DeploymentRollbacker): pick the ReplicaSet of the wanted revision
// (0 = the previous one), and replace the Deployment's template with its template (pod-template-hash
// label removed) and its annotations with the ReplicaSet's. The controller then finds that ReplicaSet as
// the new one and bumps it to the next revision, keeping the old number in revision-history.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { controllerOf } from '../controller-ref.ts';
import { ANNOTATIONS_TO_SKIP, POD_TEMPLATE_HASH_LABEL, equalIgnoreHash, revisionOf } from './util.ts';

export type UndoResult =
  /** `deployment` is the object as the patch leaves it; `patch` is kubectl's JSON patch. */
  | { kind: 'rolledBack'; message: string; deployment: Deployment; patch: unknown[] }
  | { kind: 'skipped'; message: string }
  | { kind: 'error'; message: string };

function target(d: Deployment): string {
  return `deployment.apps/${d.metadata?.name}`;
}

function revisionToRestore(d: Deployment, owned: readonly ReplicaSet[], toRevision: number): ReplicaSet | string {
  let latest: [number, ReplicaSet | undefined] = [-1, undefined];
  let previous: [number, ReplicaSet | undefined] = [-1, undefined];
  for (const rs of owned) {
    const v = revisionOf(rs);
    if (v === undefined) continue;
    if (toRevision > 0) {
      if (v === toRevision) return rs;
      continue;
    }
    if (latest[0] < v) {
      previous = latest;
      latest = [v, rs];
    } else if (previous[0] < v) {
      previous = [v, rs];
    }
  }
  if (toRevision > 0) return `unable to find specified revision ${toRevision} in history`;
  return previous[1] ?? `no rollout history found for deployment ${JSON.stringify(d.metadata?.name ?? '')}`;
}

export function rolloutUndo(d: Deployment, replicaSets: readonly ReplicaSet[], toRevision = 0): UndoResult {
  if (d.spec?.paused) {
    return { kind: 'error', message: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again" };
  }
  const owned = replicaSets.filter((rs) => controllerOf(rs)?.uid === d.metadata?.uid);
  const found = revisionToRestore(d, owned, toRevision);
  if (typeof found === 'string') return { kind: 'error', message: found };
  if (equalIgnoreHash(found.spec?.template, d.spec?.template)) {
    return { kind: 'skipped', message: `${target(d)} skipped rollback (current template already matches revision ${toRevision})` };
  }
  const template = structuredClone(found.spec?.template ?? {});
  const labels = { ...template.metadata?.labels };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  template.metadata = { ...template.metadata, labels };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(found.metadata?.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  const patch = [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
  const deployment: Deployment = { ...d, metadata: { ...d.metadata, annotations }, spec: { ...d.spec!, template } };
  return { kind: 'rolledBack', message: `${target(d)} rolled back`, deployment, patch };
}
