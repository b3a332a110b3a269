// Safety: the taint eviction controller honours tolerationSeconds. A pod that tolerates every NoExecute
// taint on its node, the shortest for T seconds, must not be evicted (DisruptionTarget condition with reason
// DeletionByTaintManager) before T seconds have passed since the node became tainted. Upstream starts that
// clock when the controller sees the taint (never before its timeAdded), and keeps an eviction already
// scheduled when the taint's key changes (not-ready → unreachable), so the bound is measured from the start
// of the node's continuous NoExecute-tainted stretch — the earliest timeAdded seen in it. Timestamps have
// one-second resolution, hence one second of slack. Neither ESR nor the other invariants see an early
// eviction: the ReplicaSet replaces the pod and the cluster converges.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { parseTimestamp } from '../../kubelet/format.ts';
import { toleratesTaint } from '../../scheduler/taints.ts';
import type { ClusterView } from '../../check/convergence/view.ts';
import type { Violation } from '../types.ts';

const SLACK_MS = 1_000;
export const TOLERATION_INVARIANT = 'eviction honours tolerationSeconds';

export class TolerationEvictionMonitor {
  /** node → start of its current continuous NoExecute-tainted stretch (earliest timeAdded seen in it). */
  private readonly taintedSince = new Map<string, number>();
  /** Pods already judged (by uid). */
  private readonly judged = new Set<string>();
  readonly violations: Violation[] = [];

  observe(view: ClusterView): Violation[] {
    const nodes = new Map<string, Node>();
    for (const node of view.objects.nodes) {
      const name = node.metadata?.name ?? '';
      nodes.set(name, node);
      const noExecute = noExecuteTaints(node);
      if (noExecute.length === 0) {
        this.taintedSince.delete(name);
        continue;
      }
      const added = Math.min(...noExecute.map((t) => (t.timeAdded ? parseTimestamp(t.timeAdded) : view.time)));
      this.taintedSince.set(name, Math.min(this.taintedSince.get(name) ?? Infinity, added));
    }
    const found: Violation[] = [];
    for (const pod of view.objects.pods) {
      const uid = pod.metadata?.uid ?? '';
      if (this.judged.has(uid)) continue;
      const condition = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.reason === 'DeletionByTaintManager' && c.status === 'True');
      if (!condition) continue;
      this.judged.add(uid);
      const node = nodes.get(pod.spec?.nodeName ?? '');
      const since = this.taintedSince.get(pod.spec?.nodeName ?? '');
      if (!node || since === undefined || !condition.lastTransitionTime) continue;
      const tolerated = minTolerationSeconds(pod, noExecuteTaints(node));
      if (tolerated === undefined) continue; // some taint is not tolerated: immediate eviction is right
      const evictedAt = parseTimestamp(condition.lastTransitionTime);
      const earliest = since + tolerated * 1_000;
      if (evictedAt + SLACK_MS < earliest) {
        const name = `Pod ${pod.metadata?.namespace}/${pod.metadata?.name}`;
        const seconds = Number.isFinite(tolerated) ? `${tolerated} s` : 'ever';
        found.push({
          checker: 'safety', invariant: TOLERATION_INVARIANT, at: evictedAt,
          message: `${name} was evicted by the taint manager at ${Math.round(evictedAt)}ms, ${Math.round((evictedAt - since) / 1000)} s after node ${pod.spec?.nodeName} was tainted NoExecute (${Math.round(since)}ms), but it tolerates the taint for ${seconds}.`,
        });
      }
    }
    this.violations.push(...found);
    return found;
  }
}

function noExecuteTaints(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * The shortest time the pod tolerates all `taints` (Infinity when it tolerates them for ever), or
 * undefined when some taint is not tolerated at all.
 */
function minTolerationSeconds(pod: Pod, taints: readonly Taint[]): number | undefined {
  let min = Infinity;
  for (const taint of taints) {
    const matching = (pod.spec?.tolerations ?? []).filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return undefined;
    for (const t of matching) if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) min = Math.min(min, Math.max(0, t.tolerationSeconds));
  }
  return min;
}
