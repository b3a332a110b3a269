// Terse builders for nodes and pods in scheduler tests.
import type { Affinity, ContainerPort, Node, Pod, Taint, Toleration, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
  allocatable?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: o.allocatable ?? { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' },
      ...(o.images ? { images: o.images } : {}),
    },
  };
}

export interface PodOpts {
  namespace?: string;
  cpu?: string;
  memory?: string;
  /** Extra containers' requests, for multi-container cases. */
  containers?: { cpu?: string; memory?: string; image?: string; ports?: ContainerPort[] }[];
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Affinity;
  ports?: ContainerPort[];
  priority?: number;
  nodeName?: string;
  image?: string;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  schedulingGates?: { name: string }[];
  preemptionPolicy?: string;
}

export function makePod(name: string, o: PodOpts = {}): Pod {
  const namespace = o.namespace ?? 'default';
  const requests: Record<string, string> = {};
  if (o.cpu !== undefined) requests.cpu = o.cpu;
  if (o.memory !== undefined) requests.memory = o.memory;
  const main = {
    name: 'main',
    image: o.image ?? 'registry.k8s.io/pause:3.9',
    resources: Object.keys(requests).length > 0 ? { requests } : {},
    ...(o.ports ? { ports: o.ports } : {}),
  };
  const extra = (o.containers ?? []).map((c, i) => ({
    name: `c${i}`,
    image: c.image ?? 'registry.k8s.io/pause:3.9',
    resources: {
      requests: { ...(c.cpu !== undefined ? { cpu: c.cpu } : {}), ...(c.memory !== undefined ? { memory: c.memory } : {}) },
    },
    ...(c.ports ? { ports: c.ports } : {}),
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels: o.labels ?? {} },
    spec: {
      containers: [main, ...extra],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.topologySpreadConstraints ? { topologySpreadConstraints: o.topologySpreadConstraints } : {}),
      ...(o.schedulingGates ? { schedulingGates: o.schedulingGates } : {}),
      ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}),
    },
  };
}

/** A bound copy of a pod. */
export function boundTo(pod: Pod, nodeName: string): Pod {
  return { ...pod, spec: { ...pod.spec!, nodeName } };
}

/** mulberry32: a deterministic [0, 1) source for tie-breaking draws. */
export function seededRand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A rand that must not be called (single candidate or strict winner). */
export const noRand = (): number => {
  throw new Error('rand drawn unexpectedly');
};
