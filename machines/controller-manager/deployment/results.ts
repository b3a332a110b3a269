// What the answers to a deployment sync's writes mean: the ScalingReplicaSet events, and the warning
// for a new ReplicaSet that could not be created.
import { isAlreadyExists } from '../../../src/client/index.ts';
import type { EventSpec } from '../events.ts';
import type { CallResult } from '../jobs.ts';
import { DEPLOYMENT_COMPONENT } from './planner.ts';

export function onDeploymentCallResult(result: CallResult): EventSpec[] {
  const tag = result.call.tag;
  const failure = result.failure;
  if (tag.kind === 'scaleReplicaSet' && !failure) {
    return [{ type: 'Normal', reason: 'ScalingReplicaSet', message: tag.message, involvedObject: tag.deployment, component: DEPLOYMENT_COMPONENT }];
  }
  if (tag.kind === 'createReplicaSet') {
    if (!failure) {
      return tag.message
        ? [{ type: 'Normal', reason: 'ScalingReplicaSet', message: tag.message, involvedObject: tag.deployment, component: DEPLOYMENT_COMPONENT }]
        : [];
    }
    if (!isAlreadyExists(failure)) {
      const message = `Failed to create new replica set ${JSON.stringify(tag.name)}: ${failure.message}`;
      return [{ type: 'Warning', reason: 'ReplicaSetCreateError', message, involvedObject: tag.deployment, component: DEPLOYMENT_COMPONENT }];
    }
  }
  return [];
}
