import type { AnyStateMachine } from 'xstate';
import { implementationsOf, referenceName, statePath, type AnyStateNode, type ImplementationKind } from './chart-walk.ts';
import { isIdentifier, isPlainData, RawCode, toJsLiteral } from './js-literal.ts';

/**
 * Writes a machine as the TypeScript Stately Studio's "Import from code" accepts unchanged:
 * `createMachine(config, { actions, guards, delays, actors })`. The config is serialized from
 * `machine.config` (not `toJSON()`, which resolves names away); every reference stays a string or
 * `{ type }`, and implementations become named empty stubs so the names survive the trip.
 */
export interface StatelyExport {
  source: string;
  /** Guards, actions or actors written inline as functions: Stately cannot keep them. */
  inlineFunctions: string[];
  /** Implementation details that are not chart and are left out (context factory, input mappers…). */
  dropped: string[];
}

type Literal = Record<string, unknown>;

export function toStatelySource(machine: AnyStateMachine, options: { origin?: string } = {}): StatelyExport {
  const writer = new ConfigWriter();
  const config = writer.state(machine.config as Literal, machine.root);
  const implementations = implementationStubs(machine);
  const header = [
    `// Generated for Stately Studio ("Import from code")${options.origin ? ` from ${options.origin}` : ''}.`,
    '// Regenerate with `npm run kubesim -- export stately`. Implementations are named stubs: only names matter here.',
    ...(writer.dropped.length > 0 ? [`// Left out (implementation, not chart): ${writer.dropped.join('; ')}.`] : []),
  ];
  const source =
    `${header.join('\n')}\n` +
    'import { createMachine } from "xstate";\n\n' +
    'export const machine = createMachine(\n' +
    `  ${toJsLiteral(config, 1)},\n` +
    `  ${toJsLiteral(implementations, 1)},\n` +
    ');\n';
  return { source, inlineFunctions: writer.inlineFunctions, dropped: writer.dropped };
}

function implementationStubs(machine: AnyStateMachine): Literal {
  const stubs = (kind: ImplementationKind, stub: (name: string, value: unknown) => unknown): Literal =>
    Object.fromEntries(Object.entries(implementationsOf(machine, kind)).map(([name, value]) => [name, stub(name, value)]));
  const namedFunction = (name: string): RawCode =>
    new RawCode(isIdentifier(name) ? `function ${name}() {}` : 'function () {}');
  return {
    actions: stubs('actions', namedFunction),
    guards: stubs('guards', namedFunction),
    // A fixed delay is chart information (Stately shows it), so it is kept; a computed one becomes a stub.
    delays: stubs('delays', (name, value) => (typeof value === 'number' ? value : namedFunction(name))),
    actors: stubs('actors', (name) => new RawCode(`createMachine({ id: ${JSON.stringify(name)} })`)),
  };
}

const TYPE_ONLY_KEYS = new Set(['types', 'schemas']);

class ConfigWriter {
  readonly inlineFunctions: string[] = [];
  readonly dropped: string[] = [];

  state(config: Literal, node: AnyStateNode): Literal {
    const where = statePath(node);
    const out: Literal = {};
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined || TYPE_ONLY_KEYS.has(key)) continue;
      switch (key) {
        case 'states':
          out.states = Object.fromEntries(
            Object.entries(value as Record<string, Literal>).map(([child, childConfig]) => [
              child,
              this.state(childConfig, node.states[child]),
            ]),
          );
          break;
        case 'entry':
        case 'exit':
          out[key] = this.actions(value, `${where} ${key}`);
          break;
        case 'on':
        case 'after':
          out[key] = Object.fromEntries(
            Object.entries(value as Literal).map(([trigger, transitions]) => [
              trigger,
              this.transitions(transitions, `${where} ${key}.${trigger}`),
            ]),
          );
          break;
        case 'always':
        case 'onDone':
          out[key] = this.transitions(value, `${where} ${key}`);
          break;
        case 'initial':
          out.initial = typeof value === 'string' ? value : this.transition(value as Literal, `${where} initial`);
          break;
        case 'invoke':
          out.invoke = Array.isArray(value)
            ? value.map((invoke, index) => this.invoke(invoke as Literal, node, index))
            : this.invoke(value as Literal, node, 0);
          break;
        default:
          out[key] = this.data(value, `${where} ${key}`);
      }
    }
    return out;
  }

  private transitions(value: unknown, where: string): unknown {
    if (typeof value === 'string' || value === null) return value;
    if (Array.isArray(value)) {
      return value.map((item, index) =>
        typeof item === 'string' ? item : this.transition(item as Literal, `${where}[${index}]`),
      );
    }
    return this.transition(value as Literal, where);
  }

  private transition(config: Literal, where: string): Literal {
    const out: Literal = {};
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined) continue;
      if (key === 'actions') out.actions = this.actions(value, where);
      else if (key === 'guard') out.guard = this.reference(value, 'guard', where);
      else out[key] = this.data(value, `${where} ${key}`);
    }
    return out;
  }

  private actions(value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((action) => this.reference(action, 'action', where));
    return this.reference(value, 'action', where);
  }

  /** A guard or action reference, kept as written when it is a name (string or `{ type, params }`). */
  private reference(value: unknown, kind: 'guard' | 'action', where: string): unknown {
    if (typeof value === 'string') return value;
    const name = referenceName(value);
    if (typeof value === 'function') {
      this.inlineFunctions.push(
        `${where}: inline ${kind} (${name.slice('inline:'.length)}) would reach Stately as a bare placeholder; ` +
          `name it in setup({ ${kind}s })`,
      );
      return name;
    }
    const { type, params } = value as { type: string; params?: unknown };
    if (params === undefined) return { type };
    if (isPlainData(params)) return { type, params };
    this.dropped.push(`computed params of ${kind} ${type} in ${where}`);
    return { type };
  }

  private invoke(config: Literal, node: AnyStateNode, index: number): Literal {
    const where = `${statePath(node)} invoke[${index}]`;
    const out: Literal = {};
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined) continue;
      if (key === 'src') {
        if (typeof value !== 'string') {
          this.inlineFunctions.push(`${where}: inline actor logic has no name; name it in setup({ actors })`);
        }
        // XState's own name for the source (`xstate.invoke.…` when inline), so both sides compare equal.
        out.src = node.invoke[index].src;
      } else if (key === 'onDone' || key === 'onError' || key === 'onSnapshot') {
        out[key] = this.transitions(value, `${where} ${key}`);
      } else {
        out[key] = this.data(value, `${where} ${key}`);
      }
    }
    return out;
  }

  /** Plain data is kept; anything else (a context factory, an input mapper) is left out and reported. */
  private data(value: unknown, where: string): unknown {
    if (isPlainData(value)) return value;
    this.dropped.push(`${where} (${typeof value === 'function' ? 'a function' : 'not plain data'})`);
    return undefined;
  }
}
