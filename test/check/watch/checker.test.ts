// Checker semantics on hand-written traces, independent of the store.
import { describe, expect, it } from 'vitest';
import { checkWatch } from '../../../src/check/watch/index.ts';
import type {
  CheckedEvent,
  CheckedKv,
  CheckedWatchRequest,
  CheckedWatchResponse,
  CommittedRevision,
  WatchGuarantee,
  WatchSession,
} from '../../../src/check/watch/index.ts';

function kv(key: string, value: string, rev: number, create: number, version: number): CheckedKv {
  return { key, value, modRevision: rev, createRevision: create, version, lease: 0 };
}
const put = (k: CheckedKv, prevKv?: CheckedKv): CheckedEvent => ({ type: 'PUT', kv: k, ...(prevKv ? { prevKv } : {}) });
const del = (key: string, rev: number, prevKv: CheckedKv): CheckedEvent => ({ type: 'DELETE', kv: kv(key, '', rev, 0, 0), prevKv });

const A1 = kv('/a', 'v1', 2, 2, 1);
const B1 = kv('/b', 'v1', 3, 3, 1);
const A2 = kv('/a', 'v2', 4, 2, 2);
const C1 = kv('/c', 'v1', 4, 4, 1);
const B2 = kv('/b', 'v2', 6, 3, 2);

const HISTORY: CommittedRevision[] = [
  { revision: 2, events: [put(A1)] },
  { revision: 3, events: [put(B1)] },
  { revision: 4, events: [put(A2, A1), put(C1)] },
  { revision: 5, events: [del('/a', 5, A2)] },
  { revision: 6, events: [put(B2, B1)] },
];

/** One response per revision, events stripped of prevKv unless asked. */
function honest(req: CheckedWatchRequest, from: number, withPrev = false): CheckedWatchResponse[] {
  const filters = req.filters ?? [];
  return HISTORY.filter((c) => c.revision >= from)
    .map((c) => ({
      header: { revision: c.revision },
      events: c.events
        .filter((e) => (req.prefix ? e.kv.key.startsWith(req.key) : e.kv.key === req.key))
        .filter((e) => !(e.type === 'PUT' && filters.includes('NOPUT')) && !(e.type === 'DELETE' && filters.includes('NODELETE')))
        .map((e) => (withPrev ? e : { type: e.type, kv: e.kv })),
    }))
    .filter((r) => r.events.length > 0);
}

function check(sessions: WatchSession[], drainedThrough?: number) {
  return checkWatch({ history: HISTORY, watchers: [{ watcher: 'client-1', sessions }], drainedThrough });
}
function flagged(sessions: WatchSession[], drainedThrough?: number): WatchGuarantee[] {
  return [...new Set(check(sessions, drainedThrough).map((v) => v.guarantee))].sort();
}

const ALL: CheckedWatchRequest = { key: '/', prefix: true, startRevision: 2 };

describe('checkWatch', () => {
  it('accepts honest streams, batched or not, and reports the watcher and session', () => {
    expect(check([{ request: ALL, responses: honest(ALL, 2) }], 6)).toEqual([]);
    const batched: CheckedWatchResponse[] = [{ header: { revision: 6 }, events: honest(ALL, 2).flatMap((r) => r.events) }];
    expect(check([{ request: ALL, responses: batched }], 6)).toEqual([]);
    const [v] = check([{ request: ALL, responses: honest(ALL, 3) }]);
    expect(v).toMatchObject({ guarantee: 'Resumable', watcher: 'client-1', detail: { session: 0, revision: 3, expected: 2 } });
  });

  it('uses the created response to place a "from now" watch', () => {
    const req: CheckedWatchRequest = { key: '/', prefix: true };
    const created: CheckedWatchResponse = { header: { revision: 3 }, events: [], created: true };
    expect(check([{ request: req, responses: [created, ...honest(ALL, 4)] }], 6)).toEqual([]);
    expect(flagged([{ request: req, responses: [created, ...honest(ALL, 5)] }])).toEqual(['Resumable']);
    expect(flagged([{ request: req, responses: [created, ...honest(ALL, 3)] }])).toEqual(['Resumable']);
  });

  it('respects key selection and filters', () => {
    const onlyA: CheckedWatchRequest = { key: '/a', startRevision: 1 };
    expect(check([{ request: onlyA, responses: honest(onlyA, 1) }], 6)).toEqual([]);
    expect(flagged([{ request: onlyA, responses: honest(ALL, 2) }])).toEqual(['Valid']);
    const noDelete: CheckedWatchRequest = { ...ALL, filters: ['NODELETE'] };
    expect(check([{ request: noDelete, responses: honest(noDelete, 2) }], 6)).toEqual([]);
    expect(flagged([{ request: noDelete, responses: honest(ALL, 2) }])).toEqual(['Valid']);
    const range: CheckedWatchRequest = { key: '/b', rangeEnd: '/c', startRevision: 2 };
    expect(check([{ request: range, responses: honest({ key: '/b', startRevision: 2 }, 2) }], 6)).toEqual([]);
  });

  it('validates prevKv: only when requested, never on creates, and correct', () => {
    const withPrev: CheckedWatchRequest = { ...ALL, prevKv: true };
    expect(check([{ request: withPrev, responses: honest(withPrev, 2, true) }], 6)).toEqual([]);
    // Omitting prevKv is allowed (etcd omits it when the previous revision is compacted).
    expect(check([{ request: withPrev, responses: honest(withPrev, 2) }], 6)).toEqual([]);
    expect(flagged([{ request: ALL, responses: honest(ALL, 2, true) }])).toEqual(['Valid']);
    const wrongPrev = honest(withPrev, 2, true);
    wrongPrev[4].events = [{ ...wrongPrev[4].events[0], prevKv: A1 }];
    expect(flagged([{ request: withPrev, responses: wrongPrev }])).toEqual(['Valid']);
    const prevOnCreate = honest(withPrev, 2, true);
    prevOnCreate[0].events = [{ ...prevOnCreate[0].events[0], prevKv: B1 }];
    expect(flagged([{ request: withPrev, responses: prevOnCreate }])).toEqual(['Valid']);
  });

  it('flags a response whose header is below its events', () => {
    const rs = honest(ALL, 2);
    rs[2] = { ...rs[2], header: { revision: 3 } };
    expect(flagged([{ request: ALL, responses: rs }])).toEqual(['Valid']);
  });

  it('a compaction cancel ends a session legitimately; the client then relists and watches afresh', () => {
    const compacted: CheckedWatchResponse[] = [
      { header: { revision: 6 }, events: [], created: true },
      { header: { revision: 6 }, events: [], canceled: true, compactRevision: 4 },
    ];
    const relist: CheckedWatchRequest = { key: '/', prefix: true, startRevision: 6 };
    expect(check([{ request: { ...ALL, startRevision: 2 }, responses: compacted }, { request: relist, responses: honest(ALL, 6) }], 6)).toEqual([]);
  });

  it('requires completeness only for a drained, still-open final session', () => {
    const partial = honest(ALL, 2).slice(0, 2);
    expect(check([{ request: ALL, responses: partial }])).toEqual([]);
    expect(flagged([{ request: ALL, responses: partial }], 6)).toEqual(['Reliable']);
    const canceled = [...partial, { header: { revision: 6 }, events: [], canceled: true }];
    expect(check([{ request: ALL, responses: canceled }], 6)).toEqual([]);
    // A session that got nothing at all while matching events exist:
    expect(flagged([{ request: ALL, responses: [] }], 6)).toEqual(['Reliable']);
  });

  it('accepts resuming from a progress notification + 1', () => {
    const onlyB: CheckedWatchRequest = { key: '/b', startRevision: 2 };
    const first: CheckedWatchResponse[] = [...honest(onlyB, 2).slice(0, 1), { header: { revision: 5 }, events: [], progressNotify: true }];
    const second = { request: { ...onlyB, startRevision: 6 }, responses: honest(onlyB, 6) };
    expect(check([{ request: onlyB, responses: first }, second], 6)).toEqual([]);
    // ... but not from beyond the next matching revision.
    const tooFar = { request: { ...onlyB, startRevision: 7 }, responses: [] };
    expect(flagged([{ request: onlyB, responses: first }, tooFar])).toEqual(['Resumable']);
  });

  it('judges watchers independently', () => {
    const good = { watcher: 'good', sessions: [{ request: ALL, responses: honest(ALL, 2) }] };
    const bad = { watcher: 'bad', sessions: [{ request: ALL, responses: honest(ALL, 2).reverse() }] };
    const violations = checkWatch({ history: HISTORY, watchers: [good, bad] });
    expect(violations.length).toBeGreaterThan(0);
    expect(new Set(violations.map((v) => v.watcher))).toEqual(new Set(['bad']));
  });
});
