import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLinearizable, type CheckFailure } from '../../src/check/linearizability/checker.ts';
import { failingWindow } from '../../src/campaign/counterexample/failing-window.ts';
import { writeCounterexample } from '../../src/campaign/counterexample/write.ts';
import { etcdProfile, type EtcdScenario } from '../../src/campaign/etcd/profile.ts';
import { runCampaign } from '../../src/campaign/runner.ts';
import { TRACE_ARTEFACT, type CampaignProfile, type RunReport } from '../../src/campaign/types.ts';
import { main } from '../../src/cli/main.ts';
import { runGossip } from '../../src/scenarios/gossip.ts';
import { parseTrace } from '../../src/trace/trace-file.ts';
import { get, history, ok, put } from '../check/linearizability/helpers.ts';

const PLANT = 'watch-skips-revision';
import { captureOutput } from '../capture-output.ts';

async function quietly(argv: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { result: code, stdout } = await captureOutput(() => main(argv));
    return { code, stdout };
  } finally {
    process.exitCode = 0;
  }
}

describe('counterexample folders', () => {
  it('holds README, shrunk scenario, schedule, trace and the failing window for a planted etcd bug', () => {
    const result = runCampaign(etcdProfile, { seeds: 5, plant: PLANT, shrinkBudget: 10 });
    const failure = result.failure!;
    const dir = join(mkdtempSync(join(tmpdir(), 'kubesim-cx-')), 'etcd-seed-1');
    const folder = writeCounterexample({
      profile: etcdProfile, dir, scenario: failure.shrunk, plant: PLANT,
      replay: [{ label: 'replay (original)', command: `kubesim check --profile etcd --seed ${failure.seed} --plant ${PLANT}` }],
      foundBy: [`Found at seed ${failure.seed}.`],
    });
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'scenario.json', 'schedule.json', 'sequence.md', 'trace.jsonl']);
    expect(folder.report.violations.some((v) => v.checker === 'watch')).toBe(true);

    const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as EtcdScenario;
    expect(scenario).toEqual(failure.shrunk);
    expect(JSON.parse(readFileSync(join(dir, 'schedule.json'), 'utf8'))).toEqual(failure.shrunk.schedule);

    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain(`# Counterexample: etcd with plant ${PLANT}`);
    expect(readme).toContain(`kubesim check --profile etcd --seed ${failure.seed} --plant ${PLANT}`);
    const first = folder.report.violations[0];
    expect(readme).toContain(`| 1 | ${first.checker} | ${first.invariant} |`);
    // The offending values: the checker's detail, e.g. the revision a watcher missed.
    expect(readme).toContain(JSON.stringify(first.detail));
    expect(readme).toContain('[`sequence.md`](sequence.md)');

    // The trace is the shrunk scenario's, with payloads; the diagram is its last 500 ms before the violation.
    const trace = readFileSync(join(dir, 'trace.jsonl'), 'utf8');
    expect(trace).toBe(etcdProfile.run(failure.shrunk, { plant: PLANT, trace: true }).artefacts![TRACE_ARTEFACT]);
    expect(parseTrace(trace).some((line) => line.k === 'send' && line.payload !== undefined)).toBe(true);
    const window = failingWindow(folder.report, Number.POSITIVE_INFINITY);
    const sequence = readFileSync(join(dir, 'sequence.md'), 'utf8');
    expect(sequence).toContain(`# Failing window: ${window.from}–${window.to} ms`);
    expect(sequence).toContain(`kubesim trace render trace.jsonl --from ${window.from} --to ${window.to} --out sequence.md`);
    expect(sequence).toMatch(/```mermaid\nsequenceDiagram\n {2}participant /);
    expect(sequence).toMatch(/etcd\.watch\.response/);
  });

  it('kubesim check writes the folder, and its shrunk replay command reproduces the run byte for byte', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kubesim-cx-cli-')), 'report');
    const campaign = await quietly(['check', '--profile', 'etcd', '--seeds', '3', '--plant', PLANT, '--shrink-budget', '5', '--report-dir', dir]);
    expect(campaign.code).toBe(1);
    expect(campaign.stdout).toContain(`counterexample: ${join(dir, 'README.md')}\n`);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const shrunkReplay = `kubesim check --profile etcd --scenario-file ${join(dir, 'scenario.json')} --plant ${PLANT}`;
    expect(readme).toContain(shrunkReplay);

    const traceFile = join(dir, 'replayed.jsonl');
    const replay = await quietly([...shrunkReplay.split(' ').slice(1), '--trace', traceFile]);
    expect(replay.code).toBe(1);
    expect(readFileSync(traceFile, 'utf8')).toBe(readFileSync(join(dir, 'trace.jsonl'), 'utf8'));
    // A replay writes no folder of its own unless asked.
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'replayed.jsonl', 'scenario.json', 'schedule.json', 'sequence.md', 'trace.jsonl']);
  });

  it('rejects --trace and --inspect without a single scenario, and a missing scenario file', async () => {
    expect((await quietly(['check', '--profile', 'etcd', '--trace', 'x.jsonl'])).code).toBe(2);
    expect((await quietly(['check', '--profile', 'etcd', '--inspect'])).code).toBe(2);
    expect((await quietly(['check', '--profile', 'etcd', '--scenario-file', '/nonexistent/scenario.json'])).code).toBe(2);
  });

  it('adds the linearizability checker’s timelines for a linearizability failure', () => {
    const failure = checkLinearizable(history(
      ['writer', 0, 10, put('/registry/pods/default/a', 'v1'), ok()],
      ['writer', 11, 20, put('/registry/pods/default/a', 'v2'), ok()],
      ['reader', 30, 40, get('/registry/pods/default/a'), ok({ value: 'v1' })],
    )) as CheckFailure;
    expect(failure.ok).toBe(false);
    const profile = fakeProfile({
      violations: [{ checker: 'linearizability', invariant: 'Linearizability', message: failure.message, detail: failure }],
      stats: {},
    });
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-cx-lin-'));
    writeCounterexample({ profile, dir, scenario: { seed: 2, schedule: [] }, replay: [], foundBy: ['A fixed history.'] });
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'linearizability.html', 'linearizability.txt', 'scenario.json', 'schedule.json', 'sequence.md', 'trace.jsonl']);
    expect(readFileSync(join(dir, 'linearizability.txt'), 'utf8')).toMatch(/^LINEARIZABILITY VIOLATION/);
    expect(readFileSync(join(dir, 'linearizability.html'), 'utf8')).toContain('<html');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('see `linearizability.txt` / `linearizability.html`');
    // The window is the checker's illegal window in time.
    expect(readFileSync(join(dir, 'sequence.md'), 'utf8')).toContain(`# Failing window: ${failure.windowTime.from}–${failure.windowTime.to} ms`);
  });

  it('dates the failing window by the first dated violation, else the illegal window, else the end of the run', () => {
    const report = (violations: RunReport['violations']): RunReport => ({ violations, stats: {} });
    const v = (at?: number) => ({ checker: 'raft', invariant: 'Election Safety', message: 'two leaders', ...(at === undefined ? {} : { at }) });
    expect(failingWindow(report([v(900.12345), v(700)]), 5_000)).toEqual({ from: 200, to: 700, reason: 'the 500 ms before the first violation (raft: Election Safety at 700 ms)' });
    expect(failingWindow(report([v(1_000.0004)]), 5_000, 100)).toMatchObject({ from: 900, to: 1_000.001 });
    expect(failingWindow(report([v()]), 5_000)).toEqual({ from: 4_500, to: 5_000, reason: 'the last 500 ms of the run (no violation carries a time)' });
  });
});

/** A profile whose run is a short gossip trace with a fixed report: exercises the writer alone. */
function fakeProfile(fixed: RunReport): CampaignProfile<{ seed: number; schedule: [] }> {
  return {
    name: 'fake',
    description: 'a fixed report',
    plants: [],
    scenarioArb: () => { throw new Error('not generated'); },
    run: (scenario, options) => ({
      ...fixed,
      ...(options.trace ? { artefacts: { [TRACE_ARTEFACT]: runGossip({ seed: scenario.seed, peers: 2, durationMs: 100, schedule: [] }).trace } } : {}),
    }),
    summarize: (scenario) => `seed ${scenario.seed}`,
    parseScenario: (value) => value as { seed: number; schedule: [] },
  };
}
