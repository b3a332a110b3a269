// Dead watches: with `liveness` (client-go's HTTP/2 ReadIdleTimeout 30 s / PingTimeout 15 s) a watch silent
// for 30 s gets a health probe of its apiserver; no answer in 15 s and the watch is closed and the
// reflector relists after its back-off, instead of staying silently dead until the 330 s stall timeout.
import { describe, expect, it } from 'vitest';
import type { ApiRequestMessage } from '../../src/apiserver/protocol.ts';
import {
  CONNECTION_LOST_WATCH_MESSAGE, DEFAULT_INFORMER_OPTIONS, WATCH_LIVENESS, informerDeadline, newInformer, ownsHealthProbe, receiveHealthOk, receiveResponse, startInformer, tickInformer,
  type InformerState, type KubeObject,
} from '../../src/client/index.ts';
import { podSpec } from './informer-host.ts';

function watching(liveness = true): InformerState<KubeObject> {
  const state = newInformer(podSpec, { ...DEFAULT_INFORMER_OPTIONS, ...(liveness ? { liveness: WATCH_LIVENESS } : {}), apiserver: 'apiserver-0', idPrefix: 'c#1' });
  const listing = startInformer(podSpec, state, 0);
  const requestId = (listing.sends[0].message as ApiRequestMessage).requestId;
  const listed = receiveResponse(podSpec, listing.state, { type: 'api.response', requestId, code: 200, body: { metadata: { resourceVersion: '5' }, items: [] } }, 10);
  expect(listed.state.phase).toBe('watching');
  return listed.state;
}

describe('informer watch liveness (health probes)', () => {
  it('probes the apiserver after 30 s of silence and re-watches when it does not answer within 15 s', () => {
    const s0 = watching();
    const watchId = s0.watch!.requestId;
    expect(informerDeadline(s0)).toBe(10 + 30_000);
    expect(tickInformer(podSpec, s0, 30_000).probes ?? []).toEqual([]);
    const probed = tickInformer(podSpec, s0, 30_010);
    expect(probed.probes).toEqual([{ to: 'apiserver-0', message: { type: 'health.probe', id: probed.state.watch!.probe!.id } }]);
    expect(probed.sends).toEqual([]);
    expect(informerDeadline(probed.state)).toBe(45_010);
    const dead = tickInformer(podSpec, probed.state, 45_010);
    expect(dead.sends).toEqual([{ to: 'apiserver-0', message: { type: 'api.watch.cancel', requestId: watchId } }]);
    // The watch ended with client-go's "http2: client connection lost" error: ListAndWatch returns, and
    // after the reflector's back-off (800 ms at first) it relists, not merely re-watches.
    expect(dead.state.phase).toBe('backoff');
    expect(dead.state.lastError).toMatchObject({ code: 500, reason: 'InternalError', message: CONNECTION_LOST_WATCH_MESSAGE });
    expect(informerDeadline(dead.state)).toBe(45_810);
    const relist = tickInformer(podSpec, dead.state, 45_810);
    expect(relist.state.phase).toBe('listing');
    expect((relist.sends[0].message as ApiRequestMessage).request).toMatchObject({ verb: 'list', query: { resourceVersion: '5' } });
  });

  it('keeps a quiet watch whose apiserver answers, and probes again after the next idle spell', () => {
    const probed = tickInformer(podSpec, watching(), 30_010);
    const id = probed.state.watch!.probe!.id;
    expect(ownsHealthProbe(probed.state, id)).toBe(true);
    expect(ownsHealthProbe(probed.state, 'someone-else')).toBe(false);
    const alive = receiveHealthOk(probed.state, id, 30_020).state;
    expect(alive.watch!.probe).toBeUndefined();
    expect(alive.watch!.requestId).toBe(probed.state.watch!.requestId);
    expect(tickInformer(podSpec, alive, 45_010).sends).toEqual([]);
    expect(informerDeadline(alive)).toBe(60_020);
    expect(tickInformer(podSpec, alive, 60_020).probes).toHaveLength(1);
  });

  it('is off without the option: a silent watch waits for the stall timeout', () => {
    const s0 = watching(false);
    const later = tickInformer(podSpec, s0, 100_000);
    expect(later.probes).toBeUndefined();
    expect(later.sends).toEqual([]);
    expect(informerDeadline(s0)).toBe(10 + DEFAULT_INFORMER_OPTIONS.stallTimeoutMs);
  });
});
