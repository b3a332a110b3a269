import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { writeCounterexample } from '../../campaign/counterexample/write.ts';
import type { ReplayCommand } from '../../campaign/counterexample/readme.ts';
import { decodeScenario, encodeScenario, runCampaign, scenarioForSeed } from '../../campaign/runner.ts';
import { campaignProfiles, findProfile } from '../../campaign/profiles.ts';
import { TRACE_ARTEFACT, type CampaignProfile, type RunReport } from '../../campaign/types.ts';
import { startLiveInspection, untilInterrupted, type LiveInspection } from '../../review/inspection/live-inspection.ts';
import { fnv1a } from '../../trace/digest.ts';
import { parseInteger } from '../flags.ts';
import { UsageError } from '../usage-error.ts';

type CheckFlags = Record<string, string | boolean | undefined>;

/** Replay tokens longer than this are left out of README replay commands (the scenario file replays too). */
const MAX_TOKEN_IN_README = 2_000;

/**
 * `kubesim check --profile <p> --seeds <n>`: a fault campaign. Exit status 0 only when no violation was
 * found. A failure prints the seed, the shrunk scenario and replay commands, and writes a counterexample
 * folder (README, scenario, schedule, trace, sequence diagram; see src/campaign/counterexample/).
 * With `--seed`, `--replay` or `--scenario-file` it runs that one scenario instead, optionally traced
 * (`--trace`), inspected live (`--inspect`) or reported (`--report-dir`).
 */
export function registerCheckCommands(program: Command): void {
  program
    .command('check')
    .description('Run a fault campaign: generated workloads × faults, every run checked')
    .option('--profile <name>', `campaign profile (${campaignProfiles().map((p) => p.name).join(', ')})`)
    .option('--seeds <n>', 'number of seeds to run', '20')
    .option('--base-seed <n>', 'first seed', '1')
    .option('--seed <n>', 'replay the scenario one seed generates')
    .option('--replay <token>', 'replay a scenario printed by a failure report (e.g. a shrunk one)')
    .option('--scenario-file <path>', "replay a scenario from a JSON file (a counterexample folder's scenario.json)")
    .option('--plant <bug>', 'run with a deliberately planted bug')
    .option('--list-plants', 'list the planted bugs of the profile')
    .option('--shrink-budget <n>', 'simulations the shrinker may run after a failure', '60')
    .option('--report-dir <dir>', 'where to write the counterexample folder (campaign default: out/counterexamples/<profile>-seed-<n>)')
    .option('--trace <file>', 'single run: write its JSONL trace (with payloads) to this file')
    .option('--inspect [port]', 'single run: serve it to the Stately inspector on 127.0.0.1 (default port 8080)')
    .option('--inspect-filter <list>', 'with --inspect: only these components (comma list, globs: etcd-2,client-*)')
    .action(async (opts: CheckFlags) => {
      const profile = resolveProfile(opts.profile as string | undefined);
      if (opts.listPlants) return listPlants(profile);
      const plant = opts.plant as string | undefined;
      if (plant !== undefined && !profile.plants.some((p) => p.name === plant)) {
        throw new UsageError(`unknown plant "${plant}" for profile ${profile.name}; see --list-plants`);
      }
      const single = singleScenario(profile, opts);
      if (single) return runSingle(profile, single, plant, opts);
      if (opts.trace !== undefined || opts.inspect !== undefined) {
        throw new UsageError('--trace and --inspect need one scenario: add --seed, --replay or --scenario-file');
      }
      runSeeds(profile, plant, opts);
    });
}

interface SingleScenario {
  scenario: unknown;
  /** What names it in the default report folder and the README. */
  label: string;
  seed?: number;
}

function singleScenario(profile: CampaignProfile<unknown>, opts: CheckFlags): SingleScenario | undefined {
  if (typeof opts.replay === 'string') return { scenario: decodeOrUsage(profile, opts.replay), label: `replay-${fnv1a(opts.replay)}` };
  if (typeof opts.scenarioFile === 'string') {
    const file = opts.scenarioFile;
    if (!existsSync(file)) throw new UsageError(`no scenario file ${file}`);
    const text = readFileSync(file, 'utf8');
    try {
      return { scenario: profile.parseScenario(JSON.parse(text)), label: `replay-${fnv1a(text)}` };
    } catch (error) {
      throw new UsageError(`bad --scenario-file ${file}: ${(error as Error).message}`);
    }
  }
  if (typeof opts.seed === 'string') {
    const seed = parseInteger('--seed', opts.seed, 0);
    return { scenario: scenarioForSeed(profile, seed), label: `seed-${seed}`, seed };
  }
  return undefined;
}

async function runSingle(profile: CampaignProfile<unknown>, single: SingleScenario, plant: string | undefined, opts: CheckFlags): Promise<void> {
  const live = opts.inspect === undefined ? undefined : await startInspection(opts);
  let report: RunReport;
  try {
    report = profile.run(single.scenario, { plant, trace: typeof opts.trace === 'string', ...(live ? { inspect: live.inspect } : {}) });
  } catch (error) {
    await live?.close();
    throw error;
  }
  printReport(profile, report);
  if (typeof opts.trace === 'string') {
    writeFile(opts.trace, report.artefacts?.[TRACE_ARTEFACT] ?? '');
    process.stdout.write(`trace: ${opts.trace}\n`);
  }
  const failed = report.violations.length > 0;
  // Single runs write a folder only when asked: replaying a counterexample must not litter new ones.
  if (failed && typeof opts.reportDir === 'string') {
    const replay = [{ label: 'replay this scenario', command: `kubesim check --profile ${profile.name} ${singleFlag(single, opts)}${plantFlag(plant)}` }];
    writeReport(profile, opts.reportDir, single.scenario, plant, replay, [`A single run of ${single.label}.`]);
  }
  process.exitCode = failed ? 1 : 0;
  if (live) await serveUntilInterrupted(live);
}

function runSeeds(profile: CampaignProfile<unknown>, plant: string | undefined, opts: CheckFlags): void {
  const seeds = parseInteger('--seeds', opts.seeds as string, 1);
  const baseSeed = parseInteger('--base-seed', opts.baseSeed as string, 0);
  const shrinkBudget = parseInteger('--shrink-budget', opts.shrinkBudget as string, 0);
  const started = performance.now();
  const result = runCampaign(profile, {
    seeds, baseSeed, plant, shrinkBudget,
    onRun: (seed, report) => {
      const verdict = report.violations.length === 0 ? 'ok' : `${report.violations.length} violation(s)`;
      process.stdout.write(`seed ${seed}: ${verdict} ${formatStats(report.stats)}\n`);
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (!result.failure) {
    process.stdout.write(`\n${profile.name}: ${result.runs} runs, 0 violations (${seconds} s)\n`);
    process.exitCode = 0;
    return;
  }
  const f = result.failure;
  process.stdout.write(`\nVIOLATION at seed ${f.seed} (run ${f.runsToCatch} of ${seeds}; shrunk in ${f.shrinkRuns} runs)\n`);
  process.stdout.write(`shrunk scenario:\n${indent(profile.summarize(f.shrunk))}\n`);
  printReport(profile, f.report);
  const dir = typeof opts.reportDir === 'string' ? opts.reportDir : join('out', 'counterexamples', `${profile.name}-seed-${f.seed}`);
  const token = encodeScenario(f.shrunk);
  const replay: ReplayCommand[] = [
    { label: 'replay (original)', command: `kubesim check --profile ${profile.name} --seed ${f.seed}${plantFlag(plant)}` },
    { label: 'replay (shrunk)', command: `kubesim check --profile ${profile.name} --scenario-file ${join(dir, 'scenario.json')}${plantFlag(plant)}` },
    ...(token.length <= MAX_TOKEN_IN_README
      ? [{ label: 'replay (shrunk, without the file)', command: `kubesim check --profile ${profile.name} --replay ${token}${plantFlag(plant)}` }]
      : []),
  ];
  writeReport(profile, dir, f.shrunk, plant, replay, [
    `Found by \`kubesim check --profile ${profile.name}\` at seed ${f.seed} (run ${f.runsToCatch} of ${seeds}), shrunk in ${f.shrinkRuns} runs.`,
  ]);
  process.stdout.write(`\nreplay (original): ${replay[0].command}\n`);
  process.stdout.write(`replay (shrunk):   kubesim check --profile ${profile.name} --replay ${token}${plantFlag(plant)}\n`);
  process.exitCode = 1;
}

function writeReport(
  profile: CampaignProfile<unknown>, dir: string, scenario: unknown, plant: string | undefined, replay: ReplayCommand[], foundBy: string[],
): void {
  const folder = writeCounterexample({ profile, dir, scenario, plant, replay, foundBy });
  process.stdout.write(`counterexample: ${join(folder.dir, 'README.md')}\n`);
}

async function startInspection(opts: CheckFlags): Promise<LiveInspection> {
  const port = opts.inspect === true ? 8080 : parseInteger('--inspect', String(opts.inspect), 0, 65_535);
  const live = await startLiveInspection({ port, filter: opts.inspectFilter as string | undefined });
  process.stdout.write(`inspect: open ${live.pageUrl} (the run is replayed to every browser that connects)\n`);
  return live;
}

async function serveUntilInterrupted(live: LiveInspection): Promise<void> {
  const complete = await live.drain();
  process.stdout.write(`inspect: ${complete ? 'all' : 'not all'} events reached the inspector; serving ${live.pageUrl} until Ctrl-C\n`);
  await untilInterrupted();
  await live.close();
}

function singleFlag(single: SingleScenario, opts: CheckFlags): string {
  if (typeof opts.replay === 'string') return `--replay ${opts.replay}`;
  if (typeof opts.scenarioFile === 'string') return `--scenario-file ${opts.scenarioFile}`;
  return `--seed ${single.seed}`;
}

function plantFlag(plant: string | undefined): string {
  return plant ? ` --plant ${plant}` : '';
}

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function resolveProfile(name: string | undefined): CampaignProfile<unknown> {
  const known = campaignProfiles().map((p) => p.name).join(', ');
  if (!name) throw new UsageError(`--profile is required (one of: ${known})`);
  const profile = findProfile(name);
  if (!profile) throw new UsageError(`unknown profile "${name}" (one of: ${known})`);
  return profile;
}

function decodeOrUsage(profile: CampaignProfile<unknown>, token: string): unknown {
  try {
    return decodeScenario(profile, token);
  } catch (error) {
    throw new UsageError(`bad --replay token: ${(error as Error).message}`);
  }
}

function listPlants(profile: CampaignProfile<unknown>): void {
  const width = Math.max(...profile.plants.map((p) => p.name.length));
  for (const p of profile.plants) {
    process.stdout.write(`${p.name.padEnd(width)}  [${p.component}; caught by ${p.caughtBy}] ${p.description}\n`);
  }
}

function printReport(profile: CampaignProfile<unknown>, report: RunReport): void {
  if (report.violations.length === 0) {
    process.stdout.write(`${profile.name}: no violations ${formatStats(report.stats)}\n`);
    return;
  }
  for (const v of report.violations.slice(0, 10)) {
    process.stdout.write(`- [${v.checker}] ${v.invariant}${v.at !== undefined ? ` at t=${v.at}ms` : ''}: ${v.message}\n`);
  }
  if (report.violations.length > 10) process.stdout.write(`  … and ${report.violations.length - 10} more\n`);
}

function formatStats(stats: Record<string, number>): string {
  const parts = Object.entries(stats).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(1)}`);
  return parts.length ? `(${parts.join(', ')})` : '';
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}
