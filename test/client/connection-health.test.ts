// One health check per connection (client-go's HTTP/2 ReadIdleTimeout 30 s / PingTimeout 15 s): any frame
// read keeps it quiet; 30 s without one sends one ping per apiserver, however many informers share the
// connection; no ack in 15 s and the connection is lost, and every informer on it relists.
import { describe, expect, it } from 'vitest';
import type { ApiRequestMessage } from '../../src/apiserver/protocol.ts';
import {
  DEFAULT_INFORMER_OPTIONS, connectionProbeAnswered, connectionRead, connectionsDeadline, informerConnectionLost, newConnectionHealth,
  newInformer, ownsConnectionProbe, receiveResponse, startInformer, tickConnections, type InformerState, type KubeObject,
} from '../../src/client/index.ts';
import { podSpec } from './informer-host.ts';

function watching(apiserver = 'apiserver-0'): InformerState<KubeObject> {
  const state = newInformer(podSpec, { ...DEFAULT_INFORMER_OPTIONS, apiserver, idPrefix: 'c#1' });
  const listing = startInformer(podSpec, state, 0);
  const requestId = (listing.sends[0].message as ApiRequestMessage).requestId;
  return receiveResponse(podSpec, listing.state, { type: 'api.response', requestId, code: 200, body: { metadata: { resourceVersion: '5' }, items: [] } }, 10).state;
}

describe('connection health (one HTTP/2 ping per connection)', () => {
  it('pings each idle connection once, 30 s after its last read, and gives it up 15 s later', () => {
    let health = newConnectionHealth('kcm-0#0', ['apiserver-0', 'apiserver-lb'], 0);
    health = connectionRead(health, 'apiserver-0', 1_000);
    expect(connectionsDeadline(health)).toBe(30_000);
    const first = tickConnections(health, 30_000);
    expect(first.probes).toEqual([{ to: 'apiserver-lb', message: { type: 'health.probe', id: 'kcm-0#0/conn/apiserver-lb/ping-1' } }]);
    expect(first.lost).toEqual([]);
    expect(connectionsDeadline(first.state)).toBe(31_000);
    const second = tickConnections(first.state, 31_000);
    expect(second.probes.map((p) => p.to)).toEqual(['apiserver-0']);
    // Ticking again before the timeout sends nothing more.
    expect(tickConnections(second.state, 44_999)).toMatchObject({ probes: [], lost: [] });
    const lost = tickConnections(second.state, 45_000);
    expect(lost.lost).toEqual(['apiserver-lb']);
    expect(lost.state.lost).toBe(1);
    // The redialled connection's idle clock starts over.
    expect(lost.state.connections['apiserver-lb']).toEqual({ lastReadAt: 45_000 });
  });

  it('a ping ack or any read keeps the connection; an unknown id or address changes nothing', () => {
    const probed = tickConnections(newConnectionHealth('p#0', ['apiserver-0'], 0), 30_000);
    const id = probed.probes[0].message.id;
    expect(ownsConnectionProbe(probed.state, id)).toBe(true);
    expect(ownsConnectionProbe(probed.state, 'other')).toBe(false);
    expect(connectionProbeAnswered(probed.state, 'other', 30_005)).toBe(probed.state);
    const acked = connectionProbeAnswered(probed.state, id, 30_005);
    expect(acked.connections['apiserver-0']).toEqual({ lastReadAt: 30_005 });
    expect(tickConnections(acked, 45_000).lost).toEqual([]);
    expect(connectionsDeadline(acked)).toBe(60_005);
    const read = connectionRead(probed.state, 'apiserver-0', 40_000);
    expect(read.connections['apiserver-0'].probe).toBeUndefined();
    expect(connectionRead(read, 'someone-else', 41_000)).toBe(read);
    expect(connectionRead(read, 'apiserver-0', 40_000)).toBe(read);
  });

  it('a lost connection fails the watches and lists on it (relist after the back-off), not those on others', () => {
    const w = watching();
    const lost = informerConnectionLost(w, 'apiserver-0', 45_000);
    expect(lost.sends).toEqual([{ to: 'apiserver-0', message: { type: 'api.watch.cancel', requestId: w.watch!.requestId } }]);
    expect(lost.state.phase).toBe('backoff');
    expect(lost.state.backoff.until).toBe(45_800);
    expect(lost.state.backoff.rewatch).toBe(false);
    expect(lost.state.stats.stalls).toBe(1);
    expect(informerConnectionLost(w, 'apiserver-1', 45_000).state).toBe(w);
    const listing = startInformer(podSpec, newInformer(podSpec, { ...DEFAULT_INFORMER_OPTIONS, apiserver: 'apiserver-0', idPrefix: 'c#1' }), 0).state;
    const failedList = informerConnectionLost(listing, 'apiserver-0', 45_000);
    expect(failedList.sends).toEqual([]);
    expect(failedList.state.phase).toBe('backoff');
    const stopped = newInformer(podSpec, { ...DEFAULT_INFORMER_OPTIONS, apiserver: 'apiserver-0', idPrefix: 'c#1' });
    expect(informerConnectionLost(stopped, 'apiserver-0', 45_000).state).toBe(stopped);
  });
});
