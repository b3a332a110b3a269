import type { Command } from 'commander';
import { decodeScenario, encodeScenario, runCampaign, scenarioForSeed } from '../../campaign/runner.ts';
import { campaignProfiles, findProfile } from '../../campaign/profiles.ts';
import type { CampaignProfile, RunReport } from '../../campaign/types.ts';
import { parseInteger } from '../flags.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `kubesim check --profile <p> --seeds <n>`: a fault campaign. Exit status 0 only when no violation was
 * found. A failure prints the seed, the shrunk scenario and a one-line replay command.
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
    .option('--plant <bug>', 'run with a deliberately planted bug')
    .option('--list-plants', 'list the planted bugs of the profile')
    .option('--shrink-budget <n>', 'simulations the shrinker may run after a failure', '60')
    .action((opts: Record<string, string | boolean | undefined>) => {
      const profile = resolveProfile(opts.profile as string | undefined);
      if (opts.listPlants) return listPlants(profile);
      const plant = opts.plant as string | undefined;
      if (plant !== undefined && !profile.plants.some((p) => p.name === plant)) {
        throw new UsageError(`unknown plant "${plant}" for profile ${profile.name}; see --list-plants`);
      }
      if (typeof opts.replay === 'string' || typeof opts.seed === 'string') {
        const scenario = typeof opts.replay === 'string'
          ? decodeOrUsage(profile, opts.replay)
          : scenarioForSeed(profile, parseInteger('--seed', opts.seed as string, 0));
        const report = profile.run(scenario, { plant });
        printReport(profile, report);
        process.exitCode = report.violations.length === 0 ? 0 : 1;
        return;
      }
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
      const plantFlag = plant ? ` --plant ${plant}` : '';
      process.stdout.write(`\nreplay (original): kubesim check --profile ${profile.name} --seed ${f.seed}${plantFlag}\n`);
      process.stdout.write(`replay (shrunk):   kubesim check --profile ${profile.name} --replay ${encodeScenario(f.shrunk)}${plantFlag}\n`);
      process.exitCode = 1;
    });
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
