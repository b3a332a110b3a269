// Pod-only defaults (SetDefaults_Pod) and the two admission plugins every real cluster runs on
// pod creation that matter to scheduling: Priority and DefaultTolerationSeconds.
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { defaultPodSpec } from './pod-spec.ts';

// Built-in PriorityClasses that exist in every cluster (scheduling.k8s.io SystemPriorityClasses).
const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/** Mutates a cloned pod. */
export function defaultPod(pod: Pod): void {
  const spec = pod.spec;
  if (spec === undefined) return;
  defaultPodSpec(spec);
  // Requests default to limits, for Pods only (templates keep what the user wrote).
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (limits === undefined) continue;
    const requests = (c.resources!.requests ??= {});
    for (const [name, value] of Object.entries(limits)) if (!(name in requests)) requests[name] = value;
  }
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  // With hostNetwork the host port is the container port.
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  // Upstream this is the Priority admission plugin; with no PriorityClass objects modelled, only
  // the implicit default (0) and the two system classes can be resolved here.
  if (spec.priority === undefined) {
    const className = spec.priorityClassName ?? '';
    const priority = className === '' ? 0 : SYSTEM_PRIORITY_CLASSES[className];
    if (priority !== undefined) {
      spec.priority = priority;
      if (spec.preemptionPolicy === undefined) spec.preemptionPolicy = 'PreemptLowerPriority';
    }
  }
}

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

function tolerates(t: Toleration, taintKey: string): boolean {
  return (t.key === taintKey || !t.key) && (t.effect === 'NoExecute' || !t.effect);
}

/**
 * The DefaultTolerationSeconds admission plugin (create only): unless the pod already
 * tolerates them, add 300s NoExecute tolerations for not-ready and unreachable nodes, which is
 * what gives evictions from a failed node their 5-minute delay. Returns a new pod.
 */
export function addDefaultTolerations(pod: Pod): Pod {
  const existing = pod.spec?.tolerations ?? [];
  const added: Toleration[] = [];
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    if (!existing.some((t) => tolerates(t, key))) {
      added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
  }
  if (added.length === 0) return pod;
  return { ...pod, spec: { containers: [], ...pod.spec, tolerations: [...existing, ...added] } };
}
