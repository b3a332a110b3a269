import type fc from 'fast-check';
import type { SimulationOptions } from '../host/simulation.ts';

/** One broken invariant, with the values that broke it. */
export interface Violation {
  /** Which checker found it: `raft`, `linearizability`, `watch`, `convergence`… */
  checker: string;
  /** The property's name: `Election Safety`, `Ordered`, `ESR`… */
  invariant: string;
  message: string;
  /** Virtual time at which it was seen, when known. */
  at?: number;
  detail?: unknown;
}

export interface RunReport {
  violations: Violation[];
  /** Figures about the run (operations, faults, virtual ms…), printed with the result. */
  stats: Record<string, number>;
  /**
   * Extra artefacts, by file name: what a checker produced, and `trace.jsonl` (the run's JSONL trace,
   * with message payloads) when the run was asked for a trace.
   */
  artefacts?: Record<string, string>;
}

/** How to run one scenario besides the scenario itself. */
export interface RunOptions {
  plant?: string;
  /** Record the run's JSONL trace into `RunReport.artefacts['trace.jsonl']`. */
  trace?: boolean;
  /** Connect every selected component's actor to a live inspector (see src/review/inspection/). */
  inspect?: SimulationOptions['inspect'];
}

/** The artefact name under which a traced run returns its JSONL trace. */
export const TRACE_ARTEFACT = 'trace.jsonl';

/** A deliberately broken variant of a component, selectable to prove the checkers can fail. */
export interface Plant {
  name: string;
  component: string;
  description: string;
  /** Which checker is expected to catch it. */
  caughtBy: string;
}

/**
 * A campaign profile: how to generate a scenario (workload × faults × seed), run it, and check it.
 * Scenarios are plain JSON data, so they encode into a replay token and shrink with fast-check.
 */
export interface CampaignProfile<Scenario> {
  name: string;
  description: string;
  plants: readonly Plant[];
  scenarioArb(): fc.Arbitrary<Scenario>;
  run(scenario: Scenario, options: RunOptions): RunReport;
  /** A few lines describing the scenario for a failure report (size, faults, workload). */
  summarize(scenario: Scenario): string;
  /** Checks a scenario decoded from a replay token; throws a clear error naming what is wrong. */
  parseScenario(value: unknown): Scenario;
}
