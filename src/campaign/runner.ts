import fc from 'fast-check';
import type { CampaignProfile, RunReport } from './types.ts';

export interface CampaignOptions {
  /** Seeds base, base+1, … base+seeds-1 are run, each generating its own scenario. */
  seeds: number;
  baseSeed?: number;
  plant?: string;
  /** Runs allowed to the shrinker after a failure (each is a whole simulation). */
  shrinkBudget?: number;
  onRun?: (seed: number, report: RunReport) => void;
}

export interface CampaignFailure<Scenario> {
  seed: number;
  /** 1-based: how many runs it took to find the failure. */
  runsToCatch: number;
  original: Scenario;
  shrunk: Scenario;
  report: RunReport;
  shrinkRuns: number;
}

export interface CampaignResult<Scenario> {
  runs: number;
  failure?: CampaignFailure<Scenario>;
}

/** The scenario a seed generates: the same one the campaign ran, so `--seed` replays it. */
export function scenarioForSeed<S>(profile: CampaignProfile<S>, seed: number): S {
  return fc.sample(profile.scenarioArb(), { seed, numRuns: 1 })[0];
}

/**
 * Runs seeds one by one and stops at the first violation, then shrinks that seed's scenario with
 * fast-check (generation from the same seed gives the same scenario, so the shrinker starts from it).
 */
export function runCampaign<S>(profile: CampaignProfile<S>, options: CampaignOptions): CampaignResult<S> {
  const base = options.baseSeed ?? 1;
  for (let i = 0; i < options.seeds; i++) {
    const seed = base + i;
    const scenario = scenarioForSeed(profile, seed);
    const report = profile.run(scenario, { plant: options.plant });
    options.onRun?.(seed, report);
    if (report.violations.length > 0) {
      const shrunk = shrink(profile, seed, options.plant, options.shrinkBudget ?? 100);
      return {
        runs: i + 1,
        failure: { seed, runsToCatch: i + 1, original: scenario, report: shrunk.report ?? report, shrunk: shrunk.scenario ?? scenario, shrinkRuns: shrunk.runs },
      };
    }
  }
  return { runs: options.seeds };
}

function shrink<S>(profile: CampaignProfile<S>, seed: number, plant: string | undefined, budget: number) {
  let runs = 0;
  let smallest: { scenario?: S; report?: RunReport } = {};
  fc.check(
    fc.property(profile.scenarioArb(), (scenario) => {
      // Past the budget every candidate "passes", which ends shrinking at the smallest failure found so far.
      if (runs >= budget) return true;
      runs++;
      const report = profile.run(scenario, { plant });
      if (report.violations.length === 0) return true;
      smallest = { scenario, report };
      return false;
    }),
    { seed, numRuns: 1 },
  );
  return { ...smallest, runs };
}

/** Scenarios travel in replay commands as base64url JSON. */
export function encodeScenario(scenario: unknown): string {
  return Buffer.from(JSON.stringify(scenario), 'utf8').toString('base64url');
}

export function decodeScenario<S>(profile: CampaignProfile<S>, token: string): S {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new Error('replay token is not a base64url-encoded JSON scenario');
  }
  return profile.parseScenario(value);
}
