// One round of node lifecycle work as a plan: the health check's status writes, taint changes and pods
// marked NotReady, collected per node so each node gets at most one status write and one taint patch,
// in upstream's order (status first; taints and pods only once the status write succeeded).
import type { Node, NodeStatus, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { PODS, updateRequest, type KubeObject } from '../../../src/client/index.ts';
import { rfc3339 } from '../../../src/kubelet/format.ts';
import type { ControllerContext } from '../controller-module.ts';
import { referenceTo, type EventSpec } from '../events.ts';
import { NODES } from '../informers.ts';
import { objectKeyOf, type JobPlan, type PlannedCall } from '../jobs.ts';
import { NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE, swappedTaints, taintExists, taintPatch } from '../node-util.ts';
import { isPodReady } from '../pod-util.ts';
import { NODE_COMPONENT, type NodeLifecycleState } from './state.ts';
import { newTainter, tainterAdd, tainterRemove, type Tainter } from './tainter.ts';
import { zoneKey } from './zones.ts';

interface NodeWork {
  readonly node: Node;
  status?: NodeStatus;
  readonly statusEvents: EventSpec[];
  taints?: Taint[];
  readonly podCalls: PlannedCall[];
}

export function nodeRef(node: Node) {
  return { apiVersion: 'v1', kind: 'Node', name: node.metadata?.name, uid: node.metadata?.uid };
}

export function nodeEvent(node: Node, reason: string, message: string, type: EventSpec['type'] = 'Normal'): EventSpec {
  return { type, reason, message, involvedObject: nodeRef(node), component: NODE_COMPONENT };
}

export class Pass {
  readonly events: EventSpec[] = [];
  private readonly work = new Map<string, NodeWork>();

  constructor(public state: NodeLifecycleState, readonly ctx: ControllerContext) {}

  private workFor(node: Node): NodeWork {
    const name = node.metadata?.name ?? '';
    let w = this.work.get(name);
    if (!w) {
      w = { node, statusEvents: [], podCalls: [] };
      this.work.set(name, w);
    }
    return w;
  }

  writeStatus(node: Node, status: NodeStatus, events: readonly EventSpec[]): void {
    const w = this.workFor(node);
    w.status = status;
    w.statusEvents.push(...events);
  }

  /** SwapNodeControllerTaint on the node as this pass leaves it; added taints carry timeAdded. */
  swapTaints(node: Node, add: readonly Taint[], remove: readonly Taint[]): void {
    const w = this.workFor(node);
    const base: Node = { ...node, spec: { ...node.spec, taints: w.taints ?? node.spec?.taints } };
    const stamped = add.map((t) => ({ ...t, timeAdded: rfc3339(this.ctx.now) }));
    const next = swappedTaints(base, stamped, remove);
    if (next) w.taints = next;
  }

  tainter(node: Node): Tainter {
    return this.state.tainters[zoneKey(node)] ?? newTainter(this.ctx.config.nodeLifecycle.evictionRate, this.ctx.now);
  }

  setTainter(node: Node, tainter: Tainter): void {
    this.state = { ...this.state, tainters: { ...this.state.tainters, [zoneKey(node)]: tainter } };
  }

  /** markNodeAsReachable: lift both NoExecute taints and forget the node in its zone's tainter. */
  markNodeAsReachable(node: Node): void {
    this.swapTaints(node, [], [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE]);
    this.setTainter(node, tainterRemove(this.tainter(node), node.metadata?.name ?? '')[1]);
  }

  /** markNodeForTainting: queue the node for its NoExecute taint (again, if that taint went missing). */
  markNodeForTainting(node: Node, status: 'False' | 'Unknown'): void {
    const name = node.metadata?.name ?? '';
    let t = this.tainter(node);
    const expected = status === 'False' ? NOT_READY_NO_EXECUTE : UNREACHABLE_NO_EXECUTE;
    if (!taintExists(node.spec?.taints, expected)) t = tainterRemove(t, name)[1];
    this.setTainter(node, tainterAdd(t, name, node.metadata?.uid ?? '', this.ctx.now)[1]);
  }

  /** MarkPodsNotReady: each Ready pod on the node gets Ready=False (status writes, one per pod). */
  markPodsNotReady(node: Node, pods: readonly Pod[]): void {
    const w = this.workFor(node);
    const name = node.metadata?.name ?? '';
    for (const pod of pods) {
      if (pod.spec?.nodeName !== name || !isPodReady(pod)) continue;
      const conditions = (pod.status?.conditions ?? []).map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(this.ctx.now) } : c);
      const body = { ...pod, status: { ...pod.status, conditions } };
      w.podCalls.push({
        request: updateRequest(PODS, pod.metadata?.name ?? '', body, { namespace: pod.metadata?.namespace, subresource: 'status', user: this.ctx.config.user }),
        tag: { kind: 'op', op: 'markPodNotReady', key: name },
        objectKey: objectKeyOf('pods', pod),
        ignoreFailure: true,
        onSuccess: [{ type: 'Warning', reason: 'NodeNotReady', message: 'Node is not ready', involvedObject: referenceTo(pod, 'v1', 'Pod'), component: NODE_COMPONENT }],
      });
    }
  }

  plan(requeueAfterMs?: number): JobPlan {
    const calls: PlannedCall[] = [];
    const { config } = this.ctx;
    for (const [name, w] of [...this.work.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const after: PlannedCall[] = [];
      if (w.taints) after.push(taintPatch(w.node, w.taints, { kind: 'op', op: 'taints', key: name }, config));
      after.push(...w.podCalls);
      if (!w.status) {
        calls.push(...after);
        continue;
      }
      calls.push({
        request: updateRequest(NODES, name, { ...w.node, status: w.status }, { subresource: 'status', user: config.user }),
        tag: { kind: 'op', op: 'nodeStatus', key: name },
        objectKey: objectKeyOf('nodes', w.node as KubeObject),
        ignoreFailure: true,
        ...(after.length > 0 ? { then: after } : {}),
        ...(w.statusEvents.length > 0 ? { onSuccess: w.statusEvents } : {}),
      });
    }
    return { steps: calls.length > 0 ? [{ label: 'write', calls }] : [], ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
  }
}
