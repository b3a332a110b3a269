import type { ReviewModule } from '../../src/review/review-module.ts';
import type { GossipContext } from './gossip.machine.ts';

/**
 * Review sample for the gossip peer: a config with peers (it cannot start without them), a `gossip` event
 * with a `known` map, and the per-state invariant that its own entry always equals its counter.
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'gossip-0',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { peers: ['gossip-0', 'gossip-1', 'gossip-2'] },
});

export const reviewEvents: ReviewModule['reviewEvents'] = {
  gossip: [{ type: 'gossip', from: 'gossip-1', known: { 'gossip-1': 3, 'gossip-0': 99 } }],
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  gossiping: (snapshot) => {
    const context = snapshot.context as GossipContext;
    return context.known[context.self] === context.counter ? null : 'own entry differs from the counter';
  },
};
