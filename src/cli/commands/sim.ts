import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import fc from 'fast-check';
import { faultScheduleArb } from '../../faults/arbitrary.ts';
import { decodeSchedule, validateSchedule, type FaultSchedule } from '../../faults/schedule.ts';
import { startLiveInspection, untilInterrupted } from '../../review/inspection/live-inspection.ts';
import { gossipFaultSpace, gossipReplayCommand, runGossip, type GossipOutcome, type GossipScenario } from '../../scenarios/gossip.ts';
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
    .option('--inspect [port]', 'serve the run to the Stately inspector on 127.0.0.1 (default port 8080)')
    .option('--inspect-filter <list>', 'with --inspect: only these peers (comma list, globs: peer-1,peer-*)')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const scenario: GossipScenario = {
        seed: parseInteger('--seed', opts.seed as string, 0),
        peers: parseInteger('--peers', opts.peers as string, 1, 1000),
        durationMs: parseInteger('--duration', opts.duration as string, 0),
        schedule: [],
      };
      scenario.schedule = readSchedule(opts, scenario);
      if (opts.inspect === undefined) {
        report(runGossip(scenario), scenario, opts);
        return;
      }
      const port = opts.inspect === true ? 8080 : parseInteger('--inspect', String(opts.inspect), 0, 65_535);
      const live = await startLiveInspection({ port, filter: opts.inspectFilter as string | undefined });
      process.stdout.write(`inspect: open ${live.pageUrl} (the run is replayed to every browser that connects)\n`);
      try {
        report(runGossip({ ...scenario, inspect: live.inspect }), scenario, opts);
        const complete = await live.drain();
        process.stdout.write(`inspect: ${complete ? 'all' : 'not all'} events reached the inspector; serving until Ctrl-C\n`);
        await untilInterrupted();
      } finally {
        await live.close();
      }
    });
}

function report(outcome: GossipOutcome, scenario: GossipScenario, opts: Record<string, string | boolean | undefined>): void {
  if (typeof opts.trace === 'string') writeFileSync(opts.trace, outcome.trace);
  const stats = outcome.sim.bus.stats;
  process.stdout.write(
    `gossip: ${scenario.peers} peers, ${scenario.durationMs} ms virtual, ${scenario.schedule.length} faults\n` +
      `messages: ${stats.sent} sent, ${stats.delivered} delivered, ${stats.dropped} dropped\n` +
      `counters: ${Object.entries(outcome.counters).map(([peer, value]) => `${peer}=${value ?? 'down'}`).join(' ')}\n` +
      `trace: ${outcome.trace.split('\n').length - 1} lines${typeof opts.trace === 'string' ? ` → ${opts.trace}` : ''}\n` +
      `replay: ${gossipReplayCommand(scenario)}\n`,
  );
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
