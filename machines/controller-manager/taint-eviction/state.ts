// The taint eviction controller's state: the NoExecute taints of each tainted node, and its timed
// workers — one scheduled deletion per pod (null once done, so the same pod is not scheduled twice
// until its deletion is observed, as TimedWorkerQueue keeps finished keys).
import type { Taint } from 'kubernetes-types/core/v1.js';
import { newWorkQueue, type RateLimiterConfig } from '../../../src/client/index.ts';
import type { ControllerBase } from '../controller-module.ts';

export const TAINT_EVICTION_COMPONENT = 'taint-eviction-controller';

export interface EvictionWork {
  readonly createdAt: number;
  readonly fireAt: number;
}

export interface TaintEvictionState extends ControllerBase {
  readonly taintedNodes: Readonly<Record<string, readonly Taint[]>>;
  readonly workers: Readonly<Record<string, EvictionWork | null>>;
}

export const nodeKey = (name: string) => `node/${name}`;
export const podKey = (namespaceName: string) => `pod/${namespaceName}`;
export const evictKey = (namespaceName: string) => `evict/${namespaceName}`;

export function newTaintEvictionState(rateLimiter: RateLimiterConfig): TaintEvictionState {
  return { queue: newWorkQueue(rateLimiter), jobs: {}, taintedNodes: {}, workers: {} };
}
