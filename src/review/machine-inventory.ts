import type { AnyStateMachine } from 'xstate';
import {
  allStateNodes,
  delayOf,
  eventLabel,
  implementationsOf,
  isAfterEventType,
  ownTransitions,
  referenceName,
  statePath,
  toArray,
} from './chart-walk.ts';

/** Where each event, action, guard, delay and actor of a machine is used: the tables of its doc page. */
export interface MachineInventory {
  events: Map<string, string[]>;
  actions: Map<string, string[]>;
  guards: Map<string, string[]>;
  delays: Map<string, string[]>;
  actors: Map<string, string[]>;
}

/** Marks an implementation defined in `setup` that no part of the chart refers to. */
export const UNUSED = '(defined, never used)';

export function machineInventory(machine: AnyStateMachine): MachineInventory {
  const inventory: MachineInventory = {
    events: new Map(),
    actions: new Map(),
    guards: new Map(),
    delays: new Map(),
    actors: new Map(),
  };
  const use = (table: Map<string, string[]>, name: string, where: string): void => {
    const uses = table.get(name) ?? [];
    if (!uses.includes(where)) uses.push(where);
    table.set(name, uses);
  };
  for (const node of [machine.root, ...allStateNodes(machine)]) {
    const where = statePath(node);
    const config = node.config as { entry?: unknown; exit?: unknown; on?: Record<string, unknown> };
    for (const action of toArray(config.entry)) use(inventory.actions, referenceName(action), `${where} entry`);
    for (const action of toArray(config.exit)) use(inventory.actions, referenceName(action), `${where} exit`);
    for (const eventType of Object.keys(config.on ?? {})) use(inventory.events, eventType, where);
    for (const invoke of node.invoke) use(inventory.actors, referenceName(invoke.src), `${where} invoke`);
    for (const transition of ownTransitions(node)) {
      const label = eventLabel(transition);
      const trigger = label === transition.eventType ? `${where} on ${label}` : `${where} ${label}`;
      for (const action of transition.actions) use(inventory.actions, referenceName(action), trigger);
      for (const guard of guardNames(transition.guard)) use(inventory.guards, guard, trigger);
      if (isAfterEventType(transition.eventType)) use(inventory.delays, String(delayOf(transition)), where);
    }
  }
  for (const kind of ['actions', 'guards', 'delays', 'actors'] as const) {
    for (const name of Object.keys(implementationsOf(machine, kind))) {
      if (!inventory[kind].has(name)) inventory[kind].set(name, [UNUSED]);
    }
  }
  return inventory;
}

/** A guard's name, plus the named guards inside an inline `and`/`or`/`not`. */
function guardNames(guard: unknown): string[] {
  if (guard === undefined) return [];
  const operands = typeof guard === 'function' ? (guard as { guards?: unknown[] }).guards : undefined;
  return [referenceName(guard), ...(Array.isArray(operands) ? operands.flatMap(guardNames) : [])];
}
