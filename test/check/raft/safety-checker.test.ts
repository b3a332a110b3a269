import { describe, expect, test } from 'vitest';
import { RaftSafetyChecker, checkAppliedStateAgreement, type RaftDurableView, type RaftEntryView, type RaftMemberView } from '../../../src/check/raft/index.ts';

/** A synthetic member: its log given as terms (index = position + 1). */
function member(address: string, terms: number[], fields: Partial<RaftMemberView> & { payload?: (i: number, t: number) => unknown } = {}): RaftMemberView {
  const entries: RaftEntryView[] = terms.map((term, i) => ({ index: i + 1, term, data: fields.payload?.(i + 1, term) ?? `e${i + 1}t${term}` }));
  return {
    address, incarnation: 0, version: Symbol(), role: 'follower', term: Math.max(0, ...terms), commit: 0, applied: 0,
    voters: ['a', 'b', 'c'], snapshotIndex: 0, snapshotTerm: 0, lastIndex: entries.length,
    entry: (i) => entries[i - 1], ...fields,
  };
}

const allDurable = (): Map<string, RaftDurableView> => new Map(['a', 'b', 'c'].map((id) => [id, { syncedEntryTerm: () => 'snapshot' as const }]));

describe('RaftSafetyChecker', () => {
  test('Election Safety: two leaders of one term, even observed at different times', () => {
    const c = new RaftSafetyChecker();
    c.observe([member('a', [1, 2], { role: 'leader', term: 2 })], allDurable());
    c.observe([member('a', [1, 2], { role: 'follower', term: 2 })], allDurable());
    const v = c.observe([member('b', [1, 2], { role: 'leader', term: 2 })], allDurable());
    expect(v.map((x) => x.property)).toEqual(['ElectionSafety']);
    expect(v[0].details).toMatchObject({ term: 2, leaders: ['a', 'b'] });
  });

  test('Log Matching: same index and term, different payload or predecessor', () => {
    const c = new RaftSafetyChecker();
    c.observe([member('a', [1, 1, 2])], allDurable());
    const payload = c.observe([member('b', [1, 1, 2], { payload: (i, t) => (i === 3 ? 'other' : `e${i}t${t}`) })], allDurable());
    expect(payload.map((x) => x.property)).toEqual(['LogMatching']);
    const prev = c.observe([member('c', [1, 3, 2], { payload: (i, t) => (i === 3 ? 'e3t2' : `e${i}t${t}`) })], allDurable());
    expect(prev.map((x) => x.property)).toEqual(['LogMatching']);
  });

  test('Leader Completeness: a new leader lacking a committed entry', () => {
    const c = new RaftSafetyChecker();
    c.observe([member('a', [1, 1, 2], { commit: 3 })], allDurable());
    const v = c.observe([member('b', [1, 1], { role: 'leader', term: 3 })], allDurable());
    expect(v.map((x) => x.property)).toEqual(['LeaderCompleteness']);
    expect(v[0].details).toMatchObject({ leader: 'b', index: 3, committedTerm: 2 });
  });

  test('State Machine Safety: two members apply different entries at one index', () => {
    const c = new RaftSafetyChecker();
    c.observe([member('a', [1, 2], { applied: 2 })], allDurable());
    const v = c.observe([member('b', [1, 3], { applied: 2 })], allDurable());
    expect(v.map((x) => x.property)).toEqual(['StateMachineSafety']);
  });

  test('Leader Append-Only: a leader that loses its last entry', () => {
    const c = new RaftSafetyChecker();
    c.observe([member('a', [1, 2, 2], { role: 'leader', term: 2 })], allDurable());
    const v = c.observe([member('a', [1, 2], { role: 'leader', term: 2 })], allDurable());
    expect(v.map((x) => x.property)).toContain('LeaderAppendOnly');
  });

  test('a committed entry must be synced on a quorum when it is committed', () => {
    const c = new RaftSafetyChecker();
    const onlyA = new Map<string, RaftDurableView>([
      ['a', { syncedEntryTerm: (i) => (i <= 2 ? 1 : undefined) }],
      ['b', { syncedEntryTerm: () => undefined }],
      ['c', { syncedEntryTerm: () => undefined }],
    ]);
    const v = c.observe([member('a', [1, 1], { commit: 2, role: 'leader', term: 1 })], onlyA);
    expect(v.map((x) => x.property)).toEqual(['CommittedNotDurable', 'CommittedNotDurable']);
    expect(v[0].details).toMatchObject({ syncedOn: ['a'] });
  });

  test('a member replacing a committed entry it held; stale entries at committed indexes are fine', () => {
    const c = new RaftSafetyChecker();
    c.observe([member('a', [1, 2], { commit: 2 }), member('b', [1, 3])], allDurable()); // b is merely stale
    expect(c.violations).toEqual([]);
    const entriesA: RaftEntryView[] = [{ index: 1, term: 1, data: 'e1t1' }, { index: 2, term: 4, data: 'x' }];
    const v = c.observe([{ ...member('a', [1, 4]), entry: (i) => entriesA[i - 1] }], allDurable());
    expect(v.map((x) => x.property)).toContain('CommittedEntryChanged');
  });

  test('a clean history passes, incrementally', () => {
    const c = new RaftSafetyChecker();
    for (let n = 1; n <= 20; n++) {
      const terms = Array.from({ length: n }, () => 1);
      c.observe([member('a', terms, { role: 'leader', term: 1, commit: n, applied: n }), member('b', terms, { commit: n - 1, applied: n - 1 })], allDurable());
    }
    expect(c.violations).toEqual([]);
  });

  test('applied-state agreement compares members at equal applied index only', () => {
    const a = member('a', [1], { applied: 5, kvHash: () => 'h1' });
    const b = member('b', [1], { applied: 5, kvHash: () => 'h2' });
    const lagging = member('c', [1], { applied: 4, kvHash: () => 'h0' });
    expect(checkAppliedStateAgreement([a, lagging])).toEqual([]);
    expect(checkAppliedStateAgreement([a, b, lagging]).map((v) => v.property)).toEqual(['AppliedStateAgreement']);
  });
});
