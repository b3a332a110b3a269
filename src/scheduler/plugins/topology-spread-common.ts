// Shared by the PodTopologySpread filter and score: constraint parsing (incl. matchLabelKeys,
// minDomains, node inclusion policies), the cluster-default constraints with DefaultSelector, and
// counting matching pods per node.
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import {
  isEverything,
  matches,
  selectorFromLabelSelector,
  selectorFromSet,
  NOTHING,
  type Labels,
  type Requirement,
  type Selector,
} from '../../api/labels.ts';
import { matchesRequiredNodeAffinity, type RequiredNodeAffinity } from '../node-selector.ts';
import { podNamespace, type PodInfo } from '../pod-info.ts';
import type { NodeInfo, Snapshot } from '../snapshot.ts';
import { doNotScheduleTaints, findMatchingUntoleratedTaint } from '../taints.ts';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

export type WhenUnsatisfiable = 'DoNotSchedule' | 'ScheduleAnyway';

export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: Selector;
  readonly minDomains: number;
  readonly nodeAffinityPolicy: 'Honor' | 'Ignore';
  readonly nodeTaintsPolicy: 'Honor' | 'Ignore';
}

/** The scheduler's systemDefaultConstraints (PodTopologySpreadArgs defaultingType: System). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_TOPOLOGY_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

function and(a: Selector, extra: readonly Requirement[]): Selector {
  if (a.kind === 'nothing') return a;
  return { kind: 'requirements', requirements: [...a.requirements, ...extra] };
}

function safe(ls: TopologySpreadConstraint['labelSelector']): Selector {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return NOTHING;
  }
}

/** filterTopologySpreadConstraints: the constraints with the given action, parsed. */
export function parseConstraints(
  constraints: readonly TopologySpreadConstraint[] | undefined,
  podLabels: Labels,
  action: WhenUnsatisfiable,
): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of constraints ?? []) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = safe(c.labelSelector);
    // matchLabelKeys (beta, on in 1.30): AND in the incoming pod's values for those keys.
    const extra = (c.matchLabelKeys ?? []).filter((k) => k in podLabels).map((k) => ({ key: k, operator: 'in' as const, values: [podLabels[k]] }));
    if (extra.length > 0) selector = and(selector, extra);
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
    });
  }
  return out;
}

/**
 * helper.DefaultSelector: the union of the selectors of the Services selecting the pod and of its
 * controlling ReplicaSet / ReplicationController / StatefulSet.
 */
export function defaultSelector(pod: Pod, snapshot: Snapshot): Selector {
  const ns = podNamespace(pod);
  const labels = pod.metadata?.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of snapshot.workloads.services) {
    const sel = svc.spec?.selector;
    if ((svc.metadata?.namespace ?? 'default') !== ns || sel === undefined) continue;
    if (matches(selectorFromSet(sel), labels)) Object.assign(set, sel);
  }
  let selector = selectorFromSet(set);
  const owner = (pod.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
  if (owner === undefined) return selector;
  const sameNs = (o: { metadata?: { name?: string; namespace?: string } }) =>
    o.metadata?.name === owner.name && (o.metadata?.namespace ?? 'default') === ns;
  if (owner.kind === 'ReplicationController' && owner.apiVersion === 'v1') {
    const rc = snapshot.workloads.replicationControllers.find(sameNs);
    if (rc?.spec?.selector !== undefined) selector = selectorFromSet({ ...set, ...rc.spec.selector });
  } else if (owner.kind === 'ReplicaSet' && owner.apiVersion === 'apps/v1') {
    const rs = snapshot.workloads.replicaSets.find(sameNs);
    if (rs !== undefined) selector = and(selector, requirementsOf(rs.spec?.selector));
  } else if (owner.kind === 'StatefulSet' && owner.apiVersion === 'apps/v1') {
    const ss = snapshot.workloads.statefulSets.find(sameNs);
    if (ss !== undefined) selector = and(selector, requirementsOf(ss.spec?.selector));
  }
  return selector;
}

function requirementsOf(ls: TopologySpreadConstraint['labelSelector']): readonly Requirement[] {
  const s = safe(ls);
  return s.kind === 'requirements' ? s.requirements : [];
}

/**
 * getConstraints / buildDefaultConstraints: the pod's own constraints, or the system defaults
 * (selector from DefaultSelector) when it has none; defaults with an empty selector are dropped.
 */
export function spreadConstraints(pod: Pod, snapshot: Snapshot, action: WhenUnsatisfiable): { constraints: SpreadConstraint[]; systemDefaulted: boolean } {
  const own = pod.spec?.topologySpreadConstraints ?? [];
  const labels = pod.metadata?.labels ?? {};
  if (own.length > 0) return { constraints: parseConstraints(own, labels, action), systemDefaulted: false };
  const defaults = parseConstraints(SYSTEM_DEFAULT_CONSTRAINTS, labels, action);
  if (defaults.length === 0) return { constraints: [], systemDefaulted: true };
  const selector = defaultSelector(pod, snapshot);
  if (isEverything(selector)) return { constraints: [], systemDefaulted: true };
  return { constraints: defaults.map((c) => ({ ...c, selector })), systemDefaulted: true };
}

// Counting matching pods is the hot loop of a cycle (every pod of every node, per constraint). A NodeInfo's
// pod list is an immutable value replaced whenever the node's pods change, so counts are remembered per
// (namespace, selector, pod list): a scheduler re-counts only the nodes that changed since its last cycle.
// Selectors are interned to small numbers so a lookup hashes no long strings.
const countsBySelector = new Map<string, WeakMap<readonly PodInfo[], number>>();
const selectorIds = new WeakMap<Selector, number>();
const internedSelectors = new Map<string, number>();

function selectorId(selector: Selector): number {
  let id = selectorIds.get(selector);
  if (id === undefined) {
    const text = JSON.stringify(selector);
    id = internedSelectors.get(text);
    if (id === undefined) {
      id = internedSelectors.size;
      internedSelectors.set(text, id);
    }
    selectorIds.set(selector, id);
  }
  return id;
}

/** countPodsMatchSelector: same namespace, not terminating; an empty selector counts nothing. */
export function countPodsMatchSelector(pods: readonly PodInfo[], selector: Selector, namespace: string): number {
  return podCounter(selector, namespace)(pods);
}

/**
 * countPodsMatchSelector with the selector and namespace fixed, for a loop over nodes: the memo for
 * (namespace, selector) is found once, so each node costs one lookup by its pod list.
 */
export function podCounter(selector: Selector, namespace: string): (pods: readonly PodInfo[]) => number {
  if (isEverything(selector)) return () => 0;
  const memoKey = `${selectorId(selector)}\u0000${namespace}`;
  let memo = countsBySelector.get(memoKey);
  if (memo === undefined) {
    memo = new WeakMap();
    countsBySelector.set(memoKey, memo);
  }
  const known = memo;
  return (pods) => {
    const cached = known.get(pods);
    if (cached !== undefined) return cached;
    let n = 0;
    for (const p of pods) {
      if (p.pod.metadata?.deletionTimestamp !== undefined || podNamespace(p.pod) !== namespace) continue;
      if (matches(selector, p.pod.metadata?.labels)) n++;
    }
    known.set(pods, n);
    return n;
  };
}

export function nodeLabelsMatchSpreadConstraints(labels: Labels, constraints: readonly SpreadConstraint[]): boolean {
  return constraints.every((c) => c.topologyKey in labels);
}

/** topologySpreadConstraint.matchNodeInclusionPolicies. */
export function matchNodeInclusionPolicies(c: SpreadConstraint, pod: Pod, node: NodeInfo, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !matchesRequiredNodeAffinity(required, node.node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findMatchingUntoleratedTaint(node.node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaints) !== undefined) {
    return false;
  }
  return true;
}

export const topologyPair = (key: string, value: string): string => `${key}\u0000${value}`;

