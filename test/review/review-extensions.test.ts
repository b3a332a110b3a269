import { describe, expect, it } from 'vitest';
import { formatCoverageReport } from '../../src/review/coverage-report.ts';
import { computeCoverage, unexplainedGaps } from '../../src/review/model-paths.ts';
import { reviewInputsOf, toReviewModule, type ReviewInput } from '../../src/review/review-module.ts';
import { unreachableMachine } from './fixtures/charts.ts';
import { featureMachine, mutableCounterMachine } from './fixtures/review-charts.ts';

const input = (config: object): ReviewInput => (now) => ({ address: 'x-0', incarnation: 0, rng: [1, 2, 3, 4], disk: new Map(), now, config });
const countOf = (snapshot: { context: unknown }) => (snapshot.context as { box: { count: number } }).box.count;

describe('review module extensions', () => {
  it('explores by replay a machine whose actions mutate its context in place', () => {
    const serialize = { reviewSerializeState: (snapshot: { value: unknown; context: unknown }) => JSON.stringify([snapshot.value, countOf(snapshot)]) };
    // Asking the pure transition function: the shared context leaks from one explored path into the next,
    // and the exploration cannot even keep its own books.
    const chart = computeCoverage(mutableCounterMachine, serialize);
    expect(chart.failures).not.toEqual([]);
    expect(chart.states.reached).toBeLessThan(2);
    const replay = computeCoverage(mutableCounterMachine, { ...serialize, reviewExploration: 'replay' });
    expect(replay.failures).toEqual([]);
    expect(replay.states).toEqual({ reached: 2, total: 2, unreached: [] });
    expect(replay.transitions).toEqual({ reached: 2, total: 2, unreached: [] });
    // Start, then bump from count 0, 1 (→ full) — and bump is not handled in full.
    expect(replay.pathsReplayed).toBe(3);
  });

  it('unions coverage over several named inputs, tagging messages with the input', () => {
    const one = computeCoverage(featureMachine, { reviewInput: input({ fast: false }) });
    expect(one.states.unreached).toEqual(['fast']);
    const both = computeCoverage(featureMachine, { reviewInputs: { slow: input({ fast: false }), fast: input({ fast: true }) } });
    expect(both.inputs).toEqual(['slow', 'fast']);
    expect(both.states).toEqual({ reached: 3, total: 3, unreached: [] });
    expect(both.transitions.unreached).toEqual([]);
    const invariant = computeCoverage(featureMachine, {
      reviewInputs: { slow: input({ fast: false }), fast: input({ fast: true }) },
      reviewInvariants: { fast: () => 'fast is forbidden' },
    });
    expect(invariant.failures).toEqual(['[fast] (start) → go: invariant of fast violated: fast is forbidden']);
  });

  it('names the default input first and reads the new exports from a review module', () => {
    const review = toReviewModule({ reviewInput: input({}), reviewInputs: { other: input({}) }, reviewUnreachable: { a: 'b' }, reviewExploration: 'replay', reviewInvariants: {} });
    expect(reviewInputsOf(review, 'x').map((named) => named.name)).toEqual(['default', 'other']);
    expect(review.reviewUnreachable).toEqual({ a: 'b' });
    expect(review.reviewExploration).toBe('replay');
    expect(toReviewModule({ reviewExploration: 'guess' }).reviewExploration).toBeUndefined();
  });

  it('pairs gaps with reviewUnreachable explanations, and fails explanations of nothing or of what was reached', () => {
    const reasons = {
      locked: 'the unlock guard never passes in isolation',
      orphan: 'no transition leads here; kept for the chart',
      'middle --unlock [never]--> locked': 'see locked',
      'orphan --go--> start': 'see orphan',
    };
    const explained = computeCoverage(unreachableMachine, { reviewUnreachable: reasons });
    expect(explained.failures).toEqual([]);
    expect(unexplainedGaps(explained)).toEqual([]);
    expect(explained.explained.map((gap) => gap.item)).toEqual(Object.keys(reasons));
    const report = formatCoverageReport([explained]);
    expect(report.split('\n')[1]).toBe('unreachable  unreachable  2/4     1/3          3      4 gaps explained');
    expect(report).toContain('  unreachable in isolation (reviewUnreachable):\n    locked\n      why: the unlock guard never passes in isolation\n');
    expect(report).not.toContain('unreached states:');

    const stale = computeCoverage(unreachableMachine, { reviewUnreachable: { locked: 'x', start: 'y', nowhere: 'z' } });
    expect(stale.failures).toEqual([
      'reviewUnreachable explains "start", but it was reached',
      'reviewUnreachable key "nowhere" names no state or transition of unreachable',
    ]);
    expect(unexplainedGaps(stale)).toEqual(['orphan', 'middle --unlock [never]--> locked', 'orphan --go--> start']);
    expect(formatCoverageReport([stale]).split('\n')[1]).toContain('2 failed, 1 gaps explained, 3 unexplained');
  });
});
