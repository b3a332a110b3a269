// What a kube-scheduler host is configured with, and the defaults of kube-scheduler 1.30
// (KubeSchedulerConfiguration v1: one profile "default-scheduler", percentageOfNodesToScore 0 = adaptive,
// podInitialBackoffSeconds 1, podMaxBackoffSeconds 10, 5 minutes in unschedulablePods at most).
import type { Address } from '../../src/bus/envelope.ts';
import type { UserInfo } from '../../src/apiserver/protocol.ts';
import { DEFAULT_INFORMER_OPTIONS, type InformerOptions, type LeaderElectionSettings } from '../../src/client/index.ts';
import { DEFAULT_QUEUE_CONFIG, type QueueConfig } from '../../src/scheduler/index.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** Bugs a test can plant to show a checker catches them. */
export type Plant =
  /** Every cycle schedules against the snapshot minus assumed pods: the assume cache is ignored. */
  | 'ignore-assume-cache'
  /** OnStoppedLeading is ignored: the replica keeps scheduling under the term it lost. */
  | 'leader-acts-after-losing-lease';

/** The Lease kube-scheduler elects its leader with (--leader-elect-resource-namespace/-name). */
export const SCHEDULER_LEASE = Object.freeze({ namespace: 'kube-system', name: 'kube-scheduler' });
/** source.component of the LeaderElection Event. */
export const SCHEDULER_COMPONENT = 'kube-scheduler';
/**
 * OnStoppedLeading: kube-scheduler exits (klog.Fatal) and the kubelet restarts its static pod. The model
 * stops every activity at once and starts a fresh process after this back-off (the kubelet's first
 * crash-loop back-off is 10 s).
 */
export const RESTART_AFTER_LOST_LEASE_MS = 10_000;

export interface SchedulerConfig {
  /** The kube-apiserver this scheduler talks to (e.g. "apiserver-0"). */
  apiserver: Address;
  /** The profile's schedulerName: pods with another spec.schedulerName are left alone. */
  schedulerName?: string;
  /** percentageOfNodesToScore; 0 = upstream's adaptive default (50 % − nodes/125, at least 5 %). */
  percentageOfNodesToScore?: number;
  /** Scheduling queue back-offs and the unschedulable-pods timeout. */
  queue?: Partial<QueueConfig>;
  /** Informer tuning (resync period, watch timeout, stall detection, relist back-off). */
  informer?: Partial<Omit<InformerOptions, 'apiserver' | 'idPrefix' | 'user'>>;
  /**
   * A binding or status patch unanswered this long has failed (its outcome is unknown). Upstream has no
   * client timeout, but HTTP/2 health checks fail a dead connection's requests after ~30–45 s.
   */
  requestTimeoutMs?: number;
  /** --leader-elect and its durations (default: on, lease 15 s, renew deadline 10 s, retry 2 s). */
  leaderElection?: LeaderElectionSettings;
  plant?: Plant;
}

export interface ResolvedConfig {
  readonly apiserver: Address;
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number;
  readonly queue: QueueConfig;
  readonly informer: Omit<InformerOptions, 'apiserver' | 'idPrefix'>;
  readonly requestTimeoutMs: number;
  readonly user: UserInfo;
  readonly leaderElection: LeaderElectionSettings & { readonly leaderElect: boolean };
  readonly plant?: Plant;
}

/** Who kube-scheduler authenticates as (its kubeconfig's client certificate CN). */
export const SCHEDULER_USER: UserInfo = Object.freeze({
  username: 'system:kube-scheduler',
  groups: ['system:authenticated'],
}) as UserInfo;

export function resolveConfig(config: SchedulerConfig): ResolvedConfig {
  if (!config.apiserver) throw new Error('scheduler: config.apiserver is required');
  return {
    apiserver: config.apiserver,
    schedulerName: config.schedulerName ?? DEFAULT_SCHEDULER_NAME,
    percentageOfNodesToScore: config.percentageOfNodesToScore ?? 0,
    queue: { ...DEFAULT_QUEUE_CONFIG, ...config.queue },
    informer: { ...DEFAULT_INFORMER_OPTIONS, ...config.informer, user: SCHEDULER_USER },
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
    user: SCHEDULER_USER,
    leaderElection: { ...config.leaderElection, leaderElect: config.leaderElection?.leaderElect ?? true },
    ...(config.plant ? { plant: config.plant } : {}),
  };
}
