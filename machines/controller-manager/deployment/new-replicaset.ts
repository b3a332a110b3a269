// getNewReplicaSet / getAllReplicaSetsAndSyncRevision (deployment/sync.go): find the ReplicaSet running
// the Deployment's template and bring its revision and annotations up to date, or create it as
// "<deployment>-<pod-template-hash>" with the hash in its labels and selector.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { InformerState } from '../../../src/client/index.ts';
import { getNamespaced } from '../../../src/client/index.ts';
import { alreadyExists } from '../../../src/apiserver/protocol.ts';
import { podTemplateHash } from '../../../src/api/index.ts';
import { controllerOf, newControllerRef } from '../controller-ref.ts';
import { PROGRESSING, REASONS, getCondition, newCondition, setCondition } from './conditions.ts';
import { createReplicaSet, deploymentRef, writeDeploymentStatus, writeReplicaSet, type Planner } from './planner.ts';
import {
  POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, equalIgnoreHash, findNewReplicaSet, findOldReplicaSets, hasProgressDeadline,
  maxRevision, newRSNewReplicas, setDeploymentRevision, setNewReplicaSetAnnotations,
} from './util.ts';

export interface AllReplicaSets {
  newRS?: ReplicaSet;
  oldRSs: ReplicaSet[];
  /** The sync must stop here (a hash collision was recorded). */
  abort?: boolean;
}

const quote = (s: string) => JSON.stringify(s);

function setStatus(d: Deployment, status: NonNullable<Deployment['status']>): void {
  d.status = status;
}

/** Replaces the ReplicaSet with the same uid in the local list (the object a write returned). */
function replaceLocal(rsList: ReplicaSet[], rs: ReplicaSet): void {
  const i = rsList.findIndex((r) => r.metadata?.uid === rs.metadata?.uid);
  if (i >= 0) rsList[i] = rs;
}

export function getNewReplicaSet(
  p: Planner, d: Deployment, rsList: ReplicaSet[], oldRSs: readonly ReplicaSet[], create: boolean, cache: InformerState<ReplicaSet>,
): { rs?: ReplicaSet; abort?: boolean } {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = String(maxRevision(oldRSs) + 1);
  if (existing) {
    const rsCopy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
    const minReadyChanged = (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadyChanged) {
      rsCopy.spec = { ...rsCopy.spec!, minReadySeconds: d.spec?.minReadySeconds };
      writeReplicaSet(p, rsCopy);
      replaceLocal(rsList, rsCopy);
      return { rs: rsCopy };
    }
    let needsUpdate = setDeploymentRevision(d, rsCopy.metadata?.annotations?.[REVISION_ANNOTATION]);
    if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
      const message = `Found new replica set ${quote(rsCopy.metadata?.name ?? '')}`;
      setStatus(d, setCondition(d.status ?? {}, newCondition(PROGRESSING, 'True', REASONS.foundNewRS, message, p.now)));
      needsUpdate = true;
    }
    if (needsUpdate) writeDeploymentStatus(p, d);
    return { rs: rsCopy };
  }
  if (!create) return {};

  const template = structuredClone(d.spec!.template);
  const hash = podTemplateHash(template, d.status?.collisionCount);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec!.selector);
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
  const name = `${d.metadata?.name}-${hash}`;
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name, namespace: d.metadata?.namespace, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')], labels: template.metadata.labels,
    },
    spec: { replicas: 0, selector, template, ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  newRS.spec!.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  // Upstream learns of a name clash from AlreadyExists and reads the lister; the cache answers the same.
  const clash = getNamespaced(cache, d.metadata?.namespace ?? '', name);
  let alreadyCreated = false;
  if (clash) {
    if (controllerOf(clash)?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, clash.spec?.template)) {
      alreadyCreated = true;
    } else {
      // A different template hashed to the same name: bump collisionCount so the next hash differs.
      setStatus(d, { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 });
      writeDeploymentStatus(p, d);
      p.failWith = alreadyExists('apps', 'replicasets', name);
      return { abort: true };
    }
  }
  const replicas = newRS.spec!.replicas!;
  if (!alreadyCreated) {
    createReplicaSet(p, newRS, {
      kind: 'createReplicaSet', deployment: deploymentRef(d), name,
      ...(replicas > 0 ? { message: `Scaled up replica set ${name} from 0 to ${replicas}` } : {}),
    });
  }
  let needsUpdate = setDeploymentRevision(d, newRevision);
  if (!alreadyCreated && hasProgressDeadline(d)) {
    const message = `Created new replica set ${quote(name)}`;
    setStatus(d, setCondition(d.status ?? {}, newCondition(PROGRESSING, 'True', REASONS.newReplicaSet, message, p.now)));
    needsUpdate = true;
  }
  if (needsUpdate) writeDeploymentStatus(p, d);
  return { rs: alreadyCreated ? clash : newRS };
}

export function getAllReplicaSetsAndSyncRevision(
  p: Planner, d: Deployment, rsList: ReplicaSet[], create: boolean, cache: InformerState<ReplicaSet>,
): AllReplicaSets {
  const [, oldRSs] = findOldReplicaSets(d, rsList);
  const { rs, abort } = getNewReplicaSet(p, d, rsList, oldRSs, create, cache);
  return { newRS: rs, oldRSs, ...(abort ? { abort } : {}) };
}
