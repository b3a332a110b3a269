import { describe, expect, test } from 'vitest';
import { RaftLog } from './log.ts';
import { Progress } from './progress.ts';
import { quorumValue, voteOutcome } from './quorum.ts';
import type { Entry } from './types.ts';

const e = (index: number, term: number): Entry => ({ index, term, data: { kind: 'noop' }, size: 10 });
function logOf(terms: number[]): RaftLog {
  const log = new RaftLog();
  terms.forEach((t, i) => log.push(e(i + 1, t)));
  return log;
}

describe('RaftLog', () => {
  test('appendAfterMatch truncates at the first conflict and keeps matching entries', () => {
    const log = logOf([1, 1, 2, 2, 2]);
    const { changedFrom, oldLast } = log.appendAfterMatch([e(3, 2), e(4, 3)]);
    expect(changedFrom).toBe(4);
    expect(oldLast).toBe(5);
    expect(log.lastIndex).toBe(4);
    expect([1, 2, 3, 4].map((i) => log.term(i))).toEqual([1, 1, 2, 3]);
    expect(log.appendAfterMatch([e(3, 2)]).changedFrom).toBeUndefined(); // a duplicate changes nothing
  });

  test('findConflictByTerm skips a whole term for fast back-off', () => {
    const log = logOf([1, 1, 2, 2, 2, 2, 3]);
    expect(log.findConflictByTerm(7, 2)).toEqual({ index: 6, term: 2 });
    expect(log.findConflictByTerm(6, 1)).toEqual({ index: 2, term: 1 });
    expect(log.findConflictByTerm(99, 0)).toEqual({ index: 0, term: 0 });
  });

  test('slice honours the entry and byte caps but always returns one entry', () => {
    const log = logOf([1, 1, 1, 1, 1]);
    expect(log.slice(1, 5, 2, 1 << 20).map((x) => x.index)).toEqual([1, 2]);
    expect(log.slice(1, 5, 100, 25).map((x) => x.index)).toEqual([1, 2]);
    expect(log.slice(1, 5, 100, 1).map((x) => x.index)).toEqual([1]);
  });

  test('compaction keeps the boundary term and refuses slices into the snapshot', () => {
    const log = logOf([1, 2, 3, 4]);
    log.compact(2);
    expect(log.firstIndex).toBe(3);
    expect(log.term(2)).toBe(2);
    expect(log.term(1)).toBeUndefined();
    expect(() => log.slice(2, 4, 10, 100)).toThrow(/compacted/);
  });

  test('up-to-date comparison (§5.4.1): last term first, then length', () => {
    const log = logOf([1, 2, 2]);
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(1, 3)).toBe(true);
  });
});

describe('quorum and progress', () => {
  test('quorumValue is the quorum-th largest value', () => {
    const match: Record<string, number> = { a: 9, b: 4, c: 7, d: 1, e: 5 };
    expect(quorumValue(['a', 'b', 'c', 'd', 'e'], (id) => match[id])).toBe(5);
    expect(quorumValue(['a', 'b', 'c'], (id) => match[id])).toBe(7);
  });

  test('voteOutcome decides as soon as the result is certain', () => {
    const voters = ['a', 'b', 'c', 'd', 'e'];
    expect(voteOutcome(voters, new Map([['a', true], ['b', true]]))).toBe('pending');
    expect(voteOutcome(voters, new Map([['a', true], ['b', true], ['c', true]]))).toBe('won');
    expect(voteOutcome(voters, new Map([['a', true], ['b', false], ['c', false], ['d', false]]))).toBe('lost');
  });

  test('replicate state pipelines up to maxInflight appends; acks free them', () => {
    const pr = new Progress(1, 2, false);
    pr.becomeReplicate();
    pr.sentAppend(3, 3);
    pr.sentAppend(6, 3);
    expect(pr.isPaused()).toBe(true);
    pr.maybeUpdate(3);
    pr.inflights.freeTo(3);
    expect(pr.isPaused()).toBe(false);
    expect(pr.next).toBe(7);
  });

  test('a rejection in probe state moves next to the hint; stale rejections are ignored', () => {
    const pr = new Progress(11, 4, false);
    pr.sentAppend(10, 0);
    expect(pr.maybeDecrTo(9, 4)).toBe(false); // not the append we sent
    expect(pr.maybeDecrTo(10, 4)).toBe(true);
    expect(pr.next).toBe(5);
  });
});
