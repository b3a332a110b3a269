// syncDeployment (deployment/deployment_controller.go) as a plan: claim ReplicaSets, then by case —
// being deleted (status only), paused or a scaling event (sync: scale, clean up, status), or a rollout
// by strategy. Runs upstream's logic on local copies and records the writes in order (planner.ts).
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matches, selectorFromLabelSelector } from '../../../src/api/index.ts';
import {
  CONTROLLER_UID_INDEX, getNamespaced, listByIndex, listNamespace, splitMetaNamespaceKey, type InformerState,
} from '../../../src/client/index.ts';
import type { ResolvedConfig } from '../config.ts';
import { adopted, claimDecision, newControllerRef, released } from '../controller-ref.ts';
import type { EventSpec } from '../events.ts';
import type { JobPlan } from '../jobs.ts';
import { cleanupDeployment } from './cleanup.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { newPlanner, recheckDeployment, recordNow, toJobPlan, writeDeploymentStatus, writeReplicaSet, type Planner } from './planner.ts';
import { checkPausedConditions, syncDeploymentStatus } from './progress.ts';
import { rolloutRecreate } from './recreate.ts';
import { rolloutRolling } from './rolling.ts';
import { isScalingEvent, scale } from './scaling.ts';
import { DEPRECATED_ROLLBACK_TO_ANNOTATION } from './util.ts';

export interface DeploymentView {
  readonly deployments: InformerState<Deployment>;
  readonly replicasets: InformerState<ReplicaSet>;
  readonly pods: InformerState<Pod>;
}

export interface DeploymentSync {
  /** Undefined: nothing to do (the Deployment is gone). */
  readonly plan?: JobPlan;
  /** Events recorded at once (not tied to a write). */
  readonly events: readonly EventSpec[];
}

function selectorOf(d: Deployment) {
  try {
    return selectorFromLabelSelector(d.spec?.selector);
  } catch {
    return undefined;
  }
}

/** getReplicaSetsForDeployment: the namespace's ReplicaSets claimed by this Deployment (adopting/releasing). */
function claimReplicaSets(p: Planner, d: Deployment, view: DeploymentView): ReplicaSet[] | undefined {
  const selector = selectorOf(d);
  if (!selector) return undefined;
  const claimed: ReplicaSet[] = [];
  const writes: ReplicaSet[] = [];
  let adopting = false;
  for (const rs of listNamespace(view.replicasets, d.metadata?.namespace ?? '')) {
    const decision = claimDecision(d, rs, matches(selector, rs.metadata?.labels));
    if (decision === 'owned') claimed.push(structuredClone(rs));
    if (decision === 'adopt') {
      adopting = true;
      const body = adopted(structuredClone(rs), newControllerRef(d, 'apps/v1', 'Deployment'));
      claimed.push(body);
      writes.push(body);
    }
    if (decision === 'release') writes.push(released(structuredClone(rs), d.metadata?.uid ?? ''));
  }
  if (adopting) recheckDeployment(p, d);
  for (const rs of writes) writeReplicaSet(p, rs, { kind: 'write' }, 'claim');
  return claimed;
}

/**
 * getPodMapForDeployment: the pods its selector matches, by owning ReplicaSet uid (inactive ones too).
 * Upstream lists the namespace and groups by ControllerRef; the controller-uid index gives each
 * ReplicaSet's pods directly, in the same (key) order, without walking every pod of the namespace.
 */
function podMapFor(d: Deployment, rsList: readonly ReplicaSet[], view: DeploymentView): Map<string, Pod[]> {
  const map = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata?.uid ?? '', []]));
  const selector = selectorOf(d);
  if (!selector) return map;
  const namespace = d.metadata?.namespace ?? '';
  for (const [uid, pods] of map) {
    for (const pod of listByIndex(view.pods, CONTROLLER_UID_INDEX, uid)) {
      if ((pod.metadata?.namespace ?? '') === namespace && matches(selector, pod.metadata?.labels)) pods.push(pod);
    }
  }
  return map;
}

function isSelectingAll(d: Deployment): boolean {
  const s = d.spec?.selector;
  return s !== undefined && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** sync: reconcile a scaling event (or a paused Deployment) without rolling anything out. */
function syncScaling(p: Planner, d: Deployment, rsList: ReplicaSet[], cache: InformerState<ReplicaSet>): void {
  const { newRS, oldRSs, abort } = getAllReplicaSetsAndSyncRevision(p, d, rsList, false, cache);
  if (abort) return;
  scale(p, d, newRS, oldRSs);
  if (d.spec?.paused && !d.metadata?.annotations?.[DEPRECATED_ROLLBACK_TO_ANNOTATION]) cleanupDeployment(p, oldRSs, d);
  syncDeploymentStatus(p, [...oldRSs, newRS], newRS, d);
}

export function syncDeployment(view: DeploymentView, key: string, now: number, config: ResolvedConfig): DeploymentSync {
  const { namespace, name } = splitMetaNamespaceKey(key);
  const cached = getNamespaced(view.deployments, namespace ?? '', name);
  if (!cached) return { events: [] };
  const d = structuredClone(cached);
  const p = newPlanner(now, config);
  if (isSelectingAll(d)) {
    recordNow(p, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.', d);
    if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
      d.status = { ...d.status, observedGeneration: d.metadata?.generation };
      writeDeploymentStatus(p, d, true);
    }
    return { plan: toJobPlan(p), events: p.events };
  }
  const rsList = claimReplicaSets(p, d, view);
  if (!rsList) return { events: [] };
  const podMap = podMapFor(d, rsList, view);
  if (d.metadata?.deletionTimestamp) {
    const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(p, d, rsList, false, view.replicasets);
    syncDeploymentStatus(p, [...oldRSs, newRS], newRS, d);
    return { plan: toJobPlan(p), events: p.events };
  }
  checkPausedConditions(p, d);
  if (d.spec?.paused) {
    syncScaling(p, d, rsList, view.replicasets);
    return { plan: toJobPlan(p), events: p.events };
  }
  const probe = getAllReplicaSetsAndSyncRevision(p, d, rsList, false, view.replicasets);
  if (probe.abort) return { plan: toJobPlan(p), events: p.events };
  if (isScalingEvent(d, [...probe.oldRSs, probe.newRS])) {
    syncScaling(p, d, rsList, view.replicasets);
  } else if (d.spec?.strategy?.type === 'Recreate') {
    rolloutRecreate(p, d, rsList, podMap, view.replicasets);
  } else {
    rolloutRolling(p, d, rsList, view.replicasets);
  }
  return { plan: toJobPlan(p), events: p.events };
}

