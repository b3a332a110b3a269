import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { ScenarioError, loadScenario } from '../../scenario/parse.ts';
import { parseDuration } from '../../scenario/duration.ts';
import { runScenario } from '../../scenario/runner.ts';
import { InputError } from '../../cluster/input-check.ts';
import { startLiveInspection, untilInterrupted, type LiveInspection } from '../../review/inspection/live-inspection.ts';
import { parseInteger } from '../flags.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `kubesim run <scenario.yaml>`: runs a scenario file in virtual time, printing the event stream as
 * `kubectl get events --watch` does and each step as the kubectl command it stands for. Exit status 1
 * when an expectation (or a wait, or a kubectl step) fails, 2 on a bad file or flag.
 */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run a scenario file (cluster spec + steps) in virtual time and print its events')
    .argument('<scenario>', 'the scenario YAML file (see docs/scenarios.md and examples/)')
    .option('--seed <n>', 'seed of the run (default: the file\'s seed, else 1)')
    .option('--trace <file>', 'write the JSONL trace of the run to this file')
    .option('--until <duration>', 'end the run at this virtual time (e.g. 90s, 5m): later steps are skipped, or the run goes on to it')
    .option('--no-events', 'do not print the event stream (step lines only)')
    .option('--inspect [port]', 'serve the run to the Stately inspector on 127.0.0.1 (default port 8080), until Ctrl-C')
    .option('--inspect-filter <list>', 'with --inspect: only these components (comma list, globs: node-2/*,scheduler-0)')
    .action(async (file: string, opts: { seed?: string; trace?: string; until?: string; events: boolean; inspect?: string | true; inspectFilter?: string }) => {
      let scenario;
      try {
        scenario = loadScenario(file);
      } catch (error) {
        if (error instanceof ScenarioError) throw new UsageError(error.message);
        throw error;
      }
      const seed = opts.seed === undefined ? undefined : parseInteger('--seed', opts.seed, 0);
      let untilMs: number | undefined;
      if (opts.until !== undefined) {
        try {
          untilMs = parseDuration(opts.until, '--until');
        } catch (error) {
          if (error instanceof InputError) throw new UsageError(error.message);
          throw error;
        }
      }
      let traceFd: number | undefined;
      if (opts.trace !== undefined) {
        try {
          traceFd = openSync(opts.trace, 'w');
        } catch (error) {
          throw new UsageError(`cannot write the trace to ${opts.trace}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
      }
      const live = opts.inspect === undefined ? undefined : await startInspection(opts.inspect, opts.inspectFilter);
      try {
        const outcome = runScenario(scenario, {
          ...(live ? { inspect: live.inspect } : {}),
          ...(seed !== undefined ? { seed } : {}),
          ...(untilMs !== undefined ? { untilMs } : {}),
          write: (line) => process.stdout.write(`${line}\n`),
          ...(traceFd !== undefined ? { trace: (line: string) => writeSync(traceFd!, `${line}\n`) } : {}),
          events: opts.events,
        });
        if (outcome.failures.length > 0) {
          process.stdout.write(`\n${outcome.failures.length} failure(s):\n${outcome.failures.map((f) => `  ${f.step}: ${f.message}`).join('\n')}\n`);
          process.exitCode = 1;
        }
      } finally {
        if (traceFd !== undefined) closeSync(traceFd);
      }
      if (live) {
        const complete = await live.drain();
        process.stdout.write(`inspect: ${complete ? 'all' : 'not all'} events reached the inspector; serving ${live.pageUrl} until Ctrl-C\n`);
        await untilInterrupted();
        await live.close();
      }
    });
}

/** The run is over in virtual time long before a browser connects: the bridge keeps and replays it. */
async function startInspection(inspect: string | true, filter: string | undefined): Promise<LiveInspection> {
  const port = inspect === true ? 8080 : parseInteger('--inspect', inspect, 0, 65_535);
  const live = await startLiveInspection({ port, ...(filter !== undefined ? { filter } : {}) });
  process.stdout.write(`inspect: open ${live.pageUrl} (the run is replayed to every browser that connects)\n`);
  return live;
}
