import { toDirectedGraph, type DirectedGraphNode } from '@xstate/graph';
import type { AnyStateMachine } from 'xstate';
import { allStateNodes, eventLabel, guardLabel, type AnyStateNode, type AnyTransition } from './chart-walk.ts';

/**
 * A machine as a Mermaid `stateDiagram-v2`: compound states as `state X { … }`, parallel regions separated
 * by `--`, `[*]` for initial and final states, and transitions labelled `event [guard]`, `after(delay)` or
 * `always`. Mermaid draws a transition only inside the block that holds both of its ends, so every
 * transition is written in the innermost state containing its source and target.
 */
export function toMermaid(machine: AnyStateMachine): string {
  return new MermaidWriter(machine).write();
}

interface Edge {
  source: AnyStateNode;
  target: AnyStateNode;
  transition: AnyTransition;
}

// Words Mermaid's state grammar reserves; a state with such a key gets a path-based id instead.
const RESERVED = new Set(['state', 'note', 'end', 'direction', 'class', 'classDef', 'style', 'click', 'as', 'hide']);

class MermaidWriter {
  private readonly ids = new Map<AnyStateNode, string>();
  /** Edges grouped by the state whose block they are written in; `null` is the top level. */
  private readonly edgesByBlock = new Map<AnyStateNode | null, Edge[]>();
  private readonly lines: string[] = [];
  private readonly root: AnyStateNode;
  /** The root is drawn as a state itself only when it must be: it is parallel or has its own transitions. */
  private readonly wrapRoot: boolean;

  constructor(private readonly machine: AnyStateMachine) {
    this.root = machine.root;
    this.assignIds();
    this.collectEdges(toDirectedGraph(machine));
    this.wrapRoot = this.root.type === 'parallel' || this.edgesByBlock.has(null);
  }

  write(): string {
    this.lines.push('stateDiagram-v2');
    if (this.wrapRoot) {
      this.line(1, `[*] --> ${this.id(this.root)}`);
      this.state(this.root, 1);
      this.edges(null, 1);
    } else {
      this.body(this.root, 1);
    }
    return `${this.lines.join('\n')}\n`;
  }

  private state(node: AnyStateNode, indent: number): void {
    if (Object.keys(node.states).length > 0) {
      this.line(indent, `state ${this.id(node)} {`);
      this.body(node, indent + 1);
      this.line(indent, '}');
      return;
    }
    const history = node.type === 'history' ? (node.history === 'deep' ? ' (H*)' : ' (H)') : '';
    const id = this.id(node);
    this.line(indent, id === node.key && !history ? id : `state "${node.key}${history}" as ${id}`);
  }

  /** The inside of a compound or parallel state: initial marker, children, transitions, final markers. */
  private body(node: AnyStateNode, indent: number): void {
    const children = Object.values(node.states);
    if (node.type === 'parallel') {
      // Lines after a `--` belong to that region, so each transition goes with its source's region.
      const edges = this.edgesByBlock.get(node) ?? [];
      children.forEach((region, index) => {
        if (index > 0) this.line(indent, '--');
        this.state(region, indent);
        this.writeEdges(edges.filter((edge) => regionOf(edge.source, node) === region), indent);
      });
      return;
    }
    for (const initial of node.initial?.target ?? []) this.line(indent, `[*] --> ${this.id(initial)}`);
    for (const child of children) this.state(child, indent);
    this.edges(node, indent);
    for (const child of children) if (child.type === 'final') this.line(indent, `${this.id(child)} --> [*]`);
  }

  private edges(block: AnyStateNode | null, indent: number): void {
    this.writeEdges(this.edgesByBlock.get(block) ?? [], indent);
  }

  private writeEdges(edges: readonly Edge[], indent: number): void {
    for (const { source, target, transition } of edges) {
      const guard = transition.guard === undefined ? '' : ` [${guardLabel(transition.guard)}]`;
      this.line(indent, `${this.id(source)} --> ${this.id(target)} : ${eventLabel(transition)}${guard}`);
    }
  }

  private collectEdges(graphNode: DirectedGraphNode): void {
    const source = graphNode.stateNode as AnyStateNode;
    const edges: Edge[] = graphNode.edges.map((edge) => ({
      source,
      target: edge.target as AnyStateNode,
      transition: edge.transition,
    }));
    // toDirectedGraph leaves out eventless (`always`) transitions.
    for (const transition of source.always ?? []) {
      for (const target of transition.target ?? [source]) edges.push({ source, target, transition });
    }
    for (const edge of edges) {
      const block = this.blockOf(edge);
      const list = this.edgesByBlock.get(block) ?? [];
      list.push(edge);
      this.edgesByBlock.set(block, list);
    }
    for (const child of graphNode.children) this.collectEdges(child);
  }

  /** The innermost state strictly containing both ends (null above the root). */
  private blockOf({ source, target }: Edge): AnyStateNode | null {
    const sourceAncestors = ancestors(source);
    const targetAncestors = new Set(ancestors(target));
    return sourceAncestors.find((node) => targetAncestors.has(node)) ?? null;
  }

  private assignIds(): void {
    const nodes = allStateNodes(this.machine);
    const keyCount = new Map<string, number>();
    for (const node of nodes) keyCount.set(node.key, (keyCount.get(node.key) ?? 0) + 1);
    const taken = new Set<string>();
    const claim = (node: AnyStateNode, preferred: string): void => {
      let id = preferred;
      for (let n = 2; taken.has(id); n++) id = `${preferred}_${n}`;
      taken.add(id);
      this.ids.set(node, id);
    };
    claim(this.root, toMermaidId(this.machine.id));
    for (const node of nodes) {
      const usable = /^[A-Za-z][A-Za-z0-9_]*$/.test(node.key) && !RESERVED.has(node.key);
      claim(node, usable && keyCount.get(node.key) === 1 ? node.key : toMermaidId(node.path.join('_')));
    }
  }

  private id(node: AnyStateNode): string {
    return this.ids.get(node)!;
  }

  private line(indent: number, text: string): void {
    this.lines.push(`${'  '.repeat(indent)}${text}`);
  }
}

/** The child of `parallel` that is `node` or contains it. */
function regionOf(node: AnyStateNode, parallel: AnyStateNode): AnyStateNode | undefined {
  let current: AnyStateNode | undefined = node;
  while (current && current.parent !== parallel) current = current.parent;
  return current;
}

/** Proper ancestors, innermost first. */
function ancestors(node: AnyStateNode): AnyStateNode[] {
  const list: AnyStateNode[] = [];
  for (let parent = node.parent; parent; parent = parent.parent) list.push(parent);
  return list;
}

function toMermaidId(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z]/.test(id) && !RESERVED.has(id) ? id : `s_${id}`;
}
