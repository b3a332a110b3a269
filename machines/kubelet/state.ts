// The kubelet actor's state as one plain value, and the scratchpad (Tx) every handler works in. The pure
// core's KubeletState (src/kubelet) is one field: the pod workers' memory plus the kubelet's copy of the
// runtime's state; everything else here is what the process adds around it — its API client, informer,
// status manager, node registration, lease, event recorder and CRI client.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Event, NodeStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { ApiRequest } from '../../src/apiserver/protocol.ts';
import { DEFAULT_INFORMER_OPTIONS, WATCH_LIVENESS, newInformer, PODS, sendRequest, type InformerSpec, type InformerState } from '../../src/client/index.ts';
import type { HostedEmitted } from '../../src/host/contract.ts';
import type { CriCall } from '../../src/kubelet/cri.ts';
import type { KubeletEvent } from '../../src/kubelet/events.ts';
import { podProbeAddresses } from '../../src/kubelet/bus-probes.ts';
import { newKubelet, type KubeletState } from '../../src/kubelet/kubelet-state.ts';
import { staticPodFromManifest } from '../../src/kubelet/static-pods.ts';
import type { RngState } from '../../src/sim/random.ts';
import { resolveKubeletConfig, type KubeletMachineConfig, type ResolvedKubeletConfig } from './config.ts';

/** Why an API call was made: routes its answer (informer calls are routed by the informer itself). */
export type CallPurpose =
  | { readonly kind: 'node-create' }
  | { readonly kind: 'node-get' }
  | { readonly kind: 'node-status-get'; readonly tryNumber: number }
  | { readonly kind: 'node-status'; readonly status: NodeStatus; readonly tryNumber: number }
  | { readonly kind: 'lease-get' }
  | { readonly kind: 'lease-create' }
  | { readonly kind: 'lease-update' }
  | { readonly kind: 'pod-status'; readonly uid: string; readonly version: number; readonly mirrorUid?: string }
  | { readonly kind: 'mirror-create'; readonly uid: string }
  | { readonly kind: 'mirror-delete'; readonly uid: string; readonly mirrorUid: string }
  | { readonly kind: 'pod-delete'; readonly uid: string }
  | { readonly kind: 'event-create'; readonly key: string; readonly event: Event; readonly tries?: number }
  | { readonly kind: 'event-patch'; readonly key: string; readonly event: Event; readonly tries?: number };

export interface PendingCall {
  readonly purpose: CallPurpose;
  readonly deadline: number;
}

/** One pod worker: when its pod is next synced. */
export interface PodWorker {
  readonly uid: string;
  /** namespace/name: the informer key. */
  readonly key: string;
  /** Sync at the next opportunity (a pod update or a PLEG event). */
  readonly dirty: boolean;
  /** The pure sync's own wake-up (null: nothing more will happen by itself). */
  readonly nextSyncAt: number | null;
  /** A static pod (from the kubelet's manifests, not the API). */
  readonly static?: boolean;
}

/** The status manager's record of one pod (upstream's podStatuses + apiStatusVersions). */
export interface PodStatusRecord {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** The latest status the pod worker generated, and its version (bumped on every change). */
  readonly status: PodStatus;
  readonly version: number;
  /** The version the API has acknowledged. */
  readonly ackedVersion: number;
  readonly inFlight: boolean;
  /** After a failed write: not before this time. */
  readonly retryAt: number | null;
  /** The pod is being deleted and has terminated: delete it once its final status is written. */
  readonly deleteWhenFinal: boolean;
  readonly deleteSent: boolean;
  /** A static pod's: the mirror pod the acknowledged version was written to (a new mirror needs it again). */
  readonly mirrorUid?: string;
}

export interface NodeRegistration {
  readonly phase: 'waiting' | 'registering' | 'registered';
  readonly uid?: string;
  readonly inFlight: boolean;
  readonly retryAt: number | null;
  readonly retryDelayMs: number;
  /** The status last posted, and when (lastStatusReportTime: the 5-minute report counts from it). */
  readonly reported?: NodeStatus;
  readonly lastReportAt: number | null;
  /** The next node status sync (null while one is under way: `inFlight`). */
  readonly nextStatusAt: number | null;
}

export interface LeaseSync {
  readonly latest?: Lease;
  readonly inFlight: boolean;
  readonly nextAt: number | null;
  readonly backoffMs: number;
}

/** What one pod's sync produced in a round: its CRI calls are the round's calls [from, to). */
export interface RoundPod {
  readonly uid: string;
  readonly from: number;
  readonly to: number;
  readonly events: readonly KubeletEvent[];
  readonly status: PodStatus;
}

/** The CRI client: the calls of one sync round go out one at a time, in order. */
export interface CriClient {
  readonly outbox: readonly CriCall[];
  readonly inFlight?: { readonly requestId: string; readonly call: CriCall; readonly deadline: number; readonly partOfRound: boolean };
  /** Ids the runtime returned where the kubelet's cache expected others (normally empty). */
  readonly idMap: Readonly<Record<string, string>>;
  /** What the round's syncs produced, in order, posted once their calls are done. */
  readonly round: readonly RoundPod[];
  /** How many of the round's calls have been answered. */
  readonly answered: number;
  /** The runtime answered at least once this incarnation: the kubelet's copy of its state is usable. */
  readonly seen: boolean;
  /** The copy may miss changes (a call timed out): no sync until a relist succeeds. */
  readonly stale: boolean;
  readonly lastOkAt: number | null;
  readonly nextRelistAt: number;
  /** PLEG: each container's state at the last relist. */
  readonly relisted: Readonly<Record<string, string>>;
}

export interface RecorderState {
  readonly seq: number;
  readonly recent: Readonly<Record<string, { readonly name: string; readonly namespace: string; readonly count: number; readonly event: Event }>>;
  readonly order: readonly string[];
  /** Writes that got no answer, to be tried again at `at` (event-recorder.ts). */
  readonly retries: readonly { readonly purpose: Extract<CallPurpose, { kind: 'event-create' | 'event-patch' }>; readonly at: number }[];
}

/** A `kubectl logs -f` being served: what has been sent of which container's log, to whom. */
export interface LogFollower {
  /** The apiserver relaying it, and its request id. */
  readonly to: Address;
  readonly requestId: string;
  readonly containerId: string;
  readonly timestamps: boolean;
  /** Lines written up to this time have been sent. */
  readonly cursor: number;
  /** Messages sent on the stream (the next one is seq + 1). */
  readonly seq: number;
  /** What limitBytes still allows (undefined: no limit). */
  readonly remainingBytes: number | undefined;
  readonly lastSentAt: number;
}

/** One static pod's mirror: a create or delete in flight, or a retry time after a failure. */
export interface MirrorSync {
  readonly inFlight: boolean;
  readonly retryAt: number | null;
  /** The mirror last deleted (its watch event may still be on the way). */
  readonly deleted?: string;
}

export interface KubeletActorState {
  readonly self: Address;
  readonly idPrefix: string;
  readonly config: ResolvedKubeletConfig;
  readonly seq: number;
  readonly rng: RngState;
  /** The pure core: pod workers' memory, back-offs and the kubelet's copy of the runtime and its IPAM. */
  readonly core: KubeletState;
  readonly pods: InformerState<Pod>;
  readonly workers: Readonly<Record<string, PodWorker>>;
  readonly statuses: Readonly<Record<string, PodStatusRecord>>;
  readonly node: NodeRegistration;
  readonly lease: LeaseSync;
  readonly recorder: RecorderState;
  readonly cri: CriClient;
  readonly calls: Readonly<Record<string, PendingCall>>;
  /** Next HandlePodCleanups pass (orphaned sandboxes). */
  readonly housekeepingAt: number;
  /** Next status-manager syncBatch pass (needsReconcile: the API's status against the cached one). */
  readonly statusSyncAt: number;
  /** Static pods by UID (the config hash), and their mirror pods' create/delete calls (mirror-pods.ts). */
  readonly staticPods: Readonly<Record<string, Pod>>;
  readonly mirrors: Readonly<Record<string, MirrorSync>>;
  /** The next health ping of the addresses probed over the bus (health-pinger.ts); null: none probed. */
  readonly nextPingAt: number | null;
  /** Log streams being followed, by apiserver + request id (log-server.ts). */
  readonly logFollowers: Readonly<Record<string, LogFollower>>;
  /** Counters for review and tests. */
  readonly stats: { readonly syncs: number; readonly criCalls: number; readonly criErrors: number; readonly relists: number };
}

export interface KubeletOutcome {
  readonly state: KubeletActorState;
  readonly emits: readonly HostedEmitted[];
}

/** The pods bound to this node, in every namespace (the kubelet's apiserver pod source). */
export function podInformerSpec(nodeName: string): InformerSpec<Pod> {
  return { name: 'pods', resource: PODS, fieldSelector: `spec.nodeName=${nodeName}` };
}

export function newKubeletActor(self: Address, incarnation: number, rng: RngState, config: KubeletMachineConfig, now: number): KubeletActorState {
  const resolved = resolveKubeletConfig(config);
  const idPrefix = `${self}#${incarnation}`;
  const node = resolved.node;
  const staticPods = Object.fromEntries(resolved.staticPods.map((m) => staticPodFromManifest(m, node.name, now)).map((p) => [p.metadata!.uid!, p]));
  const workers = Object.fromEntries(Object.values(staticPods).map((p): [string, PodWorker] => [
    p.metadata!.uid!, { uid: p.metadata!.uid!, key: `${p.metadata!.namespace}/${p.metadata!.name}`, dirty: true, nextSyncAt: null, static: true },
  ]));
  const probed = Object.values(staticPods).some((p) => podProbeAddresses(p, node.name).length > 0);
  return {
    self,
    idPrefix,
    config: resolved,
    seq: 0,
    rng,
    core: newKubelet({ nodeName: node.name, hostIP: node.internalIP, podCIDR: node.podCIDR ?? '10.244.0.0/24', registry: resolved.registry }),
    pods: newInformer(podInformerSpec(node.name), { ...DEFAULT_INFORMER_OPTIONS, liveness: WATCH_LIVENESS, apiserver: resolved.apiserver, idPrefix, user: resolved.user }),
    workers,
    statuses: {},
    node: { phase: 'waiting', inFlight: false, retryAt: null, retryDelayMs: 0, lastReportAt: null, nextStatusAt: null },
    lease: { inFlight: false, nextAt: null, backoffMs: 0 },
    recorder: { seq: 0, recent: {}, order: [], retries: [] },
    cri: { outbox: [], idMap: {}, round: [], answered: 0, seen: false, stale: false, lastOkAt: null, nextRelistAt: now, relisted: {} },
    calls: {},
    housekeepingAt: now,
    statusSyncAt: now + 10_000,
    staticPods,
    mirrors: {},
    nextPingAt: probed ? now : null,
    logFollowers: {},
    stats: { syncs: 0, criCalls: 0, criErrors: 0, relists: 0 },
  };
}

/** A mutable scratchpad for one step; `done()` freezes it into an outcome. */
export class Tx {
  state: KubeletActorState;
  readonly emits: HostedEmitted[] = [];
  constructor(state: KubeletActorState, readonly now: number) {
    this.state = state;
  }
  update(patch: Partial<KubeletActorState>): void {
    this.state = { ...this.state, ...patch };
  }
  nextId(kind: string): string {
    const seq = this.state.seq + 1;
    this.state = { ...this.state, seq };
    return `${this.state.idPrefix}/${kind}/${seq}`;
  }
  send(to: Address, message: { type: string; [field: string]: unknown }): void {
    this.emits.push({ type: 'net.send', to, message });
  }
  /** An API call whose answer comes back to `purpose`. */
  call(purpose: CallPurpose, request: ApiRequest, timeoutMs = this.state.config.requestTimeoutMs): string {
    const requestId = this.nextId(purpose.kind);
    const outgoing = sendRequest(this.state.config.apiserver, requestId, { ...request, user: this.state.config.user });
    this.send(outgoing.to, { ...outgoing.message });
    this.update({ calls: { ...this.state.calls, [requestId]: { purpose, deadline: this.now + timeoutMs } } });
    return requestId;
  }
  observe(type: `obs.${string}`, fields: Record<string, unknown>): void {
    this.emits.push({ type, ...fields });
  }
  done(): KubeletOutcome {
    return { state: this.state, emits: this.emits };
  }
}
