// The scheduler cache (pkg/scheduler/internal/cache): nodes, the pods the informer shows bound to
// them, and the pods this scheduler assumed onto them before their binding is confirmed. It keeps one
// NodeInfo per node and rebuilds only the nodes that changed when a cycle asks for a snapshot
// (upstream's generation-based UpdateSnapshot), so a cycle costs O(changed nodes), not O(all pods).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Labels } from '../../src/api/labels.ts';
import {
  imageNumNodes, makeNodeInfo, nodeImageStates, podKey, type NodeInfo, type Snapshot, type Workloads,
} from '../../src/scheduler/index.ts';
import { NodeTree } from './node-tree.ts';

interface PodState {
  pod: Pod;
  nodeName: string;
  assumed: boolean;
  /** The bind call returned (FinishBinding); only meaningful while assumed. */
  bindingFinished: boolean;
}

interface PodsOnNode {
  readonly bound: Map<string, Pod>;
  readonly assumed: Map<string, Pod>;
}

const EMPTY_WORKLOADS: Workloads = Object.freeze({ services: [], replicaSets: [], statefulSets: [], replicationControllers: [] });

function describe(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, Node>();
  private readonly tree = new NodeTree();
  private readonly podStates = new Map<string, PodState>();
  private readonly podsByNode = new Map<string, PodsOnNode>();
  private readonly nodeInfos = new Map<string, NodeInfo>();
  /** Nodes whose NodeInfo must be rebuilt before the next snapshot. */
  private readonly dirty = new Set<string>();
  private listChanged = true;
  private imagesChanged = true;
  private numNodesByImage = new Map<string, number>();
  /** Each node's index in the snapshot's node list. */
  private positions = new Map<string, number>();
  private readonly snapshotValue: { nodes: NodeInfo[]; byName: Map<string, NodeInfo>; workloads: Workloads; namespaceLabels: (ns: string) => Labels | undefined };

  constructor(namespaceLabels: (ns: string) => Labels | undefined) {
    this.snapshotValue = { nodes: [], byName: new Map(), workloads: EMPTY_WORKLOADS, namespaceLabels };
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  get podCount(): number {
    return this.podStates.size;
  }

  setWorkloads(workloads: Workloads): void {
    this.snapshotValue.workloads = workloads;
  }

  // ---- nodes ---------------------------------------------------------------------------------

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    if (this.nodes.has(name)) return this.updateNode(node);
    this.nodes.set(name, node);
    this.tree.add(node);
    this.listChanged = true;
    if ((node.status?.images ?? []).length > 0) this.imagesChanged = true;
    this.dirty.add(name);
  }

  updateNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const old = this.nodes.get(name);
    if (old === undefined) return this.addNode(node);
    this.nodes.set(name, node);
    if (this.tree.update(node)) this.listChanged = true;
    if (JSON.stringify(old.status?.images ?? []) !== JSON.stringify(node.status?.images ?? [])) this.imagesChanged = true;
    this.dirty.add(name);
  }

  /** RemoveNode: pods still bound to it stay cached (they are deleted separately). */
  removeNode(name: string): void {
    if (!this.nodes.delete(name)) return;
    this.tree.remove(name);
    this.nodeInfos.delete(name);
    this.dirty.delete(name);
    this.listChanged = true;
    this.imagesChanged = true;
  }

  /** The NodeInfo a node has now (for the queue's preCheckForNode). */
  nodeInfo(name: string): NodeInfo | undefined {
    this.refresh();
    return this.nodeInfos.get(name);
  }

  // ---- pods ----------------------------------------------------------------------------------

  isAssumed(pod: Pod): boolean {
    return this.podStates.get(podKey(pod))?.assumed === true;
  }

  /** Where the cache counts the pod (bound or assumed), if anywhere. */
  nodeOf(pod: Pod): string | undefined {
    return this.podStates.get(podKey(pod))?.nodeName;
  }

  /** AssumePod: `pod` (spec.nodeName set) counts on its node from now on. Returns an error text if refused. */
  assumePod(pod: Pod): string | undefined {
    const key = podKey(pod);
    if (this.podStates.has(key)) return `pod ${key}(${describe(pod)}) is in the cache, so can't be assumed`;
    const nodeName = pod.spec?.nodeName ?? '';
    this.podStates.set(key, { pod, nodeName, assumed: true, bindingFinished: false });
    this.place(key, pod, nodeName, true);
    return undefined;
  }

  /** FinishBinding: the bind call returned (assumed pods never expire: upstream's TTL is 0). */
  finishBinding(pod: Pod): void {
    const state = this.podStates.get(podKey(pod));
    if (state?.assumed) state.bindingFinished = true;
  }

  /** ForgetPod: the binding failed; give the room back. Returns an error text if it was not assumed. */
  forgetPod(pod: Pod): string | undefined {
    const key = podKey(pod);
    const state = this.podStates.get(key);
    if (state === undefined || !state.assumed) return `pod ${key}(${describe(pod)}) wasn't assumed so cannot be forgotten`;
    this.podStates.delete(key);
    this.unplace(key, state.nodeName);
    return undefined;
  }

  /** AddPod (the informer shows it bound): confirms an assumption, or adds it; the informer's copy counts. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName ?? '';
    const state = this.podStates.get(key);
    if (state !== undefined) this.unplace(key, state.nodeName);
    this.podStates.set(key, { pod, nodeName, assumed: false, bindingFinished: false });
    this.place(key, pod, nodeName, false);
  }

  /** UpdatePod: the new copy replaces the old one (on its possibly new node). */
  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  /** RemovePod: the pod is gone (deleted, terminal, or unbound from the cache's point of view). */
  removePod(pod: Pod): void {
    const key = podKey(pod);
    const state = this.podStates.get(key);
    if (state === undefined) return;
    this.podStates.delete(key);
    this.unplace(key, state.nodeName);
  }

  /** Every assumed pod (for inspection and tests). */
  assumedPods(): Pod[] {
    return [...this.podStates.values()].filter((s) => s.assumed).map((s) => s.pod);
  }

  private place(key: string, pod: Pod, nodeName: string, assumed: boolean): void {
    let on = this.podsByNode.get(nodeName);
    if (on === undefined) {
      on = { bound: new Map(), assumed: new Map() };
      this.podsByNode.set(nodeName, on);
    }
    (assumed ? on.assumed : on.bound).set(key, pod);
    if (this.nodes.has(nodeName)) this.dirty.add(nodeName);
  }

  private unplace(key: string, nodeName: string): void {
    const on = this.podsByNode.get(nodeName);
    if (on === undefined) return;
    on.bound.delete(key);
    on.assumed.delete(key);
    if (on.bound.size === 0 && on.assumed.size === 0) this.podsByNode.delete(nodeName);
    if (this.nodes.has(nodeName)) this.dirty.add(nodeName);
  }

  // ---- snapshot ------------------------------------------------------------------------------

  /**
   * UpdateSnapshot: the nodes in nodeTree order with their pods (bound first, then assumed). The
   * returned object is the cache's own and changes with it: use it within one cycle only.
   */
  snapshot(): Snapshot {
    this.refresh();
    return this.snapshotValue;
  }

  private refresh(): void {
    if (this.imagesChanged) {
      this.numNodesByImage = imageNumNodes([...this.nodes.values()]);
      for (const name of this.nodes.keys()) this.dirty.add(name);
      this.imagesChanged = false;
    }
    const snap = this.snapshotValue;
    for (const name of this.dirty) {
      const node = this.nodes.get(name)!;
      const on = this.podsByNode.get(name);
      const pods = on === undefined ? [] : [...on.bound.values(), ...on.assumed.values()];
      const info = makeNodeInfo(node, pods, new Set(on?.assumed.keys() ?? []), nodeImageStates(node, this.numNodesByImage));
      this.nodeInfos.set(name, info);
      if (!this.listChanged) {
        snap.nodes[this.positions.get(name)!] = info;
        snap.byName.set(name, info);
      }
    }
    this.dirty.clear();
    if (this.listChanged) {
      snap.nodes = this.tree.list().map((name) => this.nodeInfos.get(name)!);
      snap.byName = new Map(snap.nodes.map((n) => [n.name, n]));
      this.positions = new Map(snap.nodes.map((n, i) => [n.name, i]));
      this.listChanged = false;
    }
  }
}
