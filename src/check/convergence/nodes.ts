// ESR for nodes and where pods sit: every live node registered, Ready and free of the unreachable /
// not-ready taints; every down node marked not Ready and tainted NoExecute; no pod bound to a node that is
// gone; no active pod left on a down node unless it tolerates that forever (daemon pods do); no pod
// stuck terminating on a live node.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../scheduler/taints.ts';
import { isActive, isTerminal, isTerminating, podName } from './pods.ts';
import type { ClusterView } from './view.ts';
import { violation, type Violation } from './violation.ts';

export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT_KEY = 'node.kubernetes.io/not-ready';
const HEALTH_TAINTS = [UNREACHABLE_TAINT_KEY, NOT_READY_TAINT_KEY];

const readyStatus = (node: Node): string | undefined => node.status?.conditions?.find((c) => c.type === 'Ready')?.status;

/** A pod that stays on a down node for good: it tolerates the NoExecute health taint with no time limit. */
function toleratesForever(pod: Pod, taintKey: string): boolean {
  const taint: Taint = { key: taintKey, effect: 'NoExecute' };
  return (pod.spec?.tolerations ?? []).some((t) => toleratesTaint(t, taint) && t.tolerationSeconds == null);
}

export function checkNodes(view: ClusterView): Violation[] {
  const out: Violation[] = [];
  const at = view.time;
  const nodes = new Map(view.objects.nodes.map((n) => [n.metadata?.name ?? '', n]));
  for (const live of [...view.liveNodes].sort()) {
    if (!nodes.has(live)) out.push(violation('node', `Node ${live}`, 'is up but has no Node object.', at));
  }
  for (const [name, node] of nodes) {
    const object = `Node ${name}`;
    const healthTaints = (node.spec?.taints ?? []).filter((t) => HEALTH_TAINTS.includes(t.key));
    if (view.liveNodes.has(name)) {
      if (readyStatus(node) !== 'True') out.push(violation('node', object, `is up but its Ready condition is ${readyStatus(node) ?? 'missing'}.`, at));
      if (healthTaints.length > 0) out.push(violation('node', object, `is up but still tainted ${healthTaints.map((t) => `${t.key}:${t.effect}`).join(', ')}.`, at));
    } else {
      if (readyStatus(node) === 'True') out.push(violation('node', object, 'is down but its Ready condition is still True.', at));
      if (!healthTaints.some((t) => t.effect === 'NoExecute')) out.push(violation('node', object, 'is down but has no unreachable or not-ready NoExecute taint.', at));
    }
  }
  for (const pod of view.objects.pods) {
    const node = pod.spec?.nodeName;
    if (!node || isTerminal(pod)) continue;
    if (!nodes.has(node)) {
      out.push(violation('pod-placement', podName(pod), `is bound to ${node}, which has no Node object.`, at));
      continue;
    }
    if (view.liveNodes.has(node)) {
      if (isTerminating(pod)) out.push(violation('stuck-deletion', podName(pod), `is still terminating on ${node} (since ${pod.metadata?.deletionTimestamp}).`, at));
      continue;
    }
    const taintKey = readyStatus(nodes.get(node)!) === 'False' ? NOT_READY_TAINT_KEY : UNREACHABLE_TAINT_KEY;
    if (isActive(pod) && !toleratesForever(pod, taintKey)) out.push(violation('pod-placement', podName(pod), `is still active on ${node}, which is down; it should have been evicted.`, at));
  }
  return out;
}
