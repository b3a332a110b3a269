// A whole-cluster campaign scenario as plain JSON data: the cluster's shape, the workload (objects applied
// at the start, then changes at generated times) and the fault episodes. fast-check generates and shrinks
// it; a replay token carries it. Times are virtual ms from the moment the workload was first applied.

/** How big the cluster is, and which components are pointed at a possibly lagging apiserver. */
export interface ClusterShape {
  /** 1–3 kube-apiservers (apiserver-0…). */
  apiservers: number;
  /** 2–4 worker nodes (node-1…), each 2 CPU / 4Gi / 10 pods. */
  nodes: number;
  /**
   * Stale state (Sieve): these components talk to apiserver-1 instead of apiserver-0, the apiserver whose
   * link to etcd `lag` faults slow down. Empty with a single apiserver.
   */
  stale: StaleComponent[];
  /**
   * kube-scheduler and kube-controller-manager replicas each (absent: 1). With 2, they elect a leader
   * through their Leases and `isolate-leader` faults can make a live leader lose its lease.
   */
  replicas?: number;
}

export type StaleComponent = 'controllerManager' | 'scheduler';

export interface DeploymentSpec {
  replicas: number;
  cpuMilli: number;
  memoryMi: number;
  /** Absent: the API defaults (25 % / 25 %). */
  maxSurge?: number;
  maxUnavailable?: number;
  /** Tolerates the node unreachable/not-ready NoExecute taints for this long (default: admission's 300 s). */
  tolerationSeconds?: number;
  /** A ClusterIP Service selects its pods. */
  service: boolean;
}

export interface JobSpec {
  completions: number;
  parallelism: number;
  /** Each pod's container exits 0 this long after it starts. */
  runMs: number;
}

export type WorkloadChange =
  | { at: number; kind: 'scale'; deployment: number; replicas: number }
  | { at: number; kind: 'image'; deployment: number; tag: string }
  /** Deletes the `pod`-th (modulo their count) active pod of the Deployment, as the latest snapshot lists them. */
  | { at: number; kind: 'delete-pod'; deployment: number; pod: number };

export interface ClusterWorkload {
  deployments: DeploymentSpec[];
  jobs: JobSpec[];
  daemonSet: boolean;
  /**
   * A bare pod whose readiness probe always fails, behind a Service of its own: its Endpoints must list it
   * as not ready (Deployments need every pod Ready to converge, so unready pods live here).
   */
  unreadyPod?: boolean;
  changes: WorkloadChange[];
}

/**
 * Fault episodes. Each carries its own end (restart, heal, restore), so a shrunk list never leaves anything
 * down by accident; only a node crash with `lost` stays down for good (a node that is gone).
 */
export type ClusterFault =
  /** A component (an address) or a whole node (its host: kubelet, runtime, kube-proxy) crashes, and restarts. */
  | { at: number; kind: 'crash'; target: string; downtimeMs: number; loseUnsynced: boolean; lost?: boolean }
  /**
   * Intermediate state (Sieve): armed at `at`, the first write (create, update, patch, delete) `target`
   * sends from then on crashes it `delayMs` later, mid-reconcile; it restarts `downtimeMs` after that.
   */
  | { at: number; kind: 'crash-after-write'; target: string; delayMs: number; downtimeMs: number }
  /** A host (a node, an apiserver, an etcd member, kcm-0, scheduler-0) cut off from every other host. */
  | { at: number; kind: 'partition'; host: string; durationMs: number }
  /**
   * Unobserved state (Sieve): every message from the apiservers to `target` (watch events, responses) is
   * dropped with probability `drop` for `durationMs`; the watch stream's sequence numbers then force a
   * re-watch or relist, and events in between are never seen one by one.
   */
  | { at: number; kind: 'watch-loss'; target: string; drop: number; durationMs: number }
  /**
   * Stale state (Sieve): apiserver-`apiserver`'s etcd client and the etcd members exchange messages only
   * after `delayMs` (both ways) for `durationMs`, so its watch cache lags the others.
   */
  | { at: number; kind: 'lag'; apiserver: number; delayMs: number; durationMs: number }
  /** Message loss, duplication and reordering on every link for `durationMs`. */
  | { at: number; kind: 'burst'; drop: number; duplicate: number; durationMs: number }
  /**
   * A leader that loses its lease while alive: at `at`, the replica holding the `lease` component's Lease
   * (read from etcd then) is cut off from every other host for `durationMs` — past the 10 s renew
   * deadline it must stop acting, past the 15 s lease another replica takes over. Only with 2+ replicas.
   */
  | { at: number; kind: 'isolate-leader'; lease: LeaderComponent; durationMs: number }
  /**
   * Stale state (Sieve): armed at `at`, from the next pod the controller-manager creates for a ReplicaSet
   * (its sync right after a scale-up, a rollout, a lost pod), the `resource` watch streams to every replica
   * of `component` stall for `durationMs`, then deliver what they held, in order (an HTTP/2 stream out of
   * flow-control window while the others flow). Aimed at the controller-manager (the default): the
   * ReplicaSet controller's next syncs see the ReplicaSet's new status but not its new pods. Aimed at the
   * scheduler: the new pods reach it in one burst, each bound before the informer shows the others bound —
   * only its assume cache keeps it from stacking them on one node.
   */
  | { at: number; kind: 'watch-stall'; resource: 'pods'; durationMs: number; component?: StaleComponent };

export type LeaderComponent = 'scheduler' | 'controllerManager';

export interface ClusterScenario {
  seed: number;
  shape: ClusterShape;
  workload: ClusterWorkload;
  faults: ClusterFault[];
}

/** Images a Deployment's `app` container may run; `image` changes pick among them. */
export const IMAGE_TAGS = ['1.25', '1.26', '1.27'] as const;
export const APP_IMAGE = 'nginx';

/** Node size: small, so the scheduler's bookkeeping matters (an assume-cache bug overcommits a node). */
export const NODE_CAPACITY = { cpu: '2', memory: '4Gi', pods: '10' } as const;
export const NODE_CPU_MILLI = 2_000;
export const NODE_PODS = 10;
/** Job pods, DaemonSet pods and the never-Ready pod request this much CPU. */
export const SMALL_POD_CPU_MILLI = 100;
