// The Deployment controller as a controller-manager module.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Delta } from '../../../src/client/index.ts';
import { defineController } from '../controller-module.ts';
import { onDeploymentDelta, onPodDelta, onReplicaSetDelta } from './handlers.ts';
import { onDeploymentCallResult } from './results.ts';
import { DEPLOYMENT_MAX_RETRIES, newDeploymentController, type DeploymentControllerState } from './state.ts';
import { syncDeployment } from './sync.ts';

export const deploymentController = defineController<DeploymentControllerState>({
  name: 'deployment',
  informers: ['deployments', 'replicasets', 'pods'],
  maxRetries: DEPLOYMENT_MAX_RETRIES,
  create: (config) => newDeploymentController(config.rateLimiter),
  onDelta(state, informer, delta, ctx) {
    if (informer === 'deployments') return { state: onDeploymentDelta(state, delta as Delta<Deployment>) };
    if (informer === 'replicasets') return { state: onReplicaSetDelta(state, ctx.informers, delta as Delta<ReplicaSet>) };
    if (informer === 'pods') return { state: onPodDelta(state, ctx.informers, delta as Delta<Pod>) };
    return { state };
  },
  sync(state, key, ctx) {
    const result = syncDeployment(ctx.informers, key, ctx.now, ctx.config);
    return { state, plan: result.plan, events: result.events };
  },
  onCallResult: (state, result) => ({ state, events: onDeploymentCallResult(result) }),
});
