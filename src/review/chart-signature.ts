import type { AnyStateMachine } from 'xstate';
import {
  allStateNodes,
  delayOf,
  implementationsOf,
  ownTransitions,
  referenceName,
  toArray,
  type AnyStateNode,
} from './chart-walk.ts';

/**
 * A machine's chart reduced to plain data — the state tree, every transition with its trigger, targets,
 * guard and action names, entry/exit and invoke names, and the implementation names — so two machines can
 * be compared line by line. Computed from the resolved state nodes, so `'b'` and `{ target: 'b' }` agree.
 */
export function chartSignature(machine: AnyStateMachine): string[] {
  const lines = [machine.root, ...allStateNodes(machine)].flatMap(nodeSignature);
  for (const kind of ['actions', 'guards', 'delays', 'actors'] as const) {
    lines.push(`implementations ${kind}: ${Object.keys(implementationsOf(machine, kind)).sort().join(', ')}`);
  }
  return lines;
}

function nodeSignature(node: AnyStateNode): string[] {
  const id = `#${node.id}`;
  const config = node.config as { entry?: unknown; exit?: unknown };
  const lines = [
    `${id} type=${node.type}${node.history ? ` history=${node.history}` : ''}` +
      (node.initial?.target.length ? ` initial=${node.initial.target.map((target) => `#${target.id}`).join(',')}` : ''),
    // From the config: XState appends its own raise/cancel actions to entry/exit for `after` timers.
    `${id} entry: ${toArray(config.entry).map(referenceName).join(', ')}`,
    `${id} exit: ${toArray(config.exit).map(referenceName).join(', ')}`,
  ];
  if (node.tags.length > 0) lines.push(`${id} tags: ${node.tags.join(', ')}`);
  for (const invoke of node.invoke) lines.push(`${id} invoke ${invoke.id}: src=${invoke.src}`);
  for (const transition of ownTransitions(node)) {
    const delay = delayOf(transition);
    lines.push(
      `${id} on "${transition.eventType}"${delay === undefined ? '' : ` delay=${delay}`}` +
        ` -> ${transition.target?.map((target) => `#${target.id}`).join(',') ?? '(none)'}` +
        `${transition.reenter ? ' reenter' : ''}` +
        ` guard=${transition.guard === undefined ? '-' : referenceName(transition.guard)}` +
        ` actions=[${transition.actions.map(referenceName).join(', ')}]`,
    );
  }
  return lines;
}
