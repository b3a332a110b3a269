// The ReplicaSet controller's state inside the controller-manager's context.
import { newWorkQueue, type RateLimiterConfig, type WorkQueue } from '../../../src/client/index.ts';
import type { Expectations } from '../expectations.ts';
import type { Job } from '../jobs.ts';

export const RS_COMPONENT = 'replicaset-controller';

export interface ReplicaSetControllerState {
  readonly queue: WorkQueue;
  readonly expectations: Expectations;
  /** Syncs in flight, by ReplicaSet key. */
  readonly jobs: Readonly<Record<string, Job>>;
}

export function newReplicaSetController(rateLimiter: RateLimiterConfig): ReplicaSetControllerState {
  return { queue: newWorkQueue(rateLimiter), expectations: {}, jobs: {} };
}
