// What a controller-manager host is configured with, and the defaults of kube-controller-manager 1.30
// (--controllers=* , --concurrent-*-syncs, burstReplicas 500, 5-minute expectations, the default
// controller rate limiter, the node-lifecycle flags).
import type { Address } from '../../src/bus/envelope.ts';
import type { UserInfo } from '../../src/apiserver/protocol.ts';
import {
  DEFAULT_CONTROLLER_RATE_LIMITER, DEFAULT_INFORMER_OPTIONS, type InformerOptions, type LeaderElectionSettings, type RateLimiterConfig,
} from '../../src/client/index.ts';

/** The controllers this model runs, by their `--controllers` names. */
export const CONTROLLER_NAMES = [
  'replicaset', 'deployment', 'nodelifecycle', 'taint-eviction-controller', 'endpoint', 'endpointslice', 'job', 'daemonset', 'garbagecollector', 'namespace',
] as const;

export type ControllerName = (typeof CONTROLLER_NAMES)[number];

/** --concurrent-*-syncs defaults (node lifecycle and taint eviction: their 8 update workers). */
export const DEFAULT_WORKERS: Readonly<Record<ControllerName, number>> = Object.freeze({
  replicaset: 5, deployment: 5, nodelifecycle: 8, 'taint-eviction-controller': 8, endpoint: 5, endpointslice: 5, job: 5,
  daemonset: 2, garbagecollector: 20, namespace: 10,
});

/** Bugs a test can plant to show a checker catches them. */
export type Plant =
  /** The ReplicaSet controller ignores its expectations: it acts on a cache that lags its own writes. */
  | 'rs-no-expectations'
  /** The taint eviction controller deletes tolerating pods at once instead of after tolerationSeconds. */
  | 'evict-without-toleration-wait'
  /** The Endpoints and EndpointSlice controllers publish unready pods as ready addresses. */
  | 'endpoints-include-unready'
  /** OnStoppedLeading is ignored: the controllers keep writing under the term the process lost. */
  | 'leader-acts-after-losing-lease';

/** The Lease kube-controller-manager elects its leader with. */
export const CONTROLLER_MANAGER_LEASE = Object.freeze({ namespace: 'kube-system', name: 'kube-controller-manager' });
/** source.component of the LeaderElection Event. */
export const CONTROLLER_MANAGER_COMPONENT = 'kube-controller-manager';
/**
 * OnStoppedLeading: kube-controller-manager exits (klog.Fatal) and the kubelet restarts its static pod;
 * modelled as every activity stopping at once and a fresh process after this back-off (the kubelet's
 * first crash-loop back-off).
 */
export const RESTART_AFTER_LOST_LEASE_MS = 10_000;

/** kube-controller-manager's node-lifecycle flags. */
export interface NodeLifecycleConfig {
  /** --node-monitor-period: how often node health is checked. */
  monitorPeriodMs: number;
  /** --node-monitor-grace-period: a node whose lease and status are older than this is Unknown (50 s since 1.30). */
  monitorGracePeriodMs: number;
  /** --node-startup-grace-period: the same for a node that never posted a Ready condition. */
  startupGracePeriodMs: number;
  /** --node-eviction-rate: nodes per second per zone given the NoExecute taint. */
  evictionRate: number;
  /** --secondary-node-eviction-rate: the rate in a partially disrupted zone of a large cluster. */
  secondaryEvictionRate: number;
  /** --large-cluster-size-threshold: above this many nodes a zone uses the secondary rate, else stops. */
  largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold: the fraction of not-ready nodes (at least 3) that disrupts a zone. */
  unhealthyZoneThreshold: number;
}

export const DEFAULT_NODE_LIFECYCLE: Readonly<NodeLifecycleConfig> = Object.freeze({
  monitorPeriodMs: 5_000,
  monitorGracePeriodMs: 50_000,
  startupGracePeriodMs: 60_000,
  evictionRate: 0.1,
  secondaryEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
});

export interface ControllerManagerConfig {
  /** The kube-apiserver this process talks to (e.g. "apiserver-0"). */
  apiserver: Address;
  /** Which controllers run; default all (`--controllers=*`). */
  controllers?: readonly ControllerName[];
  /** Concurrent syncs per controller (its worker count). */
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
  nodeLifecycle?: Partial<NodeLifecycleConfig>;
  /** --leader-elect and its durations (default: on, lease 15 s, renew deadline 10 s, retry 2 s). */
  leaderElection?: LeaderElectionSettings;
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
  nodeLifecycle: NodeLifecycleConfig;
  user: UserInfo;
  leaderElection: LeaderElectionSettings & { readonly leaderElect: boolean };
  plant?: Plant;
}

/** Who the controllers authenticate as (without --use-service-account-credentials). */
export const CONTROLLER_MANAGER_USER: UserInfo = Object.freeze({
  username: 'system:kube-controller-manager',
  groups: ['system:authenticated'],
}) as UserInfo;

export function resolveConfig(config: ControllerManagerConfig): ResolvedConfig {
  if (!config.apiserver) throw new Error('controller-manager: config.apiserver is required');
  const controllers = config.controllers ?? CONTROLLER_NAMES;
  for (const name of controllers) {
    if (!CONTROLLER_NAMES.includes(name)) throw new Error(`controller-manager: unknown controller ${JSON.stringify(name)}`);
  }
  return {
    apiserver: config.apiserver,
    controllers,
    workers: Object.fromEntries(CONTROLLER_NAMES.map((n) => [n, config.workers?.[n] ?? DEFAULT_WORKERS[n]])) as Record<ControllerName, number>,
    informer: { ...DEFAULT_INFORMER_OPTIONS, ...config.informer, user: CONTROLLER_MANAGER_USER },
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
    burstReplicas: config.burstReplicas ?? 500,
    expectationsTimeoutMs: config.expectationsTimeoutMs ?? 300_000,
    rateLimiter: config.rateLimiter ?? DEFAULT_CONTROLLER_RATE_LIMITER,
    nodeLifecycle: { ...DEFAULT_NODE_LIFECYCLE, ...config.nodeLifecycle },
    user: CONTROLLER_MANAGER_USER,
    leaderElection: { ...config.leaderElection, leaderElect: config.leaderElection?.leaderElect ?? true },
    ...(config.plant ? { plant: config.plant } : {}),
  };
}
