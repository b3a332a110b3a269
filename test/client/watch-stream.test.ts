// A watch is one HTTP stream over TCP: every message in order, or a break. On the bus the informer gets
// that from the stream's numbering (`seq`): the next message is taken, a repeat is dropped, a gap breaks
// the stream (cancel it, watch again from the last resourceVersion processed).
import { describe, expect, it } from 'vitest';
import type { ApiRequestMessage, ApiResponseMessage, ApiWatchCancelMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import {
  DEFAULT_INFORMER_OPTIONS, newInformer, receiveResponse, receiveWatch, startInformer, storeList,
  type InformerOptions, type InformerState, type KubeObject,
} from '../../src/client/index.ts';
import { podSpec } from './informer-host.ts';

const OPTIONS: InformerOptions = { ...DEFAULT_INFORMER_OPTIONS, apiserver: 'apiserver-0', idPrefix: 't#0' };

function synced(options: InformerOptions = OPTIONS): InformerState<KubeObject> {
  const started = startInformer(podSpec, newInformer(podSpec, options), 0);
  const list: ApiResponseMessage = {
    type: 'api.response', requestId: started.state.list!.requestId, code: 200, body: { metadata: { resourceVersion: '10' }, items: [] },
  };
  return receiveResponse(podSpec, started.state, list, 0).state;
}

const added = (name: string, rv: number) => ({ type: 'ADDED' as const, object: { metadata: { name, namespace: 'd', resourceVersion: String(rv) } } });

function message(state: InformerState<KubeObject>, seq: number | undefined, events: ApiWatchMessage['events'], closed = false): ApiWatchMessage {
  return { type: 'api.watch', requestId: state.watch!.requestId, events, ...(closed ? { closed: true } : {}), ...(seq === undefined ? {} : { seq }) };
}

const names = (state: InformerState<KubeObject>) => storeList(state.store).map((o) => o.metadata?.name);

describe('watch stream numbering in the informer', () => {
  it('takes messages numbered 1, 2, 3 … and drops a repeat whole', () => {
    let state = synced();
    state = receiveWatch(podSpec, state, message(state, 1, [added('a', 11)]), 1).state;
    const again = receiveWatch(podSpec, state, message(state, 1, [added('a', 11)]), 2);
    expect(again.deltas).toEqual([]);
    expect(again.sends).toEqual([]);
    expect(again.state.stats.duplicateMessages).toBe(1);
    // A repeat is not proof that the stream is alive.
    expect(again.state.watch!.lastHeardAt).toBe(1);
    state = receiveWatch(podSpec, again.state, message(state, 2, [added('b', 12)]), 3).state;
    expect(names(state)).toEqual(['a', 'b']);
    expect(state.watch!.lastSeq).toBe(2);
    expect(state.stats.brokenStreams).toBe(0);
  });

  it('breaks the stream at a gap: cancels it and watches again from the last resourceVersion processed', () => {
    let state = synced();
    state = receiveWatch(podSpec, state, message(state, 1, [added('a', 11)]), 1).state;
    const oldStream = state.watch!.requestId;
    const gap = receiveWatch(podSpec, state, message(state, 3, [added('c', 13)]), 2);
    expect(gap.deltas).toEqual([]);
    expect(gap.state.stats.brokenStreams).toBe(1);
    expect(gap.state.lastSyncResourceVersion).toBe('11');
    const [cancel, rewatch] = gap.sends;
    expect(cancel.message).toEqual({ type: 'api.watch.cancel', requestId: oldStream } satisfies ApiWatchCancelMessage);
    const request = (rewatch.message as ApiRequestMessage).request;
    expect(request).toMatchObject({ verb: 'watch', query: { resourceVersion: '11', allowWatchBookmarks: true } });
    expect(gap.state.watch).toMatchObject({ requestId: (rewatch.message as ApiRequestMessage).requestId, lastSeq: 0 });
    expect(gap.state.phase).toBe('watching');
    // The lost message turning up late belongs to a stream the informer has left.
    const late = receiveWatch(podSpec, gap.state, { type: 'api.watch', requestId: oldStream, events: [added('b', 12)], seq: 2 }, 3);
    expect(late.state).toBe(gap.state);
    // The new stream starts at 1 again and replays what followed revision 11.
    const replay = receiveWatch(podSpec, gap.state, message(gap.state, 1, [added('b', 12), added('c', 13)]), 4);
    expect(names(replay.state)).toEqual(['a', 'b', 'c']);
  });

  it('does not cancel a stream whose out-of-order message already closed it', () => {
    const state = synced();
    const gap = receiveWatch(podSpec, state, message(state, 2, [], true), 1);
    expect(gap.sends.map((s) => s.message.type)).toEqual(['api.request']);
    expect(gap.state.stats.brokenStreams).toBe(1);
  });

  it('takes unnumbered messages as they come (test doubles that predate seq)', () => {
    let state = synced();
    state = receiveWatch(podSpec, state, message(state, undefined, [added('a', 11)]), 1).state;
    state = receiveWatch(podSpec, state, message(state, undefined, [added('b', 12)]), 2).state;
    expect(names(state)).toEqual(['a', 'b']);
    expect(state.stats.brokenStreams).toBe(0);
  });

  it('with the planted bug (ignore-watch-gaps) carries on past a gap and misses the lost event', () => {
    let state = synced({ ...OPTIONS, plant: 'ignore-watch-gaps' });
    state = receiveWatch(podSpec, state, message(state, 1, [added('a', 11)]), 1).state;
    const gap = receiveWatch(podSpec, state, message(state, 3, [added('c', 13)]), 2);
    expect(gap.sends).toEqual([]);
    expect(names(gap.state)).toEqual(['a', 'c']);
  });
});
