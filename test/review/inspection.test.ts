import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { gossipMachine } from '../../machines/gossip/gossip.machine.ts';
import { Simulation } from '../../src/host/simulation.ts';
import { ActorNames } from '../../src/review/inspection/actor-names.ts';
import { inspectFilter } from '../../src/review/inspection/address-filter.ts';
import { startBridgeServer } from '../../src/review/inspection/bridge-server.ts';

/** Runs gossip peers with a fake inspector observer; returns the inspection events it received. */
function inspectGossip(filter: string | undefined, peers = ['peer-0', 'peer-1', 'peer-2', 'node-1/peer']): InspectionEvent[] {
  const events: InspectionEvent[] = [];
  const sim = new Simulation({ seed: 4, inspect: { observer: { next: (event) => events.push(event) }, filter: inspectFilter(filter) } });
  for (const peer of peers) sim.add(peer, gossipMachine, { peers });
  sim.runUntil(500);
  sim.crash('peer-1');
  sim.restart('peer-1');
  sim.runUntil(800);
  return events;
}

const addressOf = (event: InspectionEvent) =>
  (event.actorRef as unknown as { options: { input: { address: string } } }).options.input.address;

describe('live inspection', () => {
  it('filters components by name, glob or comma list; no filter follows everyone', () => {
    const one = inspectFilter('etcd-2');
    expect([one('etcd-2'), one('etcd-20'), one('etcd-1')]).toEqual([true, false, false]);
    const nodes = inspectFilter('node-*,etcd-1');
    expect(['node-1', 'node-2/kubelet', 'etcd-1'].every(nodes)).toBe(true);
    expect(nodes('apiserver-0')).toBe(false);
    expect(inspectFilter(undefined)('anything')).toBe(true);
    expect(inspectFilter('  ')('anything')).toBe(true);
  });

  it('sends the observer inspection events of the selected actors only', () => {
    const events = inspectGossip('peer-1,node-*');
    expect(events.length).toBeGreaterThan(20);
    expect(new Set(events.map(addressOf))).toEqual(new Set(['peer-1', 'node-1/peer']));
    // The restart is a new actor, inspected too.
    expect(events.filter((event) => event.type === '@xstate.actor').map(addressOf)).toEqual(['peer-1', 'node-1/peer', 'peer-1']);
    expect(events.some((event) => event.type === '@xstate.event' && event.event.type === 'gossip')).toBe(true);
    expect(new Set(inspectGossip(undefined).map(addressOf)).size).toBe(4);
  });

  it('names actors by address and incarnation for the inspector', () => {
    const registrations = inspectGossip('peer-1').filter((event) => event.type === '@xstate.actor');
    const fresh = new ActorNames();
    registrations.forEach((event) => fresh.observe(event));
    expect(registrations.map((event) => fresh.nameOf(event.actorRef.sessionId))).toEqual(['peer-1', 'peer-1 (incarnation 1)']);
    const session = registrations[1].actorRef.sessionId;
    expect(fresh.rename({ type: '@xstate.actor', sessionId: session, name: 'gossip' }).name).toBe('peer-1 (incarnation 1)');
    expect(fresh.rename({ type: '@xstate.snapshot', sessionId: session })).toEqual({ type: '@xstate.snapshot', sessionId: session });
  });

  it('bridges the run to browsers on 127.0.0.1, replaying what came before they connected', async () => {
    const bridge = await startBridgeServer(0);
    try {
      expect(bridge.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(bridge.pageUrl).then((response) => response.text());
      expect(page).toContain(`new WebSocket('${bridge.url}')`);
      const run = await connect(bridge.url);
      run.send('{"type":"@xstate.actor","n":1}');
      run.send('{"type":"@xstate.event","n":2}');
      await until(() => bridge.received() === 2);
      const seen: string[] = [];
      const browser = await connect(bridge.url, (data) => seen.push(data));
      run.send('{"type":"@xstate.snapshot","n":3}');
      await until(() => seen.length === 3);
      expect(seen.map((text) => JSON.parse(text).n)).toEqual([1, 2, 3]);
      run.close();
      browser.close();
    } finally {
      await bridge.close();
    }
  });
});

interface Socket {
  onmessage: (message: { data: unknown }) => void;
  send(text: string): void;
  close(): void;
}

/**
 * A WebSocket client: `ws`, which @statelyai/inspect brings (Node 20 has no global WebSocket). The
 * listener is attached before the socket opens: the bridge replays its buffer right on connection.
 */
async function connect(url: string, onMessage: (data: string) => void = () => {}): Promise<Socket> {
  const specifier = 'ws';
  const { WebSocket } = (await import(specifier)) as { WebSocket: new (url: string) => Socket & { onopen: () => void; onerror: () => void } };
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.onmessage = (message) => onMessage(String(message.data));
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
