// The kubelet's Node object (registration and status) and its node Lease, as a v1.30 kubelet on containerd
// reports them, with the heartbeat cadence constants.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { Quantity } from '../api/quantity.ts';
import { addQuantities, canonicalQuantityString, parseQuantity, quantityFromValue, quantityValue, subtractQuantities } from '../api/quantity.ts';
import { deepFreeze } from '../apiserver/objects.ts';
import { microTime, rfc3339 } from './format.ts';
import type { ImageCache } from './registry.ts';

/** Lease spec.leaseDurationSeconds (kubelet nodeLeaseDurationSeconds). */
export const NODE_LEASE_DURATION_SECONDS = 40;
/** The kubelet renews its lease every 0.25 × leaseDuration = 10 s. */
export const NODE_LEASE_RENEW_INTERVAL_MS = 10_000;
/** nodeStatusUpdateFrequency: how often the kubelet computes node status (and posts it if it changed). */
export const NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;
/** nodeStatusReportFrequency: an unchanged status is still posted this often (with leases: 5 min). */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 300_000;
export const DEFAULT_MAX_PODS = 110;
export const KUBELET_PORT = 10250;
/** Default hard eviction thresholds that feed allocatable: memory.available<100Mi, nodefs.available<10%. */
export const EVICTION_HARD_MEMORY_AVAILABLE = '100Mi';
export const EVICTION_HARD_NODEFS_AVAILABLE_PERCENT = 10;

export interface ResourceAmounts {
  readonly cpu?: string;
  readonly memory?: string;
  readonly 'ephemeral-storage'?: string;
}

export interface NodeConfig {
  readonly name: string;
  readonly internalIP: string;
  readonly cpu: string;
  readonly memory: string;
  readonly ephemeralStorage?: string;
  readonly maxPods?: number;
  /** As if the node-ipam controller had assigned it (spec.podCIDR). */
  readonly podCIDR?: string;
  readonly instanceType?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly systemReserved?: ResourceAmounts;
  readonly kubeReserved?: ResourceAmounts;
  readonly kubeletVersion?: string;
  readonly containerRuntimeVersion?: string;
  readonly osImage?: string;
  readonly kernelVersion?: string;
  readonly architecture?: string;
}

export const NODE_DEFAULTS = {
  ephemeralStorage: '100Gi',
  kubeletVersion: 'v1.30.0',
  containerRuntimeVersion: 'containerd://1.7.15',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0-21-cloud-amd64',
  architecture: 'amd64',
} as const;

const hex = (text: string) => createHash('sha256').update(text).digest('hex');
const uuidFrom = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;

export function nodeLabels(config: NodeConfig): Record<string, string> {
  const arch = config.architecture ?? NODE_DEFAULTS.architecture;
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': config.name,
    'kubernetes.io/os': 'linux',
    ...(config.instanceType ? { 'node.kubernetes.io/instance-type': config.instanceType, 'beta.kubernetes.io/instance-type': config.instanceType } : {}),
    ...config.labels,
  };
}

/** Capacity as cAdvisor reports it: cpu in cores (DecimalSI), memory and storage in bytes (BinarySI). */
export function nodeCapacity(config: NodeConfig): Record<string, Quantity> {
  const cpu = parseQuantity(config.cpu);
  return {
    cpu: { nanos: cpu.nanos, format: 'DecimalSI' },
    'ephemeral-storage': quantityFromValue(quantityValue(parseQuantity(config.ephemeralStorage ?? NODE_DEFAULTS.ephemeralStorage)), 'BinarySI'),
    'hugepages-1Gi': quantityFromValue(0),
    'hugepages-2Mi': quantityFromValue(0),
    memory: quantityFromValue(quantityValue(parseQuantity(config.memory)), 'BinarySI'),
    pods: quantityFromValue(config.maxPods ?? DEFAULT_MAX_PODS),
  };
}

/** GetNodeAllocatableReservation: system-reserved + kube-reserved + hard eviction thresholds. */
function reservation(config: NodeConfig, capacity: Record<string, Quantity>): Record<string, Quantity> {
  // evictionapi.GetThresholdQuantity: int64(float64(capacity) * float64(float32 percentage)), BinarySI.
  const storage = Number(quantityValue(capacity['ephemeral-storage']));
  const eviction: Record<string, Quantity> = {
    memory: parseQuantity(EVICTION_HARD_MEMORY_AVAILABLE),
    'ephemeral-storage': quantityFromValue(Math.trunc(storage * Math.fround(EVICTION_HARD_NODEFS_AVAILABLE_PERCENT / 100)), 'BinarySI'),
  };
  const out: Record<string, Quantity> = {};
  for (const name of Object.keys(capacity)) {
    let value: Quantity = quantityFromValue(0);
    for (const source of [config.systemReserved, config.kubeReserved]) {
      const raw = source?.[name as keyof ResourceAmounts];
      if (raw !== undefined) value = addQuantities(value, parseQuantity(raw));
    }
    if (eviction[name]) value = addQuantities(value, eviction[name]);
    if (value.nanos !== 0n) out[name] = value;
  }
  return out;
}

export function nodeAllocatable(config: NodeConfig): Record<string, Quantity> {
  const capacity = nodeCapacity(config);
  const reserved = reservation(config, capacity);
  return Object.fromEntries(
    Object.entries(capacity).map(([name, cap]) => {
      const value = reserved[name] ? subtractQuantities(cap, reserved[name]) : cap;
      return [name, value.nanos < 0n ? { ...value, nanos: 0n } : value];
    }),
  );
}

const render = (list: Record<string, Quantity>): Record<string, string> =>
  Object.fromEntries(Object.entries(list).map(([k, q]) => [k, canonicalQuantityString(q)]));

const CONDITIONS = {
  MemoryPressure: ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  DiskPressure: ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  PIDPressure: ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  Ready: ['True', 'KubeletReady', 'kubelet is posting ready status'],
} as const;

export interface NodeStatusOptions {
  /** The previously reported status: conditions keep their lastTransitionTime while unchanged. */
  readonly previous?: NodeStatus;
  /** The node's images, listed largest first (nodeStatusMaxImages 50). */
  readonly images?: ImageCache;
  /** Report Ready=False/KubeletNotReady with this message instead (e.g. the runtime is down). */
  readonly notReadyMessage?: string;
}

/** What a node's status reports that only its config decides (capacity, allocatable, addresses, nodeInfo). */
type StaticNodeStatus = Required<Pick<NodeStatus, 'capacity' | 'allocatable' | 'addresses' | 'daemonEndpoints' | 'nodeInfo'>>;

// Computed once per config: quantity arithmetic and three SHA-256s are most of a status, and the kubelet
// recomputes its status every 10 s. Shared and frozen: nothing may mutate a status once built.
const staticStatuses = new WeakMap<NodeConfig, StaticNodeStatus>();

function staticNodeStatus(config: NodeConfig): StaticNodeStatus {
  const cached = staticStatuses.get(config);
  if (cached) return cached;
  const machine = hex(`machine:${config.name}`);
  const computed: StaticNodeStatus = {
    capacity: render(nodeCapacity(config)),
    allocatable: render(nodeAllocatable(config)),
    addresses: [
      { type: 'InternalIP', address: config.internalIP },
      { type: 'Hostname', address: config.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: machine.slice(0, 32),
      systemUUID: uuidFrom(hex(`system:${config.name}`)),
      bootID: uuidFrom(hex(`boot:${config.name}`)),
      kernelVersion: config.kernelVersion ?? NODE_DEFAULTS.kernelVersion,
      osImage: config.osImage ?? NODE_DEFAULTS.osImage,
      containerRuntimeVersion: config.containerRuntimeVersion ?? NODE_DEFAULTS.containerRuntimeVersion,
      kubeletVersion: config.kubeletVersion ?? NODE_DEFAULTS.kubeletVersion,
      kubeProxyVersion: config.kubeletVersion ?? NODE_DEFAULTS.kubeletVersion,
      operatingSystem: 'linux',
      architecture: config.architecture ?? NODE_DEFAULTS.architecture,
    },
  };
  staticStatuses.set(config, deepFreeze(computed));
  return computed;
}

export function nodeStatus(config: NodeConfig, now: number, options: NodeStatusOptions = {}): NodeStatus {
  const conditions: NodeCondition[] = Object.entries(CONDITIONS).map(([type, [status, reason, message]]) => {
    const c =
      type === 'Ready' && options.notReadyMessage !== undefined
        ? { type, status: 'False', reason: 'KubeletNotReady', message: options.notReadyMessage }
        : { type, status, reason, message };
    const before = options.previous?.conditions?.find((x) => x.type === type);
    const lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(now);
    return { ...c, lastHeartbeatTime: rfc3339(now), lastTransitionTime };
  });
  const images = Object.entries(options.images ?? {})
    .map(([name, image]) => ({ names: [image.repoDigest, name], sizeBytes: image.sizeBytes }))
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, 50);
  const fixed = staticNodeStatus(config);
  return {
    capacity: fixed.capacity,
    allocatable: fixed.allocatable,
    conditions,
    addresses: fixed.addresses,
    daemonEndpoints: fixed.daemonEndpoints,
    nodeInfo: fixed.nodeInfo,
    ...(images.length ? { images } : {}),
  };
}

/** The Node the kubelet registers (POST /api/v1/nodes) at virtual time `now`. */
export function nodeRegistration(config: NodeConfig, now: number, options: NodeStatusOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: config.name,
      labels: nodeLabels(config),
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: config.podCIDR ? { podCIDR: config.podCIDR, podCIDRs: [config.podCIDR] } : {},
    status: nodeStatus(config, now, options),
  };
}

/** nodeStatusUpdateRetry: how many tries one node status sync makes (the first GET from the apiserver's cache). */
export const NODE_STATUS_UPDATE_RETRY = 5;

/** What the kubelet's status setters own in a Node's status; anything else on the apiserver's copy is kept. */
const KUBELET_STATUS_FIELDS = ['capacity', 'allocatable', 'conditions', 'addresses', 'daemonEndpoints', 'nodeInfo', 'images'] as const;

/**
 * The apiserver's copy of the status with the kubelet's setters applied (kubelet updateNode → setNodeStatus
 * on a deep copy of the Node it GET): the kubelet's fields replaced, its conditions replaced in place of
 * theirs and others' conditions kept, any other field left as the apiserver has it.
 */
export function applyNodeStatus(original: NodeStatus | undefined, computed: NodeStatus): NodeStatus {
  if (original === undefined) return computed;
  const kept: NodeStatus = { ...original };
  for (const field of KUBELET_STATUS_FIELDS) delete kept[field];
  const own = new Set(computed.conditions?.map((c) => c.type));
  const foreign = (original.conditions ?? []).filter((c) => !own.has(c.type));
  return { ...kept, ...computed, ...(foreign.length > 0 ? { conditions: [...(computed.conditions ?? []), ...foreign] } : {}) };
}

/** nodeStatusHasChanged: anything but the conditions' heartbeat times differs (conditions compared by type). */
export function nodeStatusHasChanged(original: NodeStatus | undefined, status: NodeStatus): boolean {
  if (original === undefined) return true;
  const conditions = (s: NodeStatus) =>
    [...(s.conditions ?? [])].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)).map(({ lastHeartbeatTime: _h, ...c }) => c);
  if (!isDeepStrictEqual(conditions(original), conditions(status))) return true;
  return !isDeepStrictEqual(semanticFields(original), semanticFields(status));
}

/**
 * All but the conditions, with quantities as their values: apiequality.Semantic compares a Quantity by value,
 * and the apiserver sends them back in canonical form (an allocatable 96636764000 comes back as 96636764k).
 */
function semanticFields(status: NodeStatus): NodeStatus {
  const { conditions: _c, capacity, allocatable, ...rest } = status;
  const values = (list: Record<string, string> | undefined) =>
    list && Object.fromEntries(Object.entries(list).map(([name, q]) => [name, parseQuantity(q).nanos]));
  return { ...rest, ...(capacity ? { capacity: values(capacity) } : {}), ...(allocatable ? { allocatable: values(allocatable) } : {}) } as NodeStatus;
}

/**
 * Whether a freshly computed status must be patched (kubelet tryUpdateNodeStatus): it differs from the
 * apiserver's copy it was computed on (`original`), or nodeStatusReportFrequency has passed since the last
 * successful patch. Comparing with the apiserver's copy, not with what the kubelet last posted, is what
 * corrects within 10 s a Ready condition the node lifecycle controller overwrote with Unknown.
 */
export function shouldReportNodeStatus(original: NodeStatus | undefined, current: NodeStatus, lastReportAt: number | null, now: number): boolean {
  if (lastReportAt === null || now - lastReportAt >= NODE_STATUS_REPORT_FREQUENCY_MS) return true;
  return nodeStatusHasChanged(original, current);
}

/** The node's Lease in kube-node-lease, renewed at `now`. */
export function nodeLease(nodeName: string, now: number, nodeUid?: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
}
