// The scheduling snapshot: every node with the pods bound to it (from the informer) and the pods
// assumed onto it (from the assume cache), aggregated per node as framework.NodeInfo.
import type { Namespace, Node, Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Labels } from '../api/labels.ts';
import { hasAffinity, podInfoOf, podKey, type PodInfo } from './pod-info.ts';
import { EMPTY_RESOURCE, addResources, podNonZeroRequests, podRequests, resourceFromList, type Resource } from './resources.ts';

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** framework.ImageStateSummary: image size and on how many nodes it is present. */
export interface ImageStateSummary {
  readonly size: number;
  readonly numNodes: number;
}

export interface NodeInfo {
  readonly name: string;
  readonly node: Node;
  /** Bound and assumed pods, bound first. */
  readonly pods: readonly PodInfo[];
  readonly assumedPodKeys: ReadonlySet<string>;
  readonly podsWithAffinity: readonly PodInfo[];
  readonly podsWithRequiredAntiAffinity: readonly PodInfo[];
  /** Sum of the pods' requests (what NodeResourcesFit filters on). */
  readonly requested: Resource;
  /** Same with the 100m / 200Mi defaults for missing requests (what LeastAllocated scores on). */
  readonly nonZeroRequested: { readonly milliCPU: number; readonly memory: number };
  /** From node.status.allocatable: cpu, memory, ephemeral-storage, pods, scalar resources. */
  readonly allocatable: Resource;
  readonly usedPorts: readonly HostPort[];
  readonly imageStates: ReadonlyMap<string, ImageStateSummary>;
}

/** The objects DefaultSelector reads to build system-default topology spreading. */
export interface Workloads {
  readonly services: readonly Service[];
  readonly replicaSets: readonly ReplicaSet[];
  readonly statefulSets: readonly StatefulSet[];
  readonly replicationControllers: readonly ReplicationController[];
}

export interface SnapshotInput {
  readonly nodes: readonly Node[];
  /** Informer pods; only assigned, non-terminal ones count (the scheduler's pod informer filter). */
  readonly pods?: readonly Pod[];
  /** Pods from the assume cache, spec.nodeName set; ignored when the informer already shows them bound. */
  readonly assumedPods?: readonly Pod[];
  /** Namespaces for namespaceSelector terms; when omitted each namespace has only its name label. */
  readonly namespaces?: readonly Namespace[];
  readonly services?: readonly Service[];
  readonly replicaSets?: readonly ReplicaSet[];
  readonly statefulSets?: readonly StatefulSet[];
  readonly replicationControllers?: readonly ReplicationController[];
}

export interface Snapshot {
  /** In input order: the order nodes are filtered in and ties are sampled in. */
  readonly nodes: readonly NodeInfo[];
  readonly byName: ReadonlyMap<string, NodeInfo>;
  readonly workloads: Workloads;
  /** Labels of a namespace, undefined when it does not exist. */
  namespaceLabels(namespace: string): Labels | undefined;
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

// NodeInfo.updateUsedPorts: only app containers' ports, defaulted to 0.0.0.0/TCP; port 0 is not a host port.
function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if ((p.hostPort ?? 0) <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort! });
    }
  }
  return out;
}

/** On how many nodes each image name is present (framework.ImageStateSummary.NumNodes). */
export function imageNumNodes(nodes: readonly Node[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const names = new Set<string>();
    for (const image of node.status?.images ?? []) for (const name of image.names ?? []) names.add(name);
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** A node's images with their sizes and cluster-wide spread, as ImageLocality reads them. */
export function nodeImageStates(node: Node, numNodes: ReadonlyMap<string, number>): Map<string, ImageStateSummary> {
  const states = new Map<string, ImageStateSummary>();
  for (const image of node.status?.images ?? []) {
    for (const name of image.names ?? []) {
      if (!states.has(name)) states.set(name, { size: image.sizeBytes ?? 0, numNodes: numNodes.get(name) ?? 1 });
    }
  }
  return states;
}

interface PodAccounting {
  readonly requests: Resource;
  readonly nonZero: { readonly milliCPU: number; readonly memory: number };
  readonly ports: readonly HostPort[];
}

// Snapshots are rebuilt every cycle; a pod object's accounting never changes, so compute it once.
const accounting = new WeakMap<Pod, PodAccounting>();
function accountingOf(pod: Pod): PodAccounting {
  let a = accounting.get(pod);
  if (a === undefined) {
    a = { requests: podRequests(pod), nonZero: podNonZeroRequests(pod), ports: podHostPorts(pod) };
    accounting.set(pod, a);
  }
  return a;
}

/** NodeInfo for a node holding exactly `pods` (keys in `assumed` marked as assumed). */
export function makeNodeInfo(
  node: Node,
  pods: readonly Pod[],
  assumed: ReadonlySet<string>,
  imageStates: ReadonlyMap<string, ImageStateSummary>,
): NodeInfo {
  let requested = EMPTY_RESOURCE;
  let nonZeroCPU = 0;
  let nonZeroMem = 0;
  const usedPorts: HostPort[] = [];
  const infos: PodInfo[] = [];
  for (const pod of pods) {
    const info = podInfoOf(pod);
    infos.push(info);
    const acc = accountingOf(pod);
    requested = addResources(requested, acc.requests);
    nonZeroCPU += acc.nonZero.milliCPU;
    nonZeroMem += acc.nonZero.memory;
    usedPorts.push(...acc.ports);
  }
  return {
    name: node.metadata?.name ?? '',
    node,
    pods: infos,
    assumedPodKeys: assumed,
    podsWithAffinity: infos.filter(hasAffinity),
    podsWithRequiredAntiAffinity: infos.filter((i) => i.requiredAntiAffinityTerms.length > 0),
    requested,
    nonZeroRequested: { milliCPU: nonZeroCPU, memory: nonZeroMem },
    allocatable: resourceFromList(node.status?.allocatable),
    usedPorts,
    imageStates,
  };
}

function namespaceLookup(namespaces: readonly Namespace[] | undefined): (ns: string) => Labels | undefined {
  if (namespaces === undefined) return (ns) => ({ [NAMESPACE_NAME_LABEL]: ns });
  const byName = new Map(namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  return (ns) => byName.get(ns);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

/** Builds the snapshot the way the scheduler cache does: informer pods first, then assumed pods. */
export function buildSnapshot(input: SnapshotInput): Snapshot {
  const podsByNode = new Map<string, Pod[]>();
  const assumedByNode = new Map<string, Set<string>>();
  const seen = new Set<string>();
  for (const pod of input.pods ?? []) {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isTerminal(pod)) continue;
    seen.add(podKey(pod));
    push(podsByNode, nodeName, pod);
  }
  for (const pod of input.assumedPods ?? []) {
    const nodeName = pod.spec?.nodeName;
    const key = podKey(pod);
    if (!nodeName || seen.has(key)) continue;
    seen.add(key);
    push(podsByNode, nodeName, pod);
    assumedByNode.set(nodeName, (assumedByNode.get(nodeName) ?? new Set()).add(key));
  }
  const numNodes = imageNumNodes(input.nodes);
  const nodes = input.nodes.map((node) => {
    const name = node.metadata?.name ?? '';
    return makeNodeInfo(node, podsByNode.get(name) ?? [], assumedByNode.get(name) ?? new Set(), nodeImageStates(node, numNodes));
  });
  return fromNodeInfos(nodes, {
    services: input.services ?? [],
    replicaSets: input.replicaSets ?? [],
    statefulSets: input.statefulSets ?? [],
    replicationControllers: input.replicationControllers ?? [],
  }, namespaceLookup(input.namespaces));
}

function fromNodeInfos(nodes: readonly NodeInfo[], workloads: Workloads, namespaceLabels: (ns: string) => Labels | undefined): Snapshot {
  return { nodes, byName: new Map(nodes.map((n) => [n.name, n])), workloads, namespaceLabels };
}

/** The snapshot with one node's pod list replaced (images and other nodes untouched). */
export function withNodePods(snapshot: Snapshot, nodeName: string, pods: readonly Pod[], assumed?: ReadonlySet<string>): Snapshot {
  const nodes = snapshot.nodes.map((n) => {
    if (n.name !== nodeName) return n;
    const keys = assumed ?? new Set([...n.assumedPodKeys].filter((k) => pods.some((p) => podKey(p) === k)));
    return makeNodeInfo(n.node, pods, keys, n.imageStates);
  });
  return fromNodeInfos(nodes, snapshot.workloads, snapshot.namespaceLabels);
}

/** Cache.AssumePod reflected in the snapshot: the pod is counted on spec.nodeName from now on. */
export function assumePodInSnapshot(snapshot: Snapshot, pod: Pod): Snapshot {
  const nodeName = pod.spec?.nodeName;
  const info = nodeName === undefined ? undefined : snapshot.byName.get(nodeName);
  if (info === undefined) return snapshot;
  const key = podKey(pod);
  return withNodePods(snapshot, info.name, [...info.pods.map((p) => p.pod).filter((p) => podKey(p) !== key), pod], new Set([...info.assumedPodKeys, key]));
}

/** The snapshot as if the assume cache did not exist: only pods the informer has seen bound. */
export function withoutAssumedPods(snapshot: Snapshot): Snapshot {
  const nodes = snapshot.nodes.map((n) =>
    n.assumedPodKeys.size === 0
      ? n
      : makeNodeInfo(n.node, n.pods.filter((p) => !n.assumedPodKeys.has(p.key)).map((p) => p.pod), new Set(), n.imageStates),
  );
  return fromNodeInfos(nodes, snapshot.workloads, snapshot.namespaceLabels);
}

export function nodeLabels(info: NodeInfo): Labels {
  return info.node.metadata?.labels ?? {};
}
