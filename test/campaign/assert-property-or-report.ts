import { join } from 'node:path';
import fc from 'fast-check';
import { writeCounterexample } from '../../src/campaign/counterexample/write.ts';
import type { CampaignProfile } from '../../src/campaign/types.ts';

export interface PropertyReportOptions<S> {
  /** Re-runs the shrunk scenario with a trace for the folder (and summarizes it). */
  profile: CampaignProfile<S>;
  plant?: string;
  /** The test file and test name, for the replay command (`vitest run <file> -t <name>`). */
  testFile: string;
  testName: string;
  /** The folder is `<root>/<name>-seed-<seed>`; root defaults to out/counterexamples. */
  name: string;
  root?: string;
  /** fast-check parameters (seed, numRuns…). FC_SEED and FC_PATH in the environment replay one failure. */
  params?: fc.Parameters<[S]>;
  /** Property runs allowed to the shrinker after the first failure (each may be a whole simulation). */
  shrinkBudget?: number;
}

/**
 * Checks a property over scenarios like `fc.assert`, but on failure writes a counterexample folder for the
 * shrunk scenario (see writeCounterexample) and throws an error naming the folder and the command that
 * replays exactly this failure: fast-check's seed and path in FC_SEED / FC_PATH, which this helper reads,
 * make the replay run the recorded counterexample alone, without shrinking again.
 */
export function assertPropertyOrReport<S>(property: fc.IProperty<[S]>, options: PropertyReportOptions<S>): void {
  const replaying = process.env.FC_SEED !== undefined && process.env.FC_PATH !== undefined;
  const params: fc.Parameters<[S]> = replaying
    ? { ...options.params, seed: Number(process.env.FC_SEED), path: process.env.FC_PATH, endOnFailure: true }
    : { ...options.params };
  const details = fc.check(withShrinkBudget(property, options.shrinkBudget ?? 30), params);
  if (!details.failed || details.counterexample === null) return;
  const [scenario] = details.counterexample;
  const replay = replayCommand(options, details.seed, details.counterexamplePath ?? '');
  const dir = join(options.root ?? join('out', 'counterexamples'), `${options.name}-seed-${details.seed}`);
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  writeCounterexample({
    profile: options.profile,
    dir,
    scenario,
    plant: options.plant,
    replay: [{ label: 'replay this failure (the property test, on this counterexample alone)', command: replay }],
    foundBy: [`Found by the property test "${options.testName}" (${options.testFile}): seed ${details.seed}, after ${details.numRuns} runs and ${details.numShrinks} shrinks.`],
    notes: ['The property failed with:', '', '```', error, '```'],
  });
  throw new Error(
    `property "${options.testName}" failed (seed ${details.seed}, path ${details.counterexamplePath}, ${details.numShrinks} shrinks)\n` +
      `counterexample: ${join(dir, 'README.md')}\nreplay: ${replay}\n${error}`,
  );
}

/** The command that replays one failure of a property test exactly. */
export function replayCommand(options: Pick<PropertyReportOptions<unknown>, 'testFile' | 'testName'>, seed: number, path: string): string {
  return `FC_SEED=${seed} FC_PATH=${path} npx vitest run ${options.testFile} -t ${JSON.stringify(options.testName)}`;
}

/**
 * Lets the shrinker run the property at most `budget` times after the first failure; past it every
 * candidate passes, which ends shrinking at the smallest failure found (a shrink step is a simulation).
 */
function withShrinkBudget<S>(property: fc.IProperty<[S]>, budget: number): fc.IProperty<[S]> {
  let failures = 0;
  let afterFailure = 0;
  return Object.create(property, {
    run: {
      value: (value: [S]) => {
        if (failures > 0 && afterFailure++ >= budget) return null;
        const outcome = property.run(value);
        if (outcome !== null && !fc.PreconditionFailure.isFailure(outcome)) failures++;
        return outcome;
      },
    },
  }) as fc.IProperty<[S]>;
}
