import { assign, emit, enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import { rngInt, type RngState } from '../../src/sim/random.ts';

/**
 * A gossip peer: the runtime's demonstration component. Every 50–150 ms (a fresh random interval each
 * round) it bumps its own counter, persists it, and sends everything it knows to one random peer; on
 * receipt it keeps the maximum per origin. Its counter survives a crash only as far as it was synced
 * (every `syncEvery` rounds), so un-synced write loss is visible: the counter goes back.
 */
export interface GossipConfig {
  peers: string[];
  minIntervalMs?: number;
  maxIntervalMs?: number;
  syncEvery?: number;
}

export interface GossipContext {
  self: string;
  peers: string[];
  minIntervalMs: number;
  maxIntervalMs: number;
  syncEvery: number;
  counter: number;
  known: Record<string, number>;
  rng: RngState;
  nextIntervalMs: number;
  round: number;
}

export type GossipMessage = { type: 'gossip'; from: string; known: Record<string, number> };
export type GossipEvent = GossipMessage | { type: 'reset' };

export const COUNTER_KEY = 'counter';

export const gossipMachine = setup({
  types: {
    context: {} as GossipContext,
    events: {} as GossipEvent,
    input: {} as HostedInput<GossipConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    bumpCounter: assign(({ context }) => {
      const counter = context.counter + 1;
      return { counter, round: context.round + 1, known: { ...context.known, [context.self]: counter } };
    }),
    persistCounter: emit(({ context }) => ({ type: 'disk.write' as const, key: COUNTER_KEY, value: context.counter })),
    syncEveryFewRounds: enqueueActions(({ context, enqueue }) => {
      if (context.round % context.syncEvery === 0) enqueue.emit({ type: 'disk.sync' });
    }),
    gossipToRandomPeer: enqueueActions(({ context, enqueue }) => {
      if (context.peers.length === 0) return;
      const [index, rng] = rngInt(context.rng, 0, context.peers.length - 1);
      enqueue.assign({ rng });
      enqueue.emit({
        type: 'net.send' as const,
        to: context.peers[index],
        message: { type: 'gossip', known: context.known },
      });
    }),
    drawNextInterval: assign(({ context }) => {
      const [nextIntervalMs, rng] = rngInt(context.rng, context.minIntervalMs, context.maxIntervalMs);
      return { nextIntervalMs, rng };
    }),
    mergeKnown: assign(({ context, event }) => {
      if (event.type !== 'gossip') return {};
      const known = { ...context.known };
      for (const [origin, value] of Object.entries(event.known)) {
        if (origin !== context.self && (known[origin] ?? 0) < value) known[origin] = value;
      }
      return { known };
    }),
  },
  delays: {
    gossipInterval: ({ context }) => context.nextIntervalMs,
  },
}).createMachine({
  id: 'gossip',
  context: ({ input }) => {
    const counter = (input.disk.get(COUNTER_KEY) as number | undefined) ?? 0;
    const self = input.address;
    return {
      self,
      peers: input.config.peers.filter((peer) => peer !== self),
      minIntervalMs: input.config.minIntervalMs ?? 50,
      maxIntervalMs: input.config.maxIntervalMs ?? 150,
      syncEvery: input.config.syncEvery ?? 3,
      counter,
      known: { [self]: counter },
      rng: input.rng,
      nextIntervalMs: 0,
      round: 0,
    };
  },
  initial: 'gossiping',
  states: {
    gossiping: {
      entry: 'drawNextInterval',
      after: {
        gossipInterval: {
          target: 'gossiping',
          reenter: true,
          actions: ['bumpCounter', 'persistCounter', 'syncEveryFewRounds', 'gossipToRandomPeer'],
        },
      },
      on: {
        gossip: { actions: 'mergeKnown' },
      },
    },
  },
});
