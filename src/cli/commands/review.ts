import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { formatCoverageReport } from '../../review/coverage-report.ts';
import { generateMachineDocs, type MachineDocsResult } from '../../review/machine-docs.ts';
import {
  loadMachineRegistry,
  selectMachines,
  UnknownComponentError,
  type MachineRegistry,
  type RegisteredMachine,
} from '../../review/machine-registry.ts';
import { computeCoverage } from '../../review/model-paths.ts';
import { checkStatelyRoundTrip } from '../../review/stately-roundtrip.ts';
import { parsePatternList } from '../../trace/address-pattern.ts';
import { sequenceMarkdown } from '../../trace/mermaid-sequence.ts';
import { renderTrace, type TraceFormat } from '../../trace/render.ts';
import { TraceFormatError } from '../../trace/trace-file.ts';
import { parseInteger } from '../flags.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `kubesim export stately`, `kubesim docs machines`, `kubesim coverage`: reviewing the machines as charts;
 * `kubesim trace render`: reviewing a run as a sequence diagram or a Perfetto timeline.
 */
export function registerReviewCommands(program: Command): void {
  program
    .command('export')
    .description('Export the machines for other tools')
    .command('stately [component...]')
    .description('Write each machine as source for Stately Studio ("Import from code") and check the round trip')
    .option('--out <dir>', 'output directory', 'out/stately')
    .action(async (components: string[], opts: { out: string }) => {
      const { registry, machines } = await machinesOf(components);
      mkdirSync(opts.out, { recursive: true });
      for (const entry of machines) {
        const check = checkStatelyRoundTrip(entry.machine, { origin: `${entry.file} (${entry.exportName})` });
        const file = join(opts.out, `${fileStem(entry, registry)}.ts`);
        writeFileSync(file, check.source);
        process.stdout.write(`${file}: ${check.ok ? 'round-trip ok' : 'round-trip FAILED'}\n`);
        for (const failure of check.failures) process.stdout.write(`  ${failure}\n`);
        if (!check.ok) process.exitCode = 1;
      }
    });

  program
    .command('docs')
    .description('Generated documentation')
    .command('machines')
    .description('Write docs/machines/<component>.md (a Mermaid chart and tables per machine)')
    .option('--check', 'only report docs that differ from the machines (exit status 1 on drift)')
    .action(async (opts: { check?: boolean }) => {
      const check = opts.check === true;
      let result: MachineDocsResult;
      try {
        result = await generateMachineDocs({ check });
      } catch (error) {
        // A machine file that fails to import: one line, not a stack trace.
        process.stderr.write(`kubesim: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      if (check) {
        for (const file of result.outOfDate) process.stdout.write(`out of date: ${file}\n`);
        if (result.outOfDate.length > 0) {
          process.stdout.write('regenerate with: npm run kubesim -- docs machines\n');
          process.exitCode = 1;
        } else {
          process.stdout.write(`${result.files.length} machine docs up to date\n`);
        }
      } else {
        for (const file of result.files) process.stdout.write(`${result.outOfDate.includes(file) ? 'wrote' : 'unchanged'} ${file}\n`);
      }
    });

  program
    .command('coverage [component...]')
    .description('Explore each machine chart in isolation, replay every path on a virtual clock, report coverage')
    .action(async (components: string[]) => {
      const { machines } = await machinesOf(components);
      const coverages = machines.map((entry) => computeCoverage(entry));
      process.stdout.write(formatCoverageReport(coverages));
      // Partial coverage is information; a machine contradicting its chart or an invariant is a failure.
      if (coverages.some((coverage) => coverage.failures.length > 0)) process.exitCode = 1;
    });

  registerTraceCommands(program);
}

interface TraceRenderFlags {
  from?: string;
  to?: string;
  address?: string;
  type?: string;
  object?: string;
  format: string;
  out?: string;
  maxArrows: string;
  observations?: string;
  periodic?: string;
}

function registerTraceCommands(program: Command): void {
  program
    .command('trace')
    .description('Work with JSONL traces (written by --trace)')
    .command('render <trace>')
    .description('Render a trace, or part of it, as a Mermaid sequence diagram or a Perfetto (Chrome trace-event) timeline')
    .option('--from <ms>', 'start of the time window (virtual ms)')
    .option('--to <ms>', 'end of the time window (virtual ms)')
    .option('--address <list>', 'only messages from or to these addresses (comma list, globs: etcd-2,node-*)')
    .option('--type <list>', 'only messages of these types (comma list, globs: raft.append,etcd.*)')
    .option('--object <text>', 'only messages whose payload contains this text (traces recorded with payloads)')
    .option('--format <format>', 'mermaid or perfetto', 'mermaid')
    .option('--out <file>', 'write to a file (a .md file gets a fenced mermaid block) instead of stdout')
    .option('--max-arrows <n>', 'mermaid: elide the middle of longer diagrams', '150')
    .option('--observations <list>', 'mermaid: draw these observations as notes (globs: obs.raft.*)')
    .option('--periodic <regex>', 'mermaid: message types collapsed into one arrow with a count', 'heartbeat')
    .action((file: string, opts: TraceRenderFlags) => {
      if (opts.format !== 'mermaid' && opts.format !== 'perfetto') throw new UsageError(`--format must be mermaid or perfetto, got "${opts.format}"`);
      if (!existsSync(file)) throw new UsageError(`no trace file ${file}`);
      let periodic: RegExp;
      try {
        periodic = new RegExp(opts.periodic ?? 'heartbeat', 'i');
      } catch {
        throw new UsageError(`--periodic is not a regular expression: ${opts.periodic}`);
      }
      let output: string;
      try {
        output = renderTrace(readFileSync(file, 'utf8'), {
          format: opts.format as TraceFormat,
          from: optionalMs('--from', opts.from),
          to: optionalMs('--to', opts.to),
          addresses: opts.address ? parsePatternList(opts.address) : undefined,
          types: opts.type ? parsePatternList(opts.type) : undefined,
          object: opts.object,
          maxArrows: parseInteger('--max-arrows', opts.maxArrows, 1),
          observations: opts.observations ? parsePatternList(opts.observations) : undefined,
          periodic,
        });
      } catch (error) {
        if (error instanceof TraceFormatError) throw new UsageError(`${file}: ${error.message}`);
        throw error;
      }
      if (opts.out === undefined) {
        process.stdout.write(output);
        return;
      }
      mkdirSync(dirname(opts.out), { recursive: true });
      writeFileSync(opts.out, opts.format === 'mermaid' && opts.out.endsWith('.md') ? sequenceMarkdown(output) : output);
      process.stdout.write(`wrote ${opts.out}\n`);
    });
}

function optionalMs(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`${flag} must be a non-negative number of ms, got "${raw}"`);
  return value;
}

async function machinesOf(components: string[]): Promise<{ registry: MachineRegistry; machines: RegisteredMachine[] }> {
  const registry = await loadMachineRegistry();
  reportLoadErrors(registry);
  try {
    return { registry, machines: selectMachines(registry, components) };
  } catch (error) {
    if (error instanceof UnknownComponentError) throw new UsageError(error.message);
    throw error;
  }
}

function reportLoadErrors(registry: MachineRegistry): void {
  for (const { file, message } of registry.loadErrors) {
    process.stderr.write(`kubesim: skipped ${file}: ${message}\n`);
    process.exitCode = 1;
  }
}

/** `gossip`, or `gossip.gossipMachine` when one file exports several machines. */
function fileStem(entry: RegisteredMachine, registry: MachineRegistry): string {
  const shared = registry.machines.filter((other) => other.file === entry.file).length > 1;
  return shared ? `${entry.name}.${entry.exportName}` : entry.name;
}
