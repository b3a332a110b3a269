import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/bus/bus.ts';
import type { BusEvent, Envelope } from '../../src/bus/envelope.ts';
import { Network, type LinkModel } from '../../src/bus/network.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { Random } from '../../src/sim/random.ts';

function setup(link: Partial<LinkModel> = {}, seed = 1) {
  const clock = new VirtualClock();
  const network = new Network(Random.root(seed).stream('network'), link);
  const bus = new Bus(clock, network);
  const received = new Map<string, Envelope[]>();
  const listen = (address: string) => {
    received.set(address, []);
    return bus.inbox(address).subscribe((e) => received.get(address)!.push(e));
  };
  const events: BusEvent[] = [];
  bus.tap.subscribe((e) => events.push(e));
  return { clock, network, bus, received, listen, events };
}

const msg = (n: number) => ({ type: 'ping', n });

describe('Bus routing and the network model', () => {
  it('delivers by address after the link latency, with sender and type on the envelope', () => {
    const { clock, bus, received, listen } = setup({ latency: { kind: 'constant', ms: 5 } });
    listen('b');
    listen('c');
    bus.send('a', 'b', msg(1));
    clock.runUntil(4);
    expect(received.get('b')).toHaveLength(0);
    clock.runUntil(5);
    expect(received.get('b')!.map((e) => [e.from, e.type, e.sentAt, e.deliverAt])).toEqual([['a', 'ping', 0, 5]]);
    expect(received.get('c')).toHaveLength(0);
  });

  it('lets a fault hold messages back before the wire, and send them again later', () => {
    const { clock, bus, received, listen } = setup({ latency: { kind: 'constant', ms: 1 } });
    listen('b');
    const held: { from: string; to: string; message: { type: string } }[] = [];
    bus.holdSends((from, to, message) => (message as { n?: number }).n === 2 && (held.push({ from, to, message }), true));
    expect(bus.send('a', 'b', msg(1))).toBeGreaterThanOrEqual(0);
    expect(bus.send('a', 'b', msg(2))).toBe(-1);
    clock.runUntil(10);
    expect(received.get('b')!.map((e) => e.message.n)).toEqual([1]);
    expect(bus.stats.sent).toBe(1);
    bus.holdSends(null);
    for (const h of held) bus.send(h.from, h.to, h.message);
    clock.runUntil(20);
    expect(received.get('b')!.map((e) => e.message.n)).toEqual([1, 2]);
  });

  it('drops messages to an address nobody listens at, as unreachable', () => {
    const { clock, bus, events } = setup();
    bus.send('a', 'nobody', msg(1));
    clock.runUntilQuiet();
    expect(events.map((e) => e.kind === 'drop' && e.reason)).toEqual([false, 'unreachable']);
  });

  it('a symmetric partition delivers nothing across it, in either direction, until healed', () => {
    const { clock, bus, network, received, listen } = setup();
    for (const a of ['n1', 'n2', 'n3/kubelet']) listen(a);
    network.partition({ id: 'p', from: ['n1'], to: ['n2', 'n3'], oneWay: false });
    bus.send('n1', 'n2', msg(1));
    bus.send('n2', 'n1', msg(2));
    bus.send('n1', 'n3/kubelet', msg(3)); // a host entry covers its addresses
    bus.send('n2', 'n3/kubelet', msg(4)); // same side: delivered
    clock.runUntil(100);
    expect(received.get('n1')).toHaveLength(0);
    expect(received.get('n2')).toHaveLength(0);
    expect(received.get('n3/kubelet')!.map((e) => e.message)).toEqual([msg(4)]);
    network.heal('p');
    bus.send('n1', 'n2', msg(5));
    clock.runUntil(200);
    expect(received.get('n2')!.map((e) => e.message)).toEqual([msg(5)]);
  });

  it('a one-way partition cuts only its direction', () => {
    const { clock, bus, network, received, listen } = setup();
    listen('a');
    listen('b');
    network.partition({ id: 'p', from: ['a'], to: ['b'], oneWay: true });
    bus.send('a', 'b', msg(1));
    bus.send('b', 'a', msg(2));
    clock.runUntil(100);
    expect(received.get('b')).toHaveLength(0);
    expect(received.get('a')).toHaveLength(1);
  });

  it('loses a message that is in flight when a partition starts', () => {
    const { clock, bus, network, received, listen, events } = setup({ latency: { kind: 'constant', ms: 10 } });
    listen('b');
    bus.send('a', 'b', msg(1));
    clock.runUntil(5);
    network.partition({ id: 'p', from: ['a'], to: ['b'], oneWay: false });
    clock.runUntil(20);
    expect(received.get('b')).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ kind: 'drop', reason: 'partition' });
  });

  it('keeps a link FIFO when reordering is off, even with widely varying latency', () => {
    const { clock, bus, received, listen } = setup({ latency: { kind: 'uniform', minMs: 1, maxMs: 500 }, reorder: false });
    listen('b');
    for (let i = 0; i < 500; i++) {
      bus.send('a', 'b', msg(i));
      clock.runFor(1);
    }
    clock.runUntilQuiet();
    expect(received.get('b')!.map((e) => e.message.n as number)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('reorders when reordering is on', () => {
    const { clock, bus, received, listen } = setup({ latency: { kind: 'uniform', minMs: 1, maxMs: 500 }, reorder: true });
    listen('b');
    for (let i = 0; i < 500; i++) bus.send('a', 'b', msg(i));
    clock.runUntilQuiet();
    const order = received.get('b')!.map((e) => e.message.n as number);
    expect(order).toHaveLength(500);
    expect(order).not.toEqual([...order].sort((x, y) => x - y));
  });

  it('drops and duplicates at the configured rates, within statistical bounds', () => {
    const n = 20_000;
    const { clock, bus, received, listen } = setup({ drop: 0.1, duplicate: 0.05 });
    listen('b');
    for (let i = 0; i < n; i++) bus.send('a', 'b', msg(i));
    clock.runUntilQuiet();
    const got = received.get('b')!;
    const originals = got.filter((e) => e.copy === 0).length;
    const copies = got.filter((e) => e.copy === 1).length;
    // Binomial σ: drop ≈ 42 messages; copies ≈ 29. Bounds are 5σ.
    expect(Math.abs(n - originals - 0.1 * n)).toBeLessThan(5 * Math.sqrt(n * 0.1 * 0.9));
    expect(Math.abs(copies - 0.05 * originals)).toBeLessThan(5 * Math.sqrt(originals * 0.05 * 0.95));
    // A duplicate carries its original's id.
    const ids = new Set(got.filter((e) => e.copy === 0).map((e) => e.id));
    for (const copy of got.filter((e) => e.copy === 1)) expect(ids.has(copy.id)).toBe(true);
  });

  it('applies link overrides by address or host, layered, and restores them when removed', () => {
    const { network } = setup({ latency: { kind: 'constant', ms: 1 } });
    network.addLayer('slow', 'n1', '*', { latency: { kind: 'constant', ms: 100 } });
    network.addLayer('lossy', 'n1/kubelet', 'api', { drop: 0.5 });
    expect(network.link('n1/kubelet', 'api')).toMatchObject({ latency: { ms: 100 }, drop: 0.5 });
    expect(network.link('n2', 'api').latency).toEqual({ kind: 'constant', ms: 1 });
    network.removeLayer('slow');
    expect(network.link('n1/kubelet', 'api')).toMatchObject({ latency: { ms: 1 }, drop: 0.5 });
    network.removeLayer('lossy');
    expect(network.link('n1/kubelet', 'api').drop).toBe(0);
  });

  it('reports send, deliver and drop on the tap in the order they happen', () => {
    const { clock, bus, listen, events } = setup({ latency: { kind: 'constant', ms: 2 } });
    listen('b');
    bus.send('a', 'b', msg(1));
    bus.send('a', 'c', msg(2));
    clock.runUntilQuiet();
    expect(events.map((e) => `${e.kind}:${e.envelope.to}@${e.at}`)).toEqual(['send:b@0', 'send:c@0', 'deliver:b@2', 'drop:c@2']);
  });
});
