// What a controller-manager host is configured with, and the defaults of kube-controller-manager 1.30
// (--concurrent-replicaset-syncs=5, --concurrent-deployment-syncs=5, burstReplicas 500, 5-minute
// expectations, the default controller rate limiter).
import type { Address } from '../../src/bus/envelope.ts';
import type { UserInfo } from '../../src/apiserver/protocol.ts';
import {
  DEFAULT_CONTROLLER_RATE_LIMITER, DEFAULT_INFORMER_OPTIONS, type InformerOptions, type RateLimiterConfig,
} from '../../src/client/index.ts';

export type ControllerName = 'replicaset' | 'deployment';

/** Bugs a test can plant to show a checker catches them. */
export type Plant =
  /** The ReplicaSet controller ignores its expectations: it acts on a cache that lags its own writes. */
  | 'rs-no-expectations';

export interface ControllerManagerConfig {
  /** The kube-apiserver this process talks to (e.g. "apiserver-0"). */
  apiserver: Address;
  /** Which controllers run; default both. */
  controllers?: readonly ControllerName[];
  /** Concurrent syncs per controller (its worker count); default 5 each. */
  workers?: Partial<Record<ControllerName, number>>;
  /** Informer tuning (resync period, watch timeout, stall detection, relist back-off). */
  informer?: Partial<Omit<InformerOptions, 'apiserver' | 'idPrefix' | 'user'>>;
  /** A request unanswered this long fails (the outcome of a write is then unknown). */
  requestTimeoutMs?: number;
  /** At most this many pods created or deleted by one ReplicaSet sync. */
  burstReplicas?: number;
  /** Unsatisfied expectations are ignored after this long. */
  expectationsTimeoutMs?: number;
  rateLimiter?: RateLimiterConfig;
  plant?: Plant;
}

export interface ResolvedConfig {
  apiserver: Address;
  controllers: readonly ControllerName[];
  workers: Record<ControllerName, number>;
  informer: Omit<InformerOptions, 'apiserver' | 'idPrefix'>;
  requestTimeoutMs: number;
  burstReplicas: number;
  expectationsTimeoutMs: number;
  rateLimiter: RateLimiterConfig;
  user: UserInfo;
  plant?: Plant;
}

/** Who the controllers authenticate as (without --use-service-account-credentials). */
export const CONTROLLER_MANAGER_USER: UserInfo = Object.freeze({
  username: 'system:kube-controller-manager',
  groups: ['system:authenticated'],
}) as UserInfo;

export function resolveConfig(config: ControllerManagerConfig): ResolvedConfig {
  if (!config.apiserver) throw new Error('controller-manager: config.apiserver is required');
  return {
    apiserver: config.apiserver,
    controllers: config.controllers ?? ['replicaset', 'deployment'],
    workers: { replicaset: config.workers?.replicaset ?? 5, deployment: config.workers?.deployment ?? 5 },
    informer: { ...DEFAULT_INFORMER_OPTIONS, ...config.informer, user: CONTROLLER_MANAGER_USER },
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
    burstReplicas: config.burstReplicas ?? 500,
    expectationsTimeoutMs: config.expectationsTimeoutMs ?? 300_000,
    rateLimiter: config.rateLimiter ?? DEFAULT_CONTROLLER_RATE_LIMITER,
    user: CONTROLLER_MANAGER_USER,
    ...(config.plant ? { plant: config.plant } : {}),
  };
}
