import { emit, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../src/host/contract.ts';
import { Simulation } from '../src/host/simulation.ts';
import { formatFigures, isMain, timeIt, type Figures } from './harness.ts';

/** A trivial hosted actor: on every token, pass it on to the peer `hop` places along. */
const relay = setup({
  types: {
    input: {} as HostedInput<{ peers: string[]; hop: number }>,
    context: {} as { next: string },
    events: {} as { type: 'token'; from: string },
    emitted: {} as HostedEmitted,
  },
  actions: {
    passOn: emit(({ context }) => ({ type: 'net.send' as const, to: context.next, message: { type: 'token' } })),
  },
}).createMachine({
  context: ({ input }) => {
    const peers = input.config.peers;
    return { next: peers[(peers.indexOf(input.address) + input.config.hop) % peers.length] };
  },
  on: { token: { actions: 'passOn' } },
});

/**
 * Deliveries per wall-clock second between `actors` relay actors with `tokens` messages circulating, the
 * network model on (uniform latency, FIFO links; optionally loss and duplication).
 */
function relayRun(actors: number, tokens: number, virtualMs: number, lossy: boolean): { deliveries: number; perSecond: number; cpuMicros: number } {
  const sim = new Simulation({
    seed: 1,
    link: { latency: { kind: 'uniform', minMs: 1, maxMs: 5 }, drop: lossy ? 0.01 : 0, duplicate: lossy ? 0.01 : 0 },
  });
  const peers = Array.from({ length: actors }, (_, i) => `relay-${i}`);
  for (const [i, p] of peers.entries()) sim.add(p, relay, { peers, hop: 1 + (i % 7) });
  for (let t = 0; t < tokens; t++) sim.bus.send(peers[t % actors], peers[(t * 13) % actors], { type: 'token' });
  const cpuStart = process.cpuUsage();
  const seconds = timeIt(() => sim.runUntil(virtualMs));
  const cpu = process.cpuUsage(cpuStart);
  const deliveries = sim.bus.stats.delivered;
  return { deliveries, perSecond: deliveries / seconds, cpuMicros: (cpu.user + cpu.system) / deliveries };
}

export async function run(): Promise<Figures> {
  relayRun(100, 1_000, 200, false); // warm-up
  const clean = relayRun(100, 1_000, 2_000, false);
  const lossy = relayRun(100, 1_000, 2_000, true);
  return {
    'deliveries/s, 100 XState actors, latency model': Math.round(clean.perSecond),
    'deliveries/s, + 1% loss and 1% duplication': Math.round(lossy.perSecond),
    'CPU µs per delivery (bus, clock, host and a one-action XState actor)': Number(clean.cpuMicros.toFixed(2)),
    'deliveries per run': clean.deliveries,
  };
}

if (isMain(import.meta.url)) process.stdout.write(formatFigures('bus', await run()));
