import { afterEach, describe, expect, it } from 'vitest';
import type { ApiRequestMessage, WatchEventBody } from '../../src/apiserver/protocol.ts';
import { Simulation } from '../../src/host/simulation.ts';
import { ApiBusClient } from '../../src/http/bus-client.ts';

/**
 * The front door relays a numbered watch stream as one HTTP stream: a repeated bus message is dropped, a
 * lost one ends the HTTP stream (so kubectl watches again from its last resourceVersion) and tells the
 * apiserver to stop.
 */
const clients: ApiBusClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.close()));

function setup() {
  const sim = new Simulation({ seed: 1, link: { latency: { kind: 'constant', ms: 1 } } });
  const toApiserver: { type: string; requestId: string }[] = [];
  sim.bus.inbox('apiserver-0').subscribe((envelope) => {
    const message = envelope.message as unknown as ApiRequestMessage;
    toApiserver.push(message);
    if (message.type === 'api.request') sim.bus.send('apiserver-0', 'frontdoor-0', { type: 'api.response', requestId: message.requestId, code: 200, body: {} });
  });
  const client = new ApiBusClient({ bus: sim.bus, address: 'frontdoor-0', apiservers: ['apiserver-0'], requestTimeoutMs: 60_000 });
  clients.push(client);
  return { sim, client, toApiserver };
}

const event = (name: string): WatchEventBody => ({ type: 'ADDED', object: { metadata: { name } } });

async function openWatch(sim: Simulation, client: ApiBusClient) {
  const opening = client.watch({ verb: 'watch', group: '', version: 'v1', resource: 'configmaps' });
  sim.runFor(10);
  const opened = await opening;
  const seen: string[] = [];
  let closed = false;
  opened.start({ onEvents: (events) => seen.push(...events.map((e) => (e.object as { metadata: { name: string } }).metadata.name)), onClosed: () => { closed = true; } });
  return { seen, isClosed: () => closed };
}

describe('front door watch relay', () => {
  it('drops a repeated message and ends the stream on a gap', async () => {
    const { sim, client, toApiserver } = setup();
    const watch = await openWatch(sim, client);
    const requestId = toApiserver[0].requestId;
    const send = (seq: number, name: string) => sim.bus.send('apiserver-0', 'frontdoor-0', { type: 'api.watch', requestId, seq, events: [event(name)] });
    send(1, 'a');
    send(1, 'a');
    send(2, 'b');
    sim.runFor(10);
    expect(watch.seen).toEqual(['a', 'b']);
    expect(watch.isClosed()).toBe(false);
    send(4, 'd');
    sim.runFor(10);
    expect(watch.seen).toEqual(['a', 'b']);
    expect(watch.isClosed()).toBe(true);
    expect(toApiserver.some((m) => m.type === 'api.watch.cancel' && m.requestId === requestId)).toBe(true);
  });
});
