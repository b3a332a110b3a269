// A small real workload driven through MvccStore + WatchHub, recorded as checker input.
import { MvccStore, WatchHub } from '../../../src/etcd/mvcc/index.ts';
import type { Commit, WatchRequest, WatchResponse } from '../../../src/etcd/mvcc/index.ts';
import type { CheckedWatchResponse, WatchSession } from '../../../src/check/watch/index.ts';

export interface Recorded {
  store: MvccStore;
  hub: WatchHub;
  history: Commit[];
}

/**
 * Revisions: 2 +/w/a · 3 +/x (unwatched) · 4 txn +/w/b +/w/c · 5 -/w/a · 6 +/w/b · 7 txn +/w/d -/w/c +/x · 8 +/w/a
 */
export function workload(): Recorded {
  const store = new MvccStore();
  const history: Commit[] = [];
  store.subscribe((c) => history.push(c));
  const hub = new WatchHub(store);
  return { store, hub, history };
}

export function runWorkload(r: Recorded, afterEach: () => void = () => {}): void {
  const steps: Array<() => void> = [
    () => r.store.put({ key: '/w/a', value: 'a1' }),
    () => r.store.put({ key: '/x', value: 'x1' }),
    () =>
      r.store.txn({
        compare: [],
        success: [
          { type: 'put', key: '/w/b', value: 'b1' },
          { type: 'put', key: '/w/c', value: 'c1' },
        ],
        failure: [],
      }),
    () => r.store.deleteRange({ key: '/w/a' }),
    () => r.store.put({ key: '/w/b', value: 'b2' }),
    () =>
      r.store.txn({
        compare: [],
        success: [
          { type: 'put', key: '/w/d', value: 'd1' },
          { type: 'deleteRange', key: '/w/c' },
          { type: 'put', key: '/x', value: 'x2' },
        ],
        failure: [],
      }),
    () => r.store.put({ key: '/w/a', value: 'a2' }),
  ];
  for (const step of steps) {
    step();
    afterEach();
  }
}

/** Responses of one watch id from a drained batch. */
export function responsesOf(all: WatchResponse[], watchId: number): WatchResponse[] {
  return all.filter((x) => x.watchId === watchId);
}

/** A session watching /w/ live from the start: created, then one response per matching revision. */
export function liveSession(): { recorded: Recorded; session: WatchSession } {
  const recorded = workload();
  const request: WatchRequest = { key: '/w/', prefix: true, prevKv: true };
  const id = recorded.hub.watch(request);
  runWorkload(recorded);
  return { recorded, session: { request, responses: responsesOf(recorded.hub.drain(), id) } };
}

/** Deep copy of a response list, for planting faults without touching the original. */
export function cloneResponses(rs: readonly CheckedWatchResponse[]): CheckedWatchResponse[] {
  return JSON.parse(JSON.stringify(rs));
}
