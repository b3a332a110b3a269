import type { AnyStateMachine, StateNode, TransitionDefinition } from 'xstate';

/** Shared vocabulary for walking a machine's chart (its state nodes and transition definitions). */
export type AnyStateNode = StateNode<any, any>;
export type AnyTransition = TransitionDefinition<any, any>;

/** Every state node below the root, parents before children, in document order. */
export function allStateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const visit = (node: AnyStateNode): void => {
    for (const child of Object.values(node.states)) {
      nodes.push(child);
      visit(child);
    }
  };
  visit(machine.root);
  return nodes;
}

/** A node's transitions: `on`, `after`, `onDone`, invoke outcomes (XState's `transitions`), then `always`. */
export function ownTransitions(node: AnyStateNode): AnyTransition[] {
  return [...node.transitions.values()].flat().concat(node.always ?? []);
}

/** Every transition of the machine, the root's included. */
export function allTransitions(machine: AnyStateMachine): AnyTransition[] {
  return [machine.root, ...allStateNodes(machine)].flatMap(ownTransitions);
}

/** `leader.heartbeating`; the root is `(machine)`. */
export function statePath(node: AnyStateNode): string {
  return node.path.length === 0 ? '(machine)' : node.path.join('.');
}

/** The `after` delay of a transition: its name, or its number of milliseconds. */
export function delayOf(transition: AnyTransition): string | number | undefined {
  return (transition as { delay?: string | number }).delay;
}

const AFTER_PREFIX = 'xstate.after.';

export function isAfterEventType(eventType: string): boolean {
  return eventType.startsWith(AFTER_PREFIX);
}

/** How a transition's trigger reads in a chart: the event type, or `after(…)`, `always`, `onDone`, `done(…)`. */
export function eventLabel(transition: AnyTransition): string {
  const type = transition.eventType;
  if (isAfterEventType(type)) return `after(${delayOf(transition)})`;
  if (type === '') return 'always';
  if (type.startsWith('xstate.done.state.')) return 'onDone';
  for (const [prefix, label] of [
    ['xstate.done.actor.', 'done'],
    ['xstate.error.actor.', 'error'],
    ['xstate.snapshot.', 'snapshot'],
  ] as const) {
    if (type.startsWith(prefix)) return `${label}(${type.slice(prefix.length)})`;
  }
  return type;
}

/**
 * The name under which an action, guard or actor is referenced. Inline functions have none Stately could
 * keep, so they read `inline:<what>` (higher-order guards show their operands: `inline:not(isLeader)`).
 */
export function referenceName(reference: unknown): string {
  if (typeof reference === 'string') return reference;
  if (typeof reference === 'function') return `inline:${inlineDescription(reference)}`;
  if (typeof reference === 'object' && reference !== null && typeof (reference as { type?: unknown }).type === 'string') {
    return (reference as { type: string }).type;
  }
  return `inline:${typeof reference}`;
}

function inlineDescription(fn: Function): string {
  const operands = (fn as { guards?: unknown[] }).guards;
  if (Array.isArray(operands)) return `${fn.name}(${operands.map(guardLabel).join(', ')})`;
  const builtin = (fn as { type?: unknown }).type;
  if (typeof builtin === 'string') return builtin;
  return fn.name || 'anonymous';
}

/** A guard as shown in a chart: its name, or for an inline higher-order guard its expression. */
export function guardLabel(guard: unknown): string {
  if (typeof guard === 'function') return inlineDescription(guard);
  return referenceName(guard);
}

export function toArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** `gossiping --after(gossipInterval)--> gossiping`, for reports. */
export function describeTransition(transition: AnyTransition): string {
  const guard = transition.guard === undefined ? '' : ` [${guardLabel(transition.guard)}]`;
  const targets = transition.target?.map(statePath).join(', ') ?? '(no target)';
  return `${statePath(transition.source)} --${eventLabel(transition)}${guard}--> ${targets}`;
}

export type ImplementationKind = 'actions' | 'guards' | 'delays' | 'actors';

/** The implementations given to `setup` (or `createMachine`'s second argument), by kind and name. */
export function implementationsOf(machine: AnyStateMachine, kind: ImplementationKind): Record<string, unknown> {
  return ((machine.implementations as unknown as Record<string, Record<string, unknown> | undefined>)[kind]) ?? {};
}
