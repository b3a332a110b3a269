import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import fc from 'fast-check';
import { faultScheduleArb } from '../../faults/arbitrary.ts';
import { decodeSchedule, validateSchedule, type FaultSchedule } from '../../faults/schedule.ts';
import { gossipFaultSpace, gossipReplayCommand, runGossip, type GossipScenario } from '../../scenarios/gossip.ts';
import { UsageError } from '../usage-error.ts';
import { parseInteger } from '../flags.ts';

/** `kubesim sim gossip`: the runtime's reference scenario, with a trace and a replay command. */
export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('Run a reference scenario of the runtime in virtual time');
  sim
    .command('gossip')
    .description('Gossiping peers with timers and a disk, under an optional fault schedule')
    .option('--seed <n>', 'seed of the run', '1')
    .option('--peers <n>', 'number of peers', '4')
    .option('--duration <ms>', 'virtual milliseconds to run', '5000')
    .option('--faults <base64url>', 'fault schedule, as printed in a replay command')
    .option('--faults-file <path>', 'fault schedule as a JSON file')
    .option('--generate-faults', 'generate a fault schedule from the seed')
    .option('--trace <file>', 'write the JSONL trace to this file')
    .action((opts: Record<string, string | boolean | undefined>) => {
      const scenario: GossipScenario = {
        seed: parseInteger('--seed', opts.seed as string, 0),
        peers: parseInteger('--peers', opts.peers as string, 1, 1000),
        durationMs: parseInteger('--duration', opts.duration as string, 0),
        schedule: [],
      };
      scenario.schedule = readSchedule(opts, scenario);
      const outcome = runGossip(scenario);
      if (typeof opts.trace === 'string') writeFileSync(opts.trace, outcome.trace);
      const stats = outcome.sim.bus.stats;
      process.stdout.write(
        `gossip: ${scenario.peers} peers, ${scenario.durationMs} ms virtual, ${scenario.schedule.length} faults\n` +
          `messages: ${stats.sent} sent, ${stats.delivered} delivered, ${stats.dropped} dropped\n` +
          `counters: ${Object.entries(outcome.counters).map(([peer, value]) => `${peer}=${value ?? 'down'}`).join(' ')}\n` +
          `trace: ${outcome.trace.split('\n').length - 1} lines${typeof opts.trace === 'string' ? ` → ${opts.trace}` : ''}\n` +
          `replay: ${gossipReplayCommand(scenario)}\n`,
      );
    });
}

function readSchedule(opts: Record<string, string | boolean | undefined>, scenario: GossipScenario): FaultSchedule {
  try {
    if (typeof opts.faults === 'string') return decodeSchedule(opts.faults);
    if (typeof opts.faultsFile === 'string') return validateSchedule(JSON.parse(readFileSync(opts.faultsFile, 'utf8')));
  } catch (error) {
    throw new UsageError(`bad fault schedule: ${(error as Error).message}`);
  }
  if (opts.generateFaults) {
    const arb = faultScheduleArb(gossipFaultSpace(scenario.peers, scenario.durationMs));
    return fc.sample(arb, { seed: Number(scenario.seed), numRuns: 1 })[0];
  }
  return [];
}
