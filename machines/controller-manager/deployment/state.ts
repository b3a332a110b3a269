// The Deployment controller's state inside the controller-manager's context.
import { newWorkQueue, type RateLimiterConfig, type WorkQueue } from '../../../src/client/index.ts';
import type { Job } from '../jobs.ts';

/** maxRetries: after this many failed syncs in a row a Deployment is dropped from the queue. */
export const DEPLOYMENT_MAX_RETRIES = 15;

export interface DeploymentControllerState {
  readonly queue: WorkQueue;
  readonly jobs: Readonly<Record<string, Job>>;
}

export function newDeploymentController(rateLimiter: RateLimiterConfig): DeploymentControllerState {
  return { queue: newWorkQueue(rateLimiter), jobs: {} };
}
