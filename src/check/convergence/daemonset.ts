// ESR for DaemonSets: one Running and Ready pod of the current revision on every live node that should run
// it, none on nodes it must leave, and status counting exactly that. "Should run" is decided here from the
// API's rules — the template's nodeName, nodeSelector and required node affinity, and the node's
// NoSchedule/NoExecute taints against the template's tolerations plus the ones every daemon pod gets —
// not by calling the DaemonSet controller's own helper.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { podTemplateHash } from '../../api/names.ts';
import { matchesRequiredNodeAffinity, requiredNodeAffinity } from '../../scheduler/node-selector.ts';
import { toleratesTaint } from '../../scheduler/taints.ts';
import { isActive, isControlledBy, isRunningAndReady, listNames, podName, podStateText } from './pods.ts';
import { describeObject, type ClusterView } from './view.ts';
import { violation, type Violation } from './violation.ts';

/** The label a daemon pod carries its revision in (apps.DefaultDaemonSetUniqueLabelKey). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

/** The tolerations the DaemonSet controller adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });
  return [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

export interface DaemonPlacement {
  /** A daemon pod belongs on the node. */
  readonly shouldRun: boolean;
  /** A daemon pod already there may stay (it tolerates the node's NoExecute taints). */
  readonly mayStay: boolean;
}

export function daemonPlacement(ds: DaemonSet, node: Node): DaemonPlacement {
  const spec = ds.spec?.template?.spec;
  const name = node.metadata?.name ?? '';
  if (spec?.nodeName && spec.nodeName !== name) return { shouldRun: false, mayStay: false };
  const asPod: Pod = { spec: { containers: [], ...spec, nodeName: name } };
  if (!matchesRequiredNodeAffinity(requiredNodeAffinity(asPod), node)) return { shouldRun: false, mayStay: false };
  const tolerations = [...(spec?.tolerations ?? []), ...daemonTolerations(spec?.hostNetwork === true)];
  const untolerated = (effects: readonly string[]) => (node.spec?.taints ?? []).some((t: Taint) => effects.includes(t.effect) && !tolerations.some((tol) => toleratesTaint(tol, t)));
  if (untolerated(['NoSchedule', 'NoExecute'])) return { shouldRun: false, mayStay: !untolerated(['NoExecute']) };
  return { shouldRun: true, mayStay: true };
}

/** The node a daemon pod is for: where it is bound, or the node its affinity pins it to. */
export function daemonPodNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/**
 * The current revision's hash. Upstream it is the hash of the DaemonSet's newest ControllerRevision; the
 * model has no ControllerRevisions and hashes the template itself, with the collision count.
 */
export function currentDaemonRevision(ds: DaemonSet): string | undefined {
  return ds.spec?.template ? podTemplateHash(ds.spec.template, ds.status?.collisionCount) : undefined;
}

export function checkDaemonSet(ds: DaemonSet, view: ClusterView): Violation[] {
  const object = describeObject('DaemonSet', ds);
  const at = view.time;
  const out: Violation[] = [];
  const v = (detail: string) => out.push(violation('daemonset', object, detail, at));
  if (ds.metadata?.deletionTimestamp) return [violation('stuck-deletion', object, `is still being deleted (since ${ds.metadata.deletionTimestamp}).`, at)];
  const namespace = ds.metadata?.namespace ?? '';
  const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const revision = currentDaemonRevision(ds);
  const byNode = new Map<string, Pod[]>();
  const unplaced: Pod[] = [];
  for (const pod of view.objects.pods) {
    if ((pod.metadata?.namespace ?? '') !== namespace || !isActive(pod) || !isControlledBy(pod, ds)) continue;
    const node = daemonPodNode(pod);
    if (node === undefined) unplaced.push(pod);
    else byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  if (unplaced.length > 0) v(`has pods that are pinned to no node: ${listNames(unplaced.map((p) => p.metadata?.name ?? '?'))}.`);

  let desired = 0;
  let misscheduled = 0;
  const nodeNames = new Set<string>();
  for (const node of view.objects.nodes) {
    const name = node.metadata?.name ?? '';
    nodeNames.add(name);
    const pods = byNode.get(name) ?? [];
    const { shouldRun, mayStay } = daemonPlacement(ds, node);
    if (shouldRun) desired++;
    else if (pods.length > 0) misscheduled++;
    if (pods.length > 1) v(`has ${pods.length} pods on ${name}, wants one: ${listNames(pods.map((p) => p.metadata?.name ?? '?'))}.`);
    if (!shouldRun && !mayStay && pods.length > 0) v(`has ${podName(pods[0])} on ${name}, a node it must not run on (selector or taints).`);
    if (!shouldRun || !view.liveNodes.has(name)) continue;
    if (pods.length === 0) {
      v(`has no pod on ${name}, a node it should run on.`);
      continue;
    }
    const pod = pods[0];
    if (!isRunningAndReady(pod)) v(`has ${podName(pod)} that ${podStateText(pod)}.`);
    const podRevision = pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
    if (rolling && revision !== undefined && podRevision !== revision) {
      v(`has ${podName(pod)} on ${name} from an old revision (${CONTROLLER_REVISION_HASH_LABEL} ${podRevision ?? 'none'}, current ${revision}).`);
    }
  }
  for (const [node, pods] of byNode) {
    if (!nodeNames.has(node)) v(`has pods for ${node}, which has no Node object: ${listNames(pods.map((p) => p.metadata?.name ?? '?'))}.`);
  }

  const s = ds.status;
  if ((s?.observedGeneration ?? 0) < (ds.metadata?.generation ?? 0)) {
    v(`has stale status: observedGeneration ${s?.observedGeneration ?? 0} is behind generation ${ds.metadata?.generation}.`);
  }
  const counters: [string, number | undefined, number][] = [
    ['desiredNumberScheduled', s?.desiredNumberScheduled, desired],
    ['currentNumberScheduled', s?.currentNumberScheduled, desired],
    ['numberReady', s?.numberReady, desired],
    ['numberAvailable', s?.numberAvailable, desired],
    ['numberMisscheduled', s?.numberMisscheduled, misscheduled],
    ...(rolling ? [['updatedNumberScheduled', s?.updatedNumberScheduled, desired] as [string, number | undefined, number]] : []),
  ];
  const wrong = counters.filter(([, have, want]) => (have ?? 0) !== want);
  if (wrong.length > 0) v(`reports ${wrong.map(([k, have, want]) => `${k}=${have ?? 0} (want ${want})`).join(', ')} in its status.`);
  return out;
}
