import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gossipReplayCommand, gossipScenarioArb, runGossip } from '../../src/scenarios/gossip.ts';
import { main } from '../../src/cli/main.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numRuns } from '../fc.ts';
import { captureOutput } from '../capture-output.ts';

describe('determinism', () => {
  it('one seed and schedule ⇒ byte-identical traces; another seed ⇒ a different trace', () => {
    fc.assert(
      fc.property(gossipScenarioArb(4, 3_000), (scenario) => {
        const first = runGossip(scenario).trace;
        const second = runGossip(scenario).trace;
        expect(second).toBe(first);
        // The trace is non-trivial: traffic, and every fault of the schedule applied.
        expect(first.split('\n').filter((l) => l.includes('"k":"deliver"')).length).toBeGreaterThan(20);
        expect(first.split('\n').filter((l) => l.includes('"k":"fault"'))).toHaveLength(
          scenario.schedule.filter((f) => f.at <= scenario.durationMs).length,
        );
        const other = runGossip({ ...scenario, seed: Number(scenario.seed) + 1 }).trace;
        expect(other).not.toBe(first);
      }),
      { numRuns: numRuns(25) },
    );
  });

  it('the replay command reproduces a run exactly', async () => {
    const [scenario] = fc.sample(gossipScenarioArb(3, 2_000).filter((s) => s.schedule.length > 0), { seed: 99, numRuns: 1 });
    const expected = runGossip(scenario).trace;
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-replay-'));
    const argv = gossipReplayCommand(scenario).split(' ').slice(1).map((arg) => (arg === 'trace.jsonl' ? join(dir, 'trace.jsonl') : arg));
    expect((await captureOutput(() => main(argv))).result).toBe(0);
    expect(readFileSync(join(dir, 'trace.jsonl'), 'utf8')).toBe(expected);
  });

  it('records sends, deliveries, drops, crashes, restarts and faults in the trace', () => {
    const { trace } = runGossip({
      seed: 5, peers: 3, durationMs: 2_000,
      schedule: [
        { at: 300, kind: 'crash', target: 'peer-1', loseUnsynced: true },
        { at: 900, kind: 'restart', target: 'peer-1' },
      ],
    });
    const kinds = new Set(trace.trim().split('\n').map((line) => JSON.parse(line).k));
    expect([...kinds].sort()).toEqual(['crash', 'deliver', 'drop', 'fault', 'send', 'start']);
  });
});
