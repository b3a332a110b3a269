import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { etcdProfile, etcdScenarioArb, runEtcdScenario, type EtcdScenario } from '../../src/campaign/etcd/profile.ts';
import { assertPropertyOrReport } from './assert-property-or-report.ts';

const PLANT = 'watch-skips-revision';
const TEST_FILE = 'test/campaign/property-report.test.ts';
const TEST_NAME = 'a failing property writes the full folder';

/** A property that the planted watch bug breaks: no run has a violation. */
const noViolation = () =>
  fc.property(etcdScenarioArb(), (scenario: EtcdScenario) => {
    const violations = runEtcdScenario(scenario, { plant: PLANT }).violations;
    if (violations.length > 0) throw new Error(`${violations.length} violations, first: [${violations[0].checker}] ${violations[0].message}`);
  });

describe('assertPropertyOrReport', () => {
  afterEach(() => {
    delete process.env.FC_SEED;
    delete process.env.FC_PATH;
  });

  it(TEST_NAME, () => {
    const root = mkdtempSync(join(tmpdir(), 'kubesim-property-'));
    const options = {
      profile: etcdProfile, plant: PLANT, testFile: TEST_FILE, testName: TEST_NAME, name: 'etcd-watch', root,
      params: { seed: 7, numRuns: 5 }, shrinkBudget: 8,
    };
    let message = '';
    try {
      assertPropertyOrReport(noViolation(), options);
    } catch (error) {
      message = (error as Error).message;
    }
    // The error names the folder and the command that replays this very failure.
    const replay = /^replay: FC_SEED=(-?\d+) FC_PATH=(\S+) npx vitest run (\S+) -t "(.+)"$/m.exec(message);
    expect(replay).not.toBeNull();
    const [, seed, path, file, name] = replay!;
    expect([seed, file, name]).toEqual(['7', TEST_FILE, TEST_NAME]);
    const dir = join(root, 'etcd-watch-seed-7');
    expect(message).toContain(`counterexample: ${join(dir, 'README.md')}`);
    expect(message).toMatch(/violations, first: \[watch\]/);

    expect(readdirSync(dir).sort()).toEqual(['README.md', 'scenario.json', 'schedule.json', 'sequence.md', 'trace.jsonl']);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain(`FC_SEED=7 FC_PATH=${path} npx vitest run ${TEST_FILE} -t "${TEST_NAME}"`);
    expect(readme).toContain(`Found by the property test "${TEST_NAME}"`);
    const reported = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as EtcdScenario;

    // Replaying with the command's seed and path runs exactly the reported counterexample, which fails again.
    process.env.FC_SEED = seed;
    process.env.FC_PATH = path;
    const replayed = fc.check(noViolation(), { seed: Number(seed), path, endOnFailure: true });
    expect(replayed.failed).toBe(true);
    expect(replayed.counterexample![0]).toEqual(reported);
    const again = mkdtempSync(join(tmpdir(), 'kubesim-property-replay-'));
    expect(() => assertPropertyOrReport(noViolation(), { ...options, root: again })).toThrow(`FC_PATH=${path} `);
    expect(readFileSync(join(again, 'etcd-watch-seed-7', 'scenario.json'), 'utf8')).toBe(readFileSync(join(dir, 'scenario.json'), 'utf8'));
  });

  it('passes silently when the property holds', () => {
    const root = mkdtempSync(join(tmpdir(), 'kubesim-property-ok-'));
    assertPropertyOrReport(fc.property(fc.constant({ seed: 1 } as unknown as EtcdScenario), (_scenario: EtcdScenario) => true), {
      profile: etcdProfile, testFile: TEST_FILE, testName: 'ok', name: 'ok', root, params: { numRuns: 3 },
    });
    expect(readdirSync(root)).toEqual([]);
  });
});
