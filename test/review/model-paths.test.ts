import { describe, expect, it } from 'vitest';
import { gossipMachine } from '../../machines/gossip/gossip.machine.ts';
import { loadMachineRegistry } from '../../src/review/machine-registry.ts';
import { candidateEvents } from '../../src/review/chart-exploration.ts';
import { computeCoverage } from '../../src/review/model-paths.ts';
import { formatCoverageReport } from '../../src/review/coverage-report.ts';
import { counterMachine, deviceMachine, racingTimersMachine, tickingMachine, unreachableMachine } from './fixtures/charts.ts';
import * as gossipReviewExports from '../../machines/gossip/gossip.review.ts';
import type { ReviewModule } from '../../src/review/review-module.ts';

const gossipReview: ReviewModule = gossipReviewExports;

describe('model-based coverage', () => {
  it('reaches every state and transition of gossip, with its invariant holding on every path', async () => {
    const registry = await loadMachineRegistry();
    const entry = registry.machines.find((candidate) => candidate.machine === gossipMachine)!;
    const coverage = computeCoverage(entry, gossipReview);
    expect(coverage.failures).toEqual([]);
    expect(coverage.startError).toBeUndefined();
    expect(coverage.states).toEqual({ reached: 1, total: 1, unreached: [] });
    expect(coverage.transitions).toEqual({ reached: 2, total: 2, unreached: [] });
    expect(coverage.pathsReplayed).toBe(3);
  });

  it('reports when a machine cannot start with the default input', async () => {
    const registry = await loadMachineRegistry();
    const entry = registry.machines.find((candidate) => candidate.machine === gossipMachine)!;
    const coverage = computeCoverage({ ...entry, review: {} });
    expect(coverage.startError).toMatch(/^cannot start with the default input \(add reviewInput to a gossip\.review\.ts\)/);
    expect(coverage.states.reached).toBe(0);
  });

  it('lists an unreachable state and a transition behind a guard that never passes', () => {
    const coverage = computeCoverage(unreachableMachine);
    expect(coverage.failures).toEqual([]);
    expect(coverage.states).toEqual({ reached: 2, total: 4, unreached: ['locked', 'orphan'] });
    expect(coverage.transitions).toEqual({
      reached: 1,
      total: 3,
      unreached: ['middle --unlock [never]--> locked', 'orphan --go--> start'],
    });
  });

  it('fires timers from the virtual clock, and reports a timer another one always beats', () => {
    const coverage = computeCoverage(racingTimersMachine);
    expect(coverage.failures).toEqual([]);
    expect(coverage.states.unreached).toEqual(['slow']);
    expect(coverage.transitions.unreached).toEqual(['waiting --after(20)--> slow']);
    expect(coverage.unrealizable).toEqual([
      '(start) → xstate.after.20.racing.waiting: xstate.after.10.racing.waiting fires before xstate.after.20.racing.waiting and changes the state',
    ]);
  });

  it('lets timers that leave the state unchanged fire on the way to a longer one', () => {
    const coverage = computeCoverage(tickingMachine);
    expect(coverage.unrealizable).toEqual([]);
    expect(coverage.failures).toEqual([]);
    expect(coverage.states).toEqual({ reached: 5, total: 5, unreached: [] });
    expect(coverage.transitions).toEqual({ reached: 2, total: 2, unreached: [] });
  });

  it('covers parallel regions, named delays and always transitions', () => {
    const coverage = computeCoverage(deviceMachine);
    expect(coverage.failures).toEqual([]);
    // retryDelay (100 ms) always beats the 500 ms timer, so `failed` is out of reach in time.
    expect(coverage.states.unreached).toEqual(['running.network.failed']);
    expect(coverage.transitions.reached).toBe(5);
  });

  it('checks reviewInvariants on every state reached, and rejects keys naming no state', () => {
    const coverage = computeCoverage(counterMachine, {
      reviewInvariants: {
        counting: (snapshot) => (snapshot.context.count < 1 ? null : `count is ${snapshot.context.count}`),
        countin: () => null,
      },
    });
    expect(coverage.failures).toEqual([
      'reviewInvariants key "countin" names no state of counter',
      '(start) → bump: invariant of counting violated: count is 1',
    ]);
  });

  it('separates events that need a payload sample from real failures', () => {
    const coverage = computeCoverage({ component: 'gossip', name: 'gossip', exportName: 'gossipMachine', file: '', machine: gossipMachine, review: {} }, {
      reviewInput: gossipReview.reviewInput,
    });
    expect(coverage.failures).toEqual([]);
    expect(coverage.needsSamples).toEqual([expect.stringMatching(/^gossip in "gossiping" throws: .*bare \{ type: "gossip" \}/)]);
    expect(coverage.transitions.unreached).toEqual(['gossiping --gossip--> (no target)']);
  });

  it('tries review payloads for the events the active states handle, and timers', () => {
    const snapshot = gossipMachine.resolveState({ value: 'gossiping', context: {} as never });
    expect(candidateEvents(snapshot, gossipReview).map((event) => event.type)).toEqual([
      'gossip',
      'xstate.after.gossipInterval.gossip.gossiping',
    ]);
  });

  it('prints a coverage table', () => {
    const report = formatCoverageReport([computeCoverage(unreachableMachine)]);
    expect(report.split('\n').slice(0, 2)).toEqual([
      'component    machine      states  transitions  paths  problems',
      'unreachable  unreachable  2/4     1/3          3      none',
    ]);
    expect(report).toContain('  unreached states:\n    locked\n    orphan\n');
  });
});
