// Cluster events that can make an unschedulable pod schedulable (framework.ClusterEvent), which
// of them each default plugin registers interest in (EnqueueExtensions, 1.30 without queueing
// hints), and the events a node update produces (nodeSchedulingPropertiesChange).
import type { Node } from 'kubernetes-types/core/v1.js';
import { parseQuantityValue } from '../api/quantity.ts';

/** framework.ActionType bits. */
export const ActionType = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
} as const;
export const UPDATE = 4 | 8 | 16 | 32 | 64;
export const ALL = 1 | 2 | UPDATE;

export type EventResource = 'Pod' | 'Node' | '*';

export interface ClusterEvent {
  readonly resource: EventResource;
  readonly actionType: number;
  readonly label: string;
}

const ev = (resource: EventResource, actionType: number, label: string): ClusterEvent => ({ resource, actionType, label });

export const AssignedPodAdd = ev('Pod', ActionType.Add, 'AssignedPodAdd');
export const AssignedPodUpdate = ev('Pod', UPDATE, 'AssignedPodUpdate');
export const AssignedPodDelete = ev('Pod', ActionType.Delete, 'AssignedPodDelete');
export const NodeAdd = ev('Node', ActionType.Add, 'NodeAdd');
export const NodeSpecUnschedulableChange = ev('Node', ActionType.UpdateNodeTaint, 'NodeSpecUnschedulableChange');
export const NodeAllocatableChange = ev('Node', ActionType.UpdateNodeAllocatable, 'NodeAllocatableChange');
export const NodeLabelChange = ev('Node', ActionType.UpdateNodeLabel, 'NodeLabelChange');
export const NodeTaintChange = ev('Node', ActionType.UpdateNodeTaint, 'NodeTaintChange');
export const NodeConditionChange = ev('Node', ActionType.UpdateNodeCondition, 'NodeConditionChange');
export const NodeAnnotationChange = ev('Node', ActionType.UpdateNodeAnnotation, 'NodeAnnotationChange');
export const UnschedulableTimeout = ev('*', ALL, 'UnschedulableTimeout');
export const ForceActivate = ev('*', ALL, 'ForceActivate');

/** EventsToRegister of the default plugins. */
export const PLUGIN_EVENTS: Readonly<Record<string, readonly { resource: EventResource; actionType: number }[]>> = {
  SchedulingGates: [{ resource: 'Pod', actionType: UPDATE }],
  NodeUnschedulable: [{ resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint }],
  NodeName: [{ resource: 'Node', actionType: ActionType.Add | UPDATE }],
  TaintToleration: [{ resource: 'Node', actionType: ActionType.Add | UPDATE }],
  NodeAffinity: [{ resource: 'Node', actionType: ActionType.Add | UPDATE }],
  NodePorts: [
    { resource: 'Pod', actionType: ActionType.Delete },
    { resource: 'Node', actionType: ActionType.Add | UPDATE },
  ],
  NodeResourcesFit: [
    { resource: 'Pod', actionType: ActionType.Delete },
    { resource: 'Node', actionType: ActionType.Add | UPDATE },
  ],
  PodTopologySpread: [
    { resource: 'Pod', actionType: ALL },
    { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint },
  ],
  InterPodAffinity: [
    { resource: 'Pod', actionType: ALL },
    { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel },
  ],
};

/** podMatchesEvent: wildcard events move everyone; otherwise a rejecting plugin must care. */
export function eventMatchesPlugins(event: ClusterEvent, unschedulablePlugins: readonly string[]): boolean {
  if (event.resource === '*') return true;
  return unschedulablePlugins.some((name) =>
    // Plugins without registered events are interested in everything (upstream registers WildCardEvent).
    (PLUGIN_EVENTS[name] ?? [{ resource: '*', actionType: ALL }]).some(
      (r) => r.resource === '*' || (r.resource === event.resource && (r.actionType & event.actionType) !== 0),
    ),
  );
}

// equality.Semantic.DeepEqual: nil and empty compare equal, quantities by value.
function sameStringMap(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => b !== undefined && Object.prototype.hasOwnProperty.call(b, k) && b[k] === a![k]);
}

function quantityNanos(v: string): string {
  try {
    return parseQuantityValue(v).nanos.toString();
  } catch {
    return `invalid:${v}`;
  }
}

function sameResourceList(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b !== undefined && k in b && quantityNanos(a![k]) === quantityNanos(b[k]));
}

function conditionStatuses(n: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of n.status?.conditions ?? []) out[c.type] = c.status;
  return out;
}

/** nodeSchedulingPropertiesChange: the events a node update raises, in upstream order. */
export function nodeSchedulingPropertiesChange(newNode: Node, oldNode: Node): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  const newUnsched = newNode.spec?.unschedulable === true;
  if (newUnsched !== (oldNode.spec?.unschedulable === true) && !newUnsched) events.push(NodeSpecUnschedulableChange);
  if (!sameResourceList(oldNode.status?.allocatable, newNode.status?.allocatable)) events.push(NodeAllocatableChange);
  if (!sameStringMap(oldNode.metadata?.labels, newNode.metadata?.labels)) events.push(NodeLabelChange);
  if (JSON.stringify(newNode.spec?.taints ?? []) !== JSON.stringify(oldNode.spec?.taints ?? [])) events.push(NodeTaintChange);
  if (!sameStringMap(conditionStatuses(oldNode), conditionStatuses(newNode))) events.push(NodeConditionChange);
  if (!sameStringMap(oldNode.metadata?.annotations, newNode.metadata?.annotations)) events.push(NodeAnnotationChange);
  return events;
}
