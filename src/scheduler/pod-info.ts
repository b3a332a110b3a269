// framework.PodInfo: a pod plus its inter-pod (anti-)affinity terms parsed once, and the
// AffinityTerm matching rules (namespaces, namespaceSelector, label selector).
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { NOTHING, isEverything, matches, selectorFromLabelSelector, type Labels, type Selector } from '../api/labels.ts';

export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly selector: Selector;
  readonly topologyKey: string;
  readonly namespaceSelector: Selector;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
}

/** framework.GetPodKey keys by UID; pods built without one fall back to namespace/name. */
export function podKey(pod: Pod): string {
  return pod.metadata?.uid ?? `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

/** cache.MetaNamespaceKeyFunc: what the scheduling queue keys by. */
export function podNamespacedName(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export function podNamespace(pod: Pod): string {
  return pod.metadata?.namespace ?? 'default';
}

/** corev1helpers.PodPriority. */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/** metav1.LabelSelectorAsSelector; an invalid selector (rejected by validation upstream) selects nothing. */
export function safeSelector(ls: LabelSelector | null | undefined): Selector {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return NOTHING;
  }
}

function newAffinityTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  // getNamespacesFromPodAffinityTerm: no namespaces and no namespaceSelector means "my namespace".
  const namespaces =
    (term.namespaces ?? []).length === 0 && term.namespaceSelector == null
      ? new Set([podNamespace(pod)])
      : new Set(term.namespaces ?? []);
  return {
    namespaces,
    selector: safeSelector(term.labelSelector),
    topologyKey: term.topologyKey,
    namespaceSelector: safeSelector(term.namespaceSelector),
  };
}

function weighted(pod: Pod, terms: readonly WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] {
  return (terms ?? []).map((t) => ({ ...newAffinityTerm(pod, t.podAffinityTerm), weight: t.weight }));
}

const cache = new WeakMap<Pod, PodInfo>();

/** framework.NewPodInfo, memoized per pod object (pods are treated as immutable values). */
export function podInfoOf(pod: Pod): PodInfo {
  const hit = cache.get(pod);
  if (hit !== undefined) return hit;
  const affinity = pod.spec?.affinity;
  const info: PodInfo = {
    pod,
    key: podKey(pod),
    requiredAffinityTerms: (affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => newAffinityTerm(pod, t)),
    requiredAntiAffinityTerms: (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      newAffinityTerm(pod, t),
    ),
    preferredAffinityTerms: weighted(pod, affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: weighted(pod, affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  cache.set(pod, info);
  return info;
}

export function hasAffinity(info: PodInfo): boolean {
  return (
    info.requiredAffinityTerms.length > 0 ||
    info.requiredAntiAffinityTerms.length > 0 ||
    info.preferredAffinityTerms.length > 0 ||
    info.preferredAntiAffinityTerms.length > 0
  );
}

/**
 * AffinityTerm.Matches(pod, nsLabels). `nsLabels` are the labels of the candidate pod's namespace
 * (undefined when that namespace is unknown). Upstream merges a non-empty namespaceSelector of the
 * incoming pod's terms into `namespaces` by listing namespaces; testing the selector against the
 * namespace's labels is the same thing, evaluated lazily.
 */
export function affinityTermMatches(term: AffinityTerm, pod: Pod, nsLabels: Labels | undefined): boolean {
  const nsMatch =
    term.namespaces.has(podNamespace(pod)) ||
    isEverything(term.namespaceSelector) ||
    (nsLabels !== undefined && matches(term.namespaceSelector, nsLabels));
  return nsMatch && matches(term.selector, pod.metadata?.labels);
}

