import fc from 'fast-check';
import { gossipMachine } from '../../machines/gossip/gossip.machine.ts';
import type { LinkModel } from '../bus/network.ts';
import { applySchedule } from '../faults/apply.ts';
import { faultScheduleArb, type FaultSpace } from '../faults/arbitrary.ts';
import { encodeSchedule, type FaultSchedule } from '../faults/schedule.ts';
import { Simulation, type SimulationOptions } from '../host/simulation.ts';
import { TraceRecorder } from '../trace/recorder.ts';

/**
 * The runtime's reference scenario: N gossip peers with timers, randomness and a disk, under a fault
 * schedule. Used by the determinism property, the benches and `kubesim sim gossip`.
 */
export interface GossipScenario {
  seed: number | string;
  peers: number;
  durationMs: number;
  schedule: FaultSchedule;
  link?: Partial<LinkModel>;
  /** Record a JSONL trace (default true). */
  trace?: boolean;
  /** Connect the peers' actors to an inspector (`kubesim sim gossip --inspect`). */
  inspect?: SimulationOptions['inspect'];
}

export interface GossipOutcome {
  trace: string;
  sim: Simulation;
  counters: Record<string, number | null>;
}

export function peerNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `peer-${i}`);
}

export function gossipFaultSpace(peers: number, horizonMs: number): FaultSpace {
  const names = peerNames(peers);
  return { crashable: names, partitionable: names, horizonMs, maxEpisodes: 6, maxDowntimeMs: 2_000, maxPartitionMs: 2_000 };
}

/** A generated scenario: seed × fault schedule, for property tests and campaigns. */
export function gossipScenarioArb(peers = 4, durationMs = 5_000): fc.Arbitrary<GossipScenario> {
  return fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    peers: fc.constant(peers),
    durationMs: fc.constant(durationMs),
    schedule: faultScheduleArb(gossipFaultSpace(peers, durationMs)),
  });
}

export function runGossip(scenario: GossipScenario): GossipOutcome {
  const sim = new Simulation({ seed: scenario.seed, link: scenario.link, inspect: scenario.inspect });
  const recorder = scenario.trace === false ? undefined : new TraceRecorder(sim);
  const names = peerNames(scenario.peers);
  for (const name of names) sim.add(name, gossipMachine, { peers: names });
  applySchedule(sim, scenario.schedule, recorder?.onFault);
  sim.runUntil(scenario.durationMs);
  recorder?.stop();
  const counters: Record<string, number | null> = {};
  for (const name of names) {
    const snapshot = sim.host(name).snapshot();
    counters[name] = snapshot ? (snapshot.context as { counter: number }).counter : null;
  }
  return { trace: recorder?.text() ?? '', sim, counters };
}

/** The one-line command that reproduces a gossip run exactly. */
export function gossipReplayCommand(scenario: GossipScenario): string {
  const faults = scenario.schedule.length > 0 ? ` --faults ${encodeSchedule(scenario.schedule)}` : '';
  return `kubesim sim gossip --seed ${scenario.seed} --peers ${scenario.peers} --duration ${scenario.durationMs}${faults} --trace trace.jsonl`;
}
