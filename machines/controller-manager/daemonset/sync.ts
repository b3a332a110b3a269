// syncDaemonSet (pkg/controller/daemon): one daemon pod per node that should run it — created pinned
// to the node by node affinity (the default scheduler binds it), failed and surplus pods deleted, pods
// off nodes that no longer qualify removed; when nothing else is pending, a rolling update replaces
// out-of-date pods while at most maxUnavailable are unavailable; the status is written last.
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import {
  CONTROLLER_UID_INDEX, PODS, createRequest, deleteRequest, getByKey, listAll, listByIndex, metaNamespaceKey, updateRequest,
} from '../../../src/client/index.ts';
import type { ControllerContext, Synced } from '../controller-module.ts';
import { newControllerRef } from '../controller-ref.ts';
import { referenceTo, type EventSpec } from '../events.ts';
import { deleteExpectations, satisfiedExpectations, setExpectations } from '../expectations.ts';
import { DAEMONSETS } from '../informers.ts';
import { objectKeyOf, type PlannedCall, type Step } from '../jobs.ts';
import { isPodAvailable, isPodReady } from '../pod-util.ts';
import { slowStartBatches } from '../replicaset/sync.ts';
import type { DaemonSetControllerState } from './state.ts';
import { backoffNext, inBackoff } from './state.ts';
import {
  DS_COMPONENT, REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL, addDaemonPodTolerations, isPodUpdated, nodeShouldRunDaemonPod,
  pinnedToNode, revisionHash, targetNodeName, templateGeneration,
} from './util.ts';

type State = DaemonSetControllerState;

/** Oldest first (podByCreationTimestampAndPhase: running before not, then creation, then name). */
function byAge(a: Pod, b: Pod): number {
  const ra = a.spec?.nodeName ? 0 : 1;
  const rb = b.spec?.nodeName ? 0 : 1;
  return ra - rb || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** getNodesToDaemonPods: the DaemonSet's live pods by the node each is for. */
function nodesToDaemonPods(ds: DaemonSet, ctx: ControllerContext): Map<string, Pod[]> {
  const map = new Map<string, Pod[]>();
  const pods = listByIndex(ctx.informers.pods, CONTROLLER_UID_INDEX, ds.metadata?.uid ?? '').filter((p) => p.metadata?.namespace === ds.metadata?.namespace);
  for (const pod of pods.sort(byAge)) {
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    map.set(node, [...(map.get(node) ?? []), pod]);
  }
  return map;
}

/** CreatePodTemplate + ReplaceDaemonSetPodNodeNameNodeAffinity + GetPodFromTemplate. */
function podFor(ds: DaemonSet, node: string, hash: string): Pod {
  const template = ds.spec!.template;
  const spec = structuredClone(template.spec!);
  addDaemonPodTolerations(spec);
  spec.affinity = pinnedToNode(spec.affinity, node);
  const generation = templateGeneration(ds);
  const labels = { ...template.metadata?.labels, ...(generation ? { [TEMPLATE_GENERATION_LABEL]: generation } : {}), [REVISION_HASH_LABEL]: hash };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata?.name ?? ''}-`, namespace: ds.metadata?.namespace, labels,
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
    },
    spec,
  };
}

interface Manage {
  create: string[];
  remove: Pod[];
  events: EventSpec[];
  requeueAfterMs?: number;
}

/** manage: which nodes need a pod and which pods must go. */
function manage(state: State, ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>, ctx: ControllerContext): { state: State; m: Manage } {
  const m: Manage = { create: [], remove: [], events: [] };
  const ref = referenceTo(ds, 'apps/v1', 'DaemonSet');
  let next = state;
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    const [shouldRun, shouldContinue] = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(name);
    if (shouldRun && !pods) {
      m.create.push(name);
    } else if (shouldContinue) {
      const running: Pod[] = [];
      for (const pod of pods ?? []) {
        if (pod.metadata?.deletionTimestamp) continue;
        const where = `${pod.metadata?.namespace}/${pod.metadata?.name} on node ${name}`;
        if (pod.status?.phase === 'Failed') {
          // Fighting a kubelet that keeps rejecting the pod: back off per node.
          const key = `${metaNamespaceKey(ds)}/${name}`;
          if (inBackoff(next, key, ctx.now)) {
            m.requeueAfterMs = Math.min(m.requeueAfterMs ?? Infinity, next.failedPodsBackoff[key].delayMs);
            continue;
          }
          next = backoffNext(next, key, ctx.now);
          m.events.push({ type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ${where}, will try to kill it`, involvedObject: ref, component: DS_COMPONENT });
          m.remove.push(pod);
        } else if (pod.status?.phase === 'Succeeded') {
          m.events.push({ type: 'Normal', reason: 'SucceededDaemonPod', message: `Found succeeded daemon pod ${where}, will try to delete it`, involvedObject: ref, component: DS_COMPONENT });
          m.remove.push(pod);
        } else {
          running.push(pod);
        }
      }
      // Without surge, only the oldest daemon pod on a node stays.
      m.remove.push(...running.slice(1));
    } else if (!shouldContinue && pods) {
      m.remove.push(...pods.filter((p) => !p.metadata?.deletionTimestamp));
    }
  }
  // Unscheduled pods for nodes that no longer exist.
  const names = new Set(nodes.map((n) => n.metadata?.name));
  for (const [node, pods] of byNode) if (!names.has(node)) m.remove.push(...pods.filter((p) => !p.spec?.nodeName));
  return { state: next, m };
}

/** GetScaledValueFromIntOrPercent (rounding up). */
function scaled(value: number | string | undefined, total: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number(value);
}

/** rollingUpdate without surge: delete old pods while the unavailable count stays within maxUnavailable. */
function rollingUpdate(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>, hash: string, now: number): Pod[] {
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds)[0]).length;
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaled(ru?.maxUnavailable, desired, 1);
  const maxSurge = scaled(ru?.maxSurge, desired, 0);
  if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  let unavailable = 0;
  const replace: Pod[] = [];
  const candidates: Pod[] = [];
  for (const node of [...byNode.keys()].sort()) {
    const pods = byNode.get(node)!.filter((p) => !p.metadata?.deletionTimestamp);
    const fresh = pods.filter((p) => isPodUpdated(p, hash));
    const old = pods.filter((p) => !isPodUpdated(p, hash));
    if (fresh.length > 1 || old.length > 1 || (fresh.length === 0) === (old.length === 0)) {
      unavailable++; // the manage loop sorts this node out first
    } else if (fresh.length === 1) {
      if (!isPodAvailable(fresh[0], minReady, now)) unavailable++;
    } else if (!isPodAvailable(old[0], minReady, now)) {
      replace.push(old[0]);
      unavailable++;
    } else if (unavailable < maxUnavailable) {
      candidates.push(old[0]);
    }
  }
  const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
  return [...replace, ...candidates.slice(0, room)];
}

function calculateStatus(ds: DaemonSet, nodes: readonly Node[], byNode: Map<string, Pod[]>, hash: string, now: number): DaemonSetStatus {
  let desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
  for (const node of nodes) {
    const [shouldRun] = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(node.metadata?.name ?? '') ?? [];
    if (!shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = pods[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) available++;
    }
    if (isPodUpdated(pod, hash)) updated++;
  }
  const status: DaemonSetStatus = {
    currentNumberScheduled: current, numberMisscheduled: misscheduled, desiredNumberScheduled: desired, numberReady: ready,
    observedGeneration: ds.metadata?.generation,
  };
  if (updated) status.updatedNumberScheduled = updated;
  if (available) status.numberAvailable = available;
  if (desired - available) status.numberUnavailable = desired - available;
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
  if (ds.status?.conditions) status.conditions = ds.status.conditions;
  return status;
}

export function syncDaemonSet(state: State, key: string, ctx: ControllerContext): Synced<State> {
  const { informers, now, config } = ctx;
  const cached = getByKey(informers.daemonsets, key);
  if (!cached) return { state: { ...state, expectations: deleteExpectations(state.expectations, key) } };
  const ds = cached;
  const ref = referenceTo(ds, 'apps/v1', 'DaemonSet');
  const selector = ds.spec?.selector;
  if (!selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) {
    return { state, events: [{ type: 'Warning', reason: 'SelectingAll', message: 'This daemon set is selecting all pods. A non-empty selector is required.', involvedObject: ref, component: DS_COMPONENT }] };
  }
  if (ds.metadata?.deletionTimestamp) return { state };
  const nodes = listAll(informers.nodes);
  const hash = revisionHash(ds);
  const byNode = nodesToDaemonPods(ds, ctx);
  let next = state;
  const steps: Step[] = [];
  const events: EventSpec[] = [];
  let requeueAfterMs: number | undefined;
  if (satisfiedExpectations(state.expectations, key, now, config.expectationsTimeoutMs)) {
    const managed = manage(state, ds, nodes, byNode, ctx);
    next = managed.state;
    let { create, remove } = managed.m;
    events.push(...managed.m.events);
    requeueAfterMs = managed.m.requeueAfterMs;
    // Only with nothing to create or delete does the rolling update go on (expectations satisfied).
    if (create.length === 0 && remove.length === 0 && ds.spec?.updateStrategy?.type !== 'OnDelete') remove = rollingUpdate(ds, nodes, byNode, hash, now);
    create = create.slice(0, config.burstReplicas);
    remove = remove.slice(0, config.burstReplicas);
    next = { ...next, expectations: setExpectations(next.expectations, key, create.length, remove.map(metaNamespaceKey), now) };
    const opts = { namespace: ds.metadata?.namespace, user: config.user };
    const deletes = remove.map((pod): PlannedCall => ({
      request: deleteRequest(PODS, pod.metadata?.name ?? '', opts), tag: { kind: 'op', op: `deletePod:${metaNamespaceKey(pod)}`, key }, tolerateNotFound: true,
    }));
    // Creates in slow-start batches; the deletes go out with the first batch.
    let at = 0;
    for (const size of slowStartBatches(create.length)) {
      steps.push({ label: 'manage', calls: create.slice(at, at + size).map((node) => ({ request: createRequest(PODS, podFor(ds, node, hash), opts), tag: { kind: 'op', op: 'createPod', key } })) });
      at += size;
    }
    if (deletes.length > 0) steps[0] = { label: 'manage', calls: [...deletes, ...(steps[0]?.calls ?? [])] };
  }
  // The status is written whatever happened to the creates and deletes (computed from the cache, as upstream).
  const status = calculateStatus(ds, nodes, byNode, hash, now);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  if (minReady > 0 && status.numberReady !== (status.numberAvailable ?? 0)) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, minReady * 1000);
  const statusStep: Step | undefined = canonicalJson(status) === canonicalJson({ ...ds.status }) ? undefined : {
    label: 'status',
    calls: [{
      request: updateRequest(DAEMONSETS, ds.metadata?.name ?? '', { ...ds, status }, { namespace: ds.metadata?.namespace, subresource: 'status', user: config.user }),
      tag: { kind: 'write' }, objectKey: objectKeyOf('daemonsets', ds),
    }],
  };
  return {
    state: next,
    events,
    plan: { steps, ...(statusStep ? { finalizer: { kind: 'opaque', data: statusStep } } : {}), ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) },
  };
}
