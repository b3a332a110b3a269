// Pod facts the checkers need, written from the API's definitions rather than imported from the
// controllers: a checker that shares the code under test would share its bugs.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Pod, ServicePort } from 'kubernetes-types/core/v1.js';
import { LabelSelectorError, matches, selectorFromLabelSelector } from '../../api/labels.ts';
import { describeObject, type StoredObject } from './view.ts';

export const podName = (pod: Pod): string => describeObject('pod', pod);

export const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
export const isTerminating = (pod: Pod): boolean => Boolean(pod.metadata?.deletionTimestamp);
/** Counts toward a controller's replicas: neither finished nor being deleted. */
export const isActive = (pod: Pod): boolean => !isTerminal(pod) && !isTerminating(pod);
export const isReady = (pod: Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
export const isRunningAndReady = (pod: Pod): boolean => pod.status?.phase === 'Running' && isReady(pod);

/** Why a pod is not Running and Ready, in words ("is Pending and not scheduled"). */
export function podStateText(pod: Pod): string {
  const phase = pod.status?.phase ?? 'Pending';
  const node = pod.spec?.nodeName;
  if (isTerminating(pod)) return `is terminating${node ? ` on ${node}` : ''}`;
  if (!node) return `is ${phase} and not scheduled`;
  if (phase !== 'Running') return `is ${phase} on ${node}`;
  if (!isReady(pod)) return `is Running on ${node} but not Ready`;
  return `is Running and Ready on ${node}`;
}

export function controllerRef(obj: StoredObject & { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: StoredObject & { metadata?: { ownerReferences?: OwnerReference[] } }, owner: StoredObject): boolean {
  const ref = controllerRef(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

/** metav1.LabelSelector semantics: nil selects nothing, empty selects everything; an invalid one nothing. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  try {
    return matches(selectorFromLabelSelector(selector), labels);
  } catch (e) {
    if (e instanceof LabelSelectorError) return false;
    throw e;
  }
}

/** The pods of a namespace a label selector picks. */
export function podsSelectedBy(pods: readonly Pod[], namespace: string, selector: LabelSelector | undefined): Pod[] {
  return pods.filter((p) => (p.metadata?.namespace ?? '') === namespace && selectorMatches(selector, p.metadata?.labels));
}

/** The pod's IPv4 address (the model is single-stack), if it has one. */
export function podIPv4(pod: Pod): string | undefined {
  const ips = [...(pod.status?.podIPs ?? []).map((p) => p.ip), pod.status?.podIP].filter((ip): ip is string => Boolean(ip));
  return ips.find((ip) => ip.includes('.'));
}

/** The container port a Service port reaches on this pod (podutil.FindPort): numeric, or by name and protocol. */
export function targetPortOn(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** Up to `max` names, then "and N more". */
export function listNames(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
