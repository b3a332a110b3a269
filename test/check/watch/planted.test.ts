// Each planted fault must be flagged, and flagged under the right guarantee only.
import { describe, expect, it } from 'vitest';
import { checkWatch } from '../../../src/check/watch/index.ts';
import type { CheckedWatchResponse, WatchCheckInput, WatchGuarantee, WatchSession } from '../../../src/check/watch/index.ts';
import { cloneResponses, liveSession, responsesOf, runWorkload, workload } from './scenario.ts';

function flagged(input: WatchCheckInput): WatchGuarantee[] {
  return [...new Set(checkWatch(input).map((v) => v.guarantee))].sort();
}

/** The honest live stream: [created, r2, r4, r5, r6, r7, r8]. */
function base() {
  const { recorded, session } = liveSession();
  const revs = session.responses.map((r) => r.events[0]?.kv.modRevision ?? 0);
  expect(revs).toEqual([0, 2, 4, 5, 6, 7, 8]);
  const input = (responses: CheckedWatchResponse[]): WatchCheckInput => ({
    history: recorded.history,
    watchers: [{ watcher: 'w', sessions: [{ request: session.request, responses }] }],
    drainedThrough: recorded.store.revision,
  });
  return { responses: cloneResponses(session.responses), input };
}

describe('planted watch faults', () => {
  it('the honest stream passes', () => {
    const { responses, input } = base();
    expect(checkWatch(input(responses))).toEqual([]);
  });

  it('skipping a revision breaks Reliable', () => {
    const { responses, input } = base();
    responses.splice(3, 1); // drop r5
    expect(flagged(input(responses))).toEqual(['Reliable']);
    expect(checkWatch(input(responses))[0].detail.revisions).toEqual([5]);
  });

  it('a lost tail breaks Reliable once the trace is drained', () => {
    const { responses, input } = base();
    responses.pop(); // drop r8
    expect(flagged(input(responses))).toEqual(['Reliable']);
  });

  it('delivering an event twice breaks Unique', () => {
    const { responses, input } = base();
    const r6 = responses[4];
    r6.events = [...r6.events, r6.events[0]];
    expect(flagged(input(responses))).toEqual(['Unique']);
  });

  it('splitting a txn’s events across two responses breaks Atomic', () => {
    const { responses, input } = base();
    const r7 = responses[5];
    const [first, ...rest] = r7.events;
    responses.splice(5, 1, { ...r7, events: [first] }, { ...r7, events: rest });
    expect(flagged(input(responses))).toEqual(['Atomic']);
  });

  it('dropping part of a txn breaks Atomic', () => {
    const { responses, input } = base();
    responses[2].events = responses[2].events.slice(0, 1); // r4 without /w/c
    expect(flagged(input(responses))).toEqual(['Atomic']);
  });

  it('delivering revisions out of order breaks Ordered', () => {
    const { responses, input } = base();
    [responses[3], responses[4]] = [responses[4], responses[3]]; // r6 before r5
    expect(flagged(input(responses))).toEqual(['Ordered']);
  });

  it('reordering events inside a revision breaks Ordered', () => {
    const { responses, input } = base();
    responses[5].events = [...responses[5].events].reverse();
    expect(flagged(input(responses))).toEqual(['Ordered']);
  });

  it('a progress notification ahead of delivered events breaks Bookmarkable', () => {
    const { responses, input } = base();
    responses.splice(4, 0, { header: { revision: 7 }, events: [], progressNotify: true }); // after r5, before r6/r7
    const violations = checkWatch(input(responses));
    expect(flagged(input(responses))).toEqual(['Bookmarkable']);
    expect(violations.map((v) => v.detail.revision)).toEqual([7, 6, 7, 7]); // the bookmark, then r6 and r7's events
  });

  it('an honest progress notification passes, with or without the explicit flag', () => {
    const { responses, input } = base();
    responses.splice(4, 0, { header: { revision: 5 }, events: [] });
    responses.push({ header: { revision: 8 }, events: [], progressNotify: true });
    expect(checkWatch(input(responses))).toEqual([]);
  });

  it('an event that never happened, or happened differently, breaks Valid', () => {
    const { responses, input } = base();
    responses[4].events = [{ ...responses[4].events[0], kv: { ...responses[4].events[0].kv, value: 'forged' } }];
    expect(flagged(input(responses))).toEqual(['Valid']);
    const phantom = base();
    const real = phantom.responses[4].events[0];
    phantom.responses[4].events = [real, { ...real, kv: { ...real.kv, key: '/w/zzz' } }];
    expect(flagged(phantom.input(phantom.responses))).toEqual(['Valid']);
    // Substituting the phantom for the real event also loses the real one from revision 6.
    phantom.responses[4].events = [phantom.responses[4].events[1]];
    expect(flagged(phantom.input(phantom.responses))).toEqual(['Atomic', 'Valid']);
  });
});

describe('planted resume faults', () => {
  /** Session 1 sees r2 and r4 live, disconnects; session 2 is served from `serveFrom` while asking `ask`. */
  function resumed(ask: number, serveFrom: number) {
    const recorded = workload();
    const request = { key: '/w/', prefix: true };
    const first = recorded.hub.watch(request);
    let steps = 0;
    let session1: CheckedWatchResponse[] = [];
    runWorkload(recorded, () => {
      if (++steps === 3) session1 = responsesOf(recorded.hub.drain(), first); // created, r2, r4
    });
    recorded.hub.cancel(first); // the connection dies; the client never sees the rest
    recorded.hub.drain();
    const second = recorded.hub.watch({ ...request, startRevision: serveFrom });
    const sessions: WatchSession[] = [
      { request, responses: session1 },
      { request: { ...request, startRevision: ask }, responses: responsesOf(recorded.hub.drain(), second) },
    ];
    return { history: recorded.history, watchers: [{ watcher: 'w', sessions }], drainedThrough: recorded.store.revision };
  }

  it('an honest resume from last revision + 1 passes', () => {
    expect(checkWatch(resumed(5, 5))).toEqual([]);
  });

  it('resuming from a revision before the last one seen (re-delivering) breaks Resumable', () => {
    const input = resumed(4, 4);
    expect(flagged(input)).toEqual(['Resumable']);
  });

  it('resuming past unseen events (losing them) breaks Resumable', () => {
    expect(flagged(resumed(6, 6))).toEqual(['Resumable']);
  });

  it('a server that replays from the wrong revision breaks Resumable', () => {
    expect(flagged(resumed(5, 6))).toEqual(['Resumable']); // skipped r5
    expect(flagged(resumed(5, 3))).toEqual(['Resumable']); // replayed r4 again
  });
});
