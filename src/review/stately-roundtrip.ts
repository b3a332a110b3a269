import ts from 'typescript';
import { createMachine, type AnyStateMachine } from 'xstate';
import { chartSignature } from './chart-signature.ts';
import { toStatelySource } from './stately-export.ts';

export interface StatelyRoundTrip {
  ok: boolean;
  /** Why Stately would not give the same chart back: inline functions, or differences after re-import. */
  failures: string[];
  /** Implementation details the export leaves out on purpose (not failures). */
  dropped: string[];
  source: string;
}

/**
 * Exports the machine, evaluates the generated source with XState's real `createMachine`, and compares
 * the two charts. An inline guard/action/actor is a failure even when the charts agree: Stately would
 * keep only a placeholder name, so editing the chart there would lose the behaviour.
 */
export function checkStatelyRoundTrip(machine: AnyStateMachine, options: { origin?: string } = {}): StatelyRoundTrip {
  const exported = toStatelySource(machine, options);
  const failures = [...exported.inlineFunctions];
  let reimported: AnyStateMachine | undefined;
  try {
    reimported = evaluateStatelySource(exported.source);
  } catch (error) {
    failures.push(`generated source does not evaluate: ${(error as Error).message}`);
  }
  if (reimported) failures.push(...compareLines(chartSignature(machine), chartSignature(reimported)));
  return { ok: failures.length === 0, failures, dropped: exported.dropped, source: exported.source };
}

/** Transpiles the generated TypeScript as a CommonJS module whose only import, xstate, is the real one. */
export function evaluateStatelySource(source: string): AnyStateMachine {
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    reportDiagnostics: true,
  });
  if (diagnostics && diagnostics.length > 0) {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n'));
  }
  const exports: { machine?: AnyStateMachine } = {};
  const require = (id: string): unknown => {
    if (id === 'xstate') return { createMachine };
    throw new Error(`generated source imports ${id}; only xstate is allowed`);
  };
  new Function('require', 'exports', outputText)(require, exports);
  if (!exports.machine) throw new Error('generated source exports no `machine`');
  return exports.machine;
}

function compareLines(original: string[], reimported: string[]): string[] {
  const missing = original.filter((line) => !reimported.includes(line)).map((line) => `lost in export: ${line}`);
  const extra = reimported.filter((line) => !original.includes(line)).map((line) => `added by export: ${line}`);
  if (missing.length + extra.length === 0 && original.join('\n') !== reimported.join('\n')) {
    return ['transition or state order changed in export (order decides which guarded transition wins)'];
  }
  return [...missing, ...extra];
}
