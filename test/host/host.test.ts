import { describe, expect, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import { gossipMachine, COUNTER_KEY } from '../../machines/gossip/gossip.machine.ts';
import { HEALTH_OK, HEALTH_PROBE, type HostedEmitted, type HostedInput } from '../../src/host/contract.ts';
import { DurableStore } from '../../src/host/durable-store.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { ComponentFailure, Simulation } from '../../src/host/simulation.ts';

const peers = ['a', 'b', 'c'];

function gossipSim(seed = 1, syncEvery = 3) {
  const sim = new Simulation({ seed });
  for (const p of peers) sim.add(p, gossipMachine, { peers, syncEvery });
  return sim;
}

const context = (sim: Simulation, address: string) =>
  sim.host(address).snapshot()!.context as { counter: number; known: Record<string, number> };

describe('DurableStore', () => {
  it('keeps synced writes, flushes un-synced ones on a process crash and loses them on power loss', () => {
    const disk = new DurableStore();
    disk.write('x', 1);
    disk.sync();
    disk.write('x', 2);
    disk.write('y', 3);
    expect(disk.get('x')).toBe(2);
    expect(disk.crash(false)).toBe(0);
    expect([...disk.syncedView()]).toEqual([['x', 2], ['y', 3]]);

    disk.write('x', 4);
    disk.delete('y');
    expect(disk.crash(true)).toBe(2);
    expect([...disk.syncedView()]).toEqual([['x', 2], ['y', 3]]);
  });
});

describe('ComponentHost', () => {
  it('a crashed actor loses its volatile state and keeps its synced durable state', () => {
    const sim = gossipSim();
    sim.runUntil(2_000);
    const before = context(sim, 'a');
    expect(Object.keys(before.known).sort()).toEqual(peers); // learned from the others
    const synced = sim.host('a').disk.syncedView().get(COUNTER_KEY) as number;
    sim.crash('a', { loseUnsynced: true });
    expect(sim.host('a').snapshot()).toBeUndefined();
    sim.restart('a');
    const after = context(sim, 'a');
    expect(after.counter).toBe(synced);
    expect(Object.keys(after.known)).toEqual(['a']); // what it had learned was volatile
    expect(sim.host('a').incarnation).toBe(1);
  });

  it('loses un-synced writes only when the fault says so', () => {
    const run = (loseUnsynced: boolean) => {
      const sim = gossipSim(5, 1_000); // almost never syncs: writes stay in the page cache
      sim.runUntil(1_000);
      const counter = context(sim, 'b').counter;
      expect(counter).toBeGreaterThan(0);
      expect(sim.host('b').disk.unsyncedCount).toBeGreaterThan(0);
      sim.crash('b', { loseUnsynced });
      sim.restart('b');
      return { counter, restored: context(sim, 'b').counter };
    };
    const processCrash = run(false);
    expect(processCrash.restored).toBe(processCrash.counter);
    const powerLoss = run(true);
    expect(powerLoss.restored).toBe(0);
  });

  it('delivers nothing to a crashed component and stops its timers', () => {
    const sim = gossipSim();
    sim.runUntil(500);
    sim.crash('c');
    const pendingBefore = (sim.clock as VirtualClock).pending;
    const delivered = sim.bus.stats.delivered;
    let deliveredToC = 0;
    sim.bus.tap.subscribe((e) => { if (e.kind === 'deliver' && e.envelope.to === 'c') deliveredToC++; });
    sim.runUntil(3_000);
    expect(deliveredToC).toBe(0);
    expect(sim.bus.stats.delivered).toBeGreaterThan(delivered);
    expect(pendingBefore).toBeLessThan(10);
  });

  it('surfaces an exception inside a machine as a ComponentFailure with its address', () => {
    const broken = setup({
      types: { input: {} as HostedInput, emitted: {} as HostedEmitted },
      actions: { explode: () => { throw new Error('boom'); } },
      delays: { soon: 10 },
    }).createMachine({ initial: 'ok', states: { ok: { after: { soon: { actions: 'explode' } } } } });
    const sim = new Simulation({ seed: 1 });
    sim.add('x', broken, {});
    expect(() => sim.runUntil(100)).toThrow(ComponentFailure);
    expect(sim.host('x').status).toBe('failed');
  });

  it('routes machine emissions: net.send to the bus with the sender stamped, disk ops to the disk, obs.* to events', () => {
    const talker = setup({
      types: { input: {} as HostedInput<{ to: string }>, context: {} as { to: string; got: number }, emitted: {} as HostedEmitted, events: {} as { type: 'hello'; from: string } },
      actions: {
        sayHello: emit(({ context }) => ({ type: 'net.send' as const, to: context.to, message: { type: 'hello' } })),
        writeDisk: emit({ type: 'disk.write' as const, key: 'k', value: 'v' }),
        observe: emit({ type: 'obs.greeted' as const }),
        count: assign(({ context }) => ({ got: context.got + 1 })),
      },
    }).createMachine({
      context: ({ input }) => ({ to: input.config.to, got: 0 }),
      entry: ['sayHello', 'writeDisk'],
      on: { hello: { actions: ['count', 'observe'] } },
    });
    const sim = new Simulation({ seed: 1 });
    const observations: string[] = [];
    sim.events.subscribe((e) => { if (e.kind === 'observe') observations.push(`${e.address}:${e.observation.type}`); });
    const froms: string[] = [];
    sim.bus.tap.subscribe((e) => { if (e.kind === 'deliver') froms.push(e.envelope.message.from as string); });
    sim.add('x', talker, { to: 'y' });
    sim.add('y', talker, { to: 'x' });
    sim.runUntil(50);
    expect(froms.sort()).toEqual(['x', 'y']);
    expect(observations.sort()).toEqual(['x:obs.greeted', 'y:obs.greeted']);
    expect(sim.host('x').disk.get('k')).toBe('v');
    expect((sim.host('y').snapshot()!.context as { got: number }).got).toBe(1);
  });
});

describe('sender stamping', () => {
  it('sends a stamped copy: the emitted object is untouched, keys keep their order, a forwarded `from` is replaced', () => {
    const emittedMessages: { type: string; from?: string }[] = [];
    const forwarder = setup({
      types: { input: {} as HostedInput<{ to: string }>, context: {} as { to: string }, emitted: {} as HostedEmitted, events: {} as { type: 'go' } },
      actions: {
        sendTwo: emit(({ context }) => {
          const message = { type: 'fresh', a: 1, b: 2 };
          emittedMessages.push(message);
          return { type: 'net.send' as const, to: context.to, message };
        }),
        forward: emit(({ context }) => {
          const message = { type: 'forwarded', from: 'someone-else', c: 3 };
          emittedMessages.push(message);
          return { type: 'net.send' as const, to: context.to, message };
        }),
      },
    }).createMachine({ context: ({ input }) => ({ to: input.config.to }), entry: ['sendTwo', 'forward'] });
    const sim = new Simulation({ seed: 1 });
    const delivered: string[] = [];
    sim.bus.tap.subscribe((e) => { if (e.kind === 'deliver') delivered.push(JSON.stringify(e.envelope.message)); });
    sim.add('x', forwarder, { to: 'y' });
    sim.add('y', forwarder, { to: 'nowhere' });
    sim.runUntil(50);
    expect(delivered).toEqual(['{"type":"fresh","a":1,"b":2,"from":"x"}', '{"type":"forwarded","from":"x","c":3}']);
    expect(emittedMessages.slice(0, 2)).toEqual([{ type: 'fresh', a: 1, b: 2 }, { type: 'forwarded', from: 'someone-else', c: 3 }]);
  });
});

describe('health probes', () => {
  it('the host answers while its process runs, without its machine, and is silent once crashed', () => {
    const sim = gossipSim();
    const answers: unknown[] = [];
    sim.bus.inbox('prober').subscribe((envelope) => answers.push(envelope.message));
    sim.bus.send('prober', 'a', { type: HEALTH_PROBE, id: 'p1' });
    sim.runFor(100);
    expect(answers).toEqual([{ type: HEALTH_OK, id: 'p1', from: 'a', incarnation: 0 }]);

    sim.crash('a');
    sim.bus.send('prober', 'a', { type: HEALTH_PROBE, id: 'p2' });
    sim.runFor(100);
    expect(answers).toHaveLength(1);

    sim.restart('a');
    sim.bus.send('prober', 'a', { type: HEALTH_PROBE, id: 'p3' });
    sim.runFor(100);
    expect(answers.at(-1)).toEqual({ type: HEALTH_OK, id: 'p3', from: 'a', incarnation: 1 });
  });
});
