import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { toReviewModule, type ReviewModule } from './review-module.ts';

/** The repository root (this file is src/review/machine-registry.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RegisteredMachine {
  /** The folder under machines/, e.g. `gossip`. */
  component: string;
  /** The file's base name without `.machine.ts`, e.g. `gossip`. */
  name: string;
  /** The export holding the machine, e.g. `gossipMachine`. */
  exportName: string;
  /** Repo-relative path of the machine file, with forward slashes. */
  file: string;
  machine: AnyStateMachine;
  review: ReviewModule;
  /** Repo-relative path of the sibling `.review.ts`, when there is one. */
  reviewFile?: string;
}

export interface MachineRegistry {
  machines: RegisteredMachine[];
  /** Machine or review files that failed to import; the others are still listed. */
  loadErrors: Array<{ file: string; message: string }>;
}

/** An XState machine, recognised by shape so that a second copy of xstate would still be found. */
export function isStateMachine(value: unknown): value is AnyStateMachine {
  const candidate = value as { config?: unknown; root?: unknown; transition?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.config === 'object' &&
    typeof candidate.root === 'object' &&
    typeof candidate.transition === 'function'
  );
}

/** Scans `machines/*\/*.machine.ts` and imports every exported machine with its optional review module. */
export async function loadMachineRegistry(root: string = REPO_ROOT): Promise<MachineRegistry> {
  const registry: MachineRegistry = { machines: [], loadErrors: [] };
  for (const file of findMachineFiles(join(root, 'machines'))) {
    const relativeFile = relative(root, file).split('\\').join('/');
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      registry.loadErrors.push({ file: relativeFile, message: (error as Error).message });
      continue;
    }
    const review = await loadReview(file, root, registry);
    const component = relativeFile.split('/')[1];
    const name = basename(file, '.machine.ts');
    for (const [exportName, value] of Object.entries(exports).sort(([a], [b]) => a.localeCompare(b))) {
      if (!isStateMachine(value)) continue;
      registry.machines.push({ component, name, exportName, file: relativeFile, machine: value, ...review });
    }
  }
  return registry;
}

function findMachineFiles(machinesDir: string): string[] {
  if (!existsSync(machinesDir)) return [];
  const files: string[] = [];
  for (const component of readdirSync(machinesDir).sort()) {
    const dir = join(machinesDir, component);
    if (!statSync(dir).isDirectory()) continue;
    for (const entry of readdirSync(dir).sort()) {
      if (entry.endsWith('.machine.ts')) files.push(join(dir, entry));
    }
  }
  return files;
}

async function loadReview(
  machineFile: string,
  root: string,
  registry: MachineRegistry,
): Promise<{ review: ReviewModule; reviewFile?: string }> {
  const reviewPath = machineFile.replace(/\.machine\.ts$/, '.review.ts');
  if (!existsSync(reviewPath)) return { review: {} };
  const reviewFile = relative(root, reviewPath).split('\\').join('/');
  try {
    const exports = (await import(pathToFileURL(reviewPath).href)) as Record<string, unknown>;
    return { review: toReviewModule(exports), reviewFile };
  } catch (error) {
    // A broken review module must not hide the machine: it is reviewed with the defaults instead.
    registry.loadErrors.push({ file: reviewFile, message: (error as Error).message });
    return { review: {} };
  }
}

export class UnknownComponentError extends Error {
  constructor(unknown: string[], known: string[]) {
    super(
      `unknown component${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ` +
        `known: ${known.length > 0 ? known.join(', ') : '(none)'}`,
    );
    this.name = 'UnknownComponentError';
  }
}

/** The machines of the named components (all when none is named); unknown names are an error. */
export function selectMachines(registry: MachineRegistry, components: readonly string[]): RegisteredMachine[] {
  if (components.length === 0) return registry.machines;
  const known = [...new Set(registry.machines.map((entry) => entry.component))];
  const unknown = components.filter((component) => !known.includes(component));
  if (unknown.length > 0) throw new UnknownComponentError(unknown, known);
  return registry.machines.filter((entry) => components.includes(entry.component));
}
