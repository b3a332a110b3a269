// DaemonSet helpers (pkg/controller/daemon/util): the tolerations every daemon pod gets, whether a node
// should run (or may keep running) the daemon pod, the pod a node gets (pinned by node affinity for the
// default scheduler to place), and which revision a pod belongs to.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Node, Pod, PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { DAEMONSET_TEMPLATE_GENERATION_ANNOTATION, podTemplateHash } from '../../../src/api/index.ts';
import { matchesRequiredNodeAffinity, requiredNodeAffinity } from '../../../src/scheduler/node-selector.ts';
import { findMatchingUntoleratedTaint } from '../../../src/scheduler/taints.ts';
import {
  TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_NOT_READY, TAINT_PID_PRESSURE, TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from '../node-util.ts';

export const DS_COMPONENT = 'daemonset-controller';
/** apps.DefaultDaemonSetUniqueLabelKey and extensions.DaemonSetTemplateGenerationKey. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** AddOrUpdateTolerationInPodSpec: replace a toleration with the same key, operator, value and effect. */
function addOrUpdateToleration(spec: PodSpec, t: Toleration): void {
  const list = spec.tolerations ?? [];
  const same = (x: Toleration) => x.key === t.key && (x.operator ?? 'Equal') === t.operator && (x.value ?? '') === (t.value ?? '') && x.effect === t.effect;
  spec.tolerations = list.some(same) ? list.map((x) => (same(x) ? t : x)) : [...list, t];
}

/** AddOrUpdateDaemonPodTolerations: survive node problems; ignore pressure and cordons. */
export function addDaemonPodTolerations(spec: PodSpec): void {
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) addOrUpdateToleration(spec, { key, operator: 'Exists', effect: 'NoExecute' });
  for (const key of [TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_PID_PRESSURE, TAINT_UNSCHEDULABLE]) {
    addOrUpdateToleration(spec, { key, operator: 'Exists', effect: 'NoSchedule' });
  }
  if (spec.hostNetwork) addOrUpdateToleration(spec, { key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
}

/** NewPod: the template on that node with the daemon tolerations (what the predicates are asked about). */
export function newPod(ds: DaemonSet, nodeName: string): Pod {
  const spec: PodSpec = { ...structuredClone(ds.spec!.template.spec!), nodeName };
  addDaemonPodTolerations(spec);
  return { metadata: { ...ds.spec?.template.metadata, namespace: ds.metadata?.namespace }, spec };
}

/** NodeShouldRunDaemonPod: [should run, may keep running an existing pod]. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): [boolean, boolean] {
  const pod = newPod(ds, node.metadata?.name ?? '');
  const fixed = ds.spec?.template.spec?.nodeName;
  if (fixed && fixed !== node.metadata?.name) return [false, false];
  if (!matchesRequiredNodeAffinity(requiredNodeAffinity(pod), node)) return [false, false];
  const taints = node.spec?.taints;
  const tolerations = pod.spec?.tolerations;
  if (findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute' || t.effect === 'NoSchedule')) {
    // A pod already there stays as long as it tolerates the NoExecute taints.
    return [false, !findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute')];
  }
  return [true, true];
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the pod may only go to this node. */
export function pinnedToNode(affinity: Affinity | undefined, node: string): Affinity {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] };
  return { ...affinity, nodeAffinity: { ...affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: required } };
}

/** The node a daemon pod is for: where it runs, or where its affinity pins it. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export const templateGeneration = (ds: DaemonSet): string | undefined => ds.metadata?.annotations?.[DAEMONSET_TEMPLATE_GENERATION_ANNOTATION];

/** The current revision's hash (upstream: its ControllerRevision's; here the template's hash). */
export const revisionHash = (ds: DaemonSet): string => podTemplateHash(ds.spec!.template as PodTemplateSpec, ds.status?.collisionCount);

/**
 * IsPodUpdated by the revision hash. Upstream also accepts a matching pod-template-generation label; the
 * model's apiserver does not bump that annotation when the template changes, so it would match stale pods.
 */
export function isPodUpdated(pod: Pod, hash: string): boolean {
  return pod.metadata?.labels?.[REVISION_HASH_LABEL] === hash;
}
