// The ReplicaSet controller as a controller-manager module.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Delta } from '../../../src/client/index.ts';
import { defineController } from '../controller-module.ts';
import { onPodDelta, onReplicaSetDelta } from './handlers.ts';
import { finalizeReplicaSetSync, onReplicaSetCallResult, onReplicaSetCallSkipped } from './results.ts';
import { newReplicaSetController, type ReplicaSetControllerState } from './state.ts';
import { syncReplicaSet } from './sync.ts';

export const replicaSetController = defineController<ReplicaSetControllerState>({
  name: 'replicaset',
  informers: ['replicasets', 'pods'],
  create: (config) => newReplicaSetController(config.rateLimiter),
  onDelta(state, informer, delta, ctx) {
    if (informer === 'replicasets') return { state: onReplicaSetDelta(state, delta as Delta<ReplicaSet>) };
    if (informer === 'pods') return { state: onPodDelta(state, ctx.informers, delta as Delta<Pod>, ctx.now) };
    return { state };
  },
  sync(state, key, ctx) {
    return syncReplicaSet(state, ctx.informers, key, ctx.now, ctx.config);
  },
  onCallResult(state, result) {
    const interpreted = onReplicaSetCallResult(state, result);
    const tag = result.call.tag;
    // A successful status write carries the minReadySeconds re-check.
    const requeueAfterMs = tag.kind === 'rsStatus' && !result.failure ? tag.requeueAfterMs : undefined;
    return { ...interpreted, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
  },
  onCallSkipped: onReplicaSetCallSkipped,
  finalize: (_state, finalizer, failure, ctx) => (finalizer.kind === 'rsStatus' ? finalizeReplicaSetSync(finalizer, failure, ctx.now, ctx.config) : {}),
});
