// The kubelet's state as plain data. The runtime (containerd) and IPAM reservations are durable — they
// survive a kubelet restart; everything else is the kubelet process's memory and is rebuilt on restart.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { newBackoff } from './backoff.ts';
import type { BusHealth } from './bus-probes.ts';
import type { BackoffState } from './backoff.ts';
import { newIpam, releaseIP } from './ipam.ts';
import type { IpamState } from './ipam.ts';
import type { WaitingReason } from './pod-status.ts';
import { newProbeWorkers } from './probes.ts';
import type { ProbeWorker } from './probes.ts';
import type { RegistryConfig } from './registry.ts';
import { newRuntime, podSandbox, removePodSandbox } from './runtime.ts';
import type { RuntimeState } from './runtime.ts';

/** The pod worker's periodic resync (kubelet resyncInterval). */
export const POD_RESYNC_INTERVAL_MS = 60_000;
/** A sync that failed (back-off, pull error) is retried after backOffPeriod (upstream adds up to 50 % jitter). */
export const POD_SYNC_ERROR_RETRY_MS = 10_000;
/** PLEG relist period: how soon the kubelet notices a container exit. */
export const PLEG_RELIST_PERIOD_MS = 1_000;
/** killContainer never uses a grace period below 2 s (minimumGracePeriodInSeconds). */
export const MINIMUM_GRACE_PERIOD_MS = 2_000;
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

export interface PendingPull {
  readonly pullId: string;
  readonly image: string;
  readonly requestedAt: number;
}

/** What the kubelet remembers about one pod. */
export interface KubeletPodState {
  readonly uid: string;
  /** When the kubelet first saw the pod: status.startTime. */
  readonly startTime: number;
  /** The reason cache: why a container could not be (re)started on the last attempt. */
  readonly reasons: Readonly<Record<string, WaitingReason>>;
  /** Pulls the pod worker is waiting on, by container name. */
  readonly pulls: Readonly<Record<string, PendingPull>>;
  readonly probes: readonly ProbeWorker[];
  /** Instances killed for a failed probe whose restart was already decided: restart as soon as they exit. */
  readonly restartOnExit: readonly string[];
  /** The pod reached a terminal phase or finished terminating: nothing will be started again. */
  readonly terminal: boolean;
  /** The status manager's cache: the last status generated. */
  readonly status: PodStatus | null;
}

export interface KubeletState {
  readonly nodeName: string;
  readonly hostIP: string;
  readonly registry: RegistryConfig;
  readonly runtime: RuntimeState;
  readonly ipam: IpamState;
  readonly crashBackoff: BackoffState;
  readonly pullBackoff: BackoffState;
  readonly pods: Readonly<Record<string, KubeletPodState>>;
  /** What the kubelet's health pings found, by probed address (bus-probes.ts); absent: none probed. */
  readonly busHealth?: Readonly<Record<string, BusHealth>>;
}

export interface KubeletConfig {
  readonly nodeName: string;
  readonly hostIP: string;
  readonly podCIDR: string;
  readonly registry?: RegistryConfig;
  readonly serializeImagePulls?: boolean;
}

export function newKubelet(config: KubeletConfig): KubeletState {
  const registry = config.registry ?? {};
  return {
    nodeName: config.nodeName,
    hostIP: config.hostIP,
    registry,
    runtime: newRuntime(config.nodeName, registry, { serializePulls: config.serializeImagePulls ?? true }),
    ipam: newIpam(config.podCIDR),
    crashBackoff: newBackoff(),
    pullBackoff: newBackoff(),
    pods: {},
  };
}

/** A kubelet restart: the runtime and IPAM survive, the process's memory (back-offs, probes, caches) does not. */
export function restartKubelet(state: KubeletState): KubeletState {
  return { ...state, crashBackoff: newBackoff(), pullBackoff: newBackoff(), pods: {} };
}

export function newPodState(pod: Pod, now: number): KubeletPodState {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return {
    uid: pod.metadata?.uid ?? '',
    startTime: now,
    reasons: {},
    pulls: {},
    probes: containers.flatMap((c) => newProbeWorkers(c, now)),
    restartOnExit: [],
    terminal: false,
    status: null,
  };
}

/** The pod is gone from the API: remove its sandbox and containers and free its IP. */
export function removePod(state: KubeletState, podUid: string): KubeletState {
  let runtime = state.runtime;
  for (let sandbox = podSandbox(runtime, podUid); sandbox; sandbox = podSandbox(runtime, podUid)) runtime = removePodSandbox(runtime, sandbox.id);
  const { [podUid]: _gone, ...pods } = state.pods;
  return { ...state, runtime, ipam: releaseIP(state.ipam, podUid), pods };
}
