// DefaultPreemption's verdict (PostFilter), without evicting anything: upstream's dry run decides
// per node whether removing every lower-priority pod would let the pod fit. Only the outcome that
// upstream reports as text is modelled; when victims exist we say so and stop (no eviction,
// no nominatedNodeName).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeStatus } from './framework.ts';
import { formatFitError } from './messages.ts';
import { podPriority } from './pod-info.ts';
import { withNodePods, type Snapshot } from './snapshot.ts';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_ELIGIBLE_PREEMPTION_POLICY_NEVER = 'not eligible due to preemptionPolicy=Never.';

export type PreemptionOutcome =
  /** PodEligibleToPreemptOthers said no. */
  | { readonly kind: 'not-eligible'; readonly message: string }
  /** No node can be made to fit by evicting lower-priority pods (the usual case). */
  | { readonly kind: 'no-candidates'; readonly message: string; readonly nodeToStatus: ReadonlyMap<string, NodeStatus> }
  /** Upstream would evict victims on one of these nodes and nominate it; not modelled here. */
  | { readonly kind: 'candidates'; readonly nodes: readonly string[] };

/** Runs the full filter chain (PreFilter included) for one node of a snapshot; undefined = fits. */
export type FilterOnSnapshot = (snapshot: Snapshot, nodeName: string) => NodeStatus | undefined;

export function evaluatePreemption(
  pod: Pod,
  snapshot: Snapshot,
  filterStatuses: ReadonlyMap<string, NodeStatus>,
  filterOn: FilterOnSnapshot,
): PreemptionOutcome {
  if (pod.spec?.preemptionPolicy === 'Never') return { kind: 'not-eligible', message: `preemption: ${NOT_ELIGIBLE_PREEMPTION_POLICY_NEVER}` };
  const priority = podPriority(pod);
  const statuses = new Map<string, NodeStatus>();
  const candidates: string[] = [];
  for (const node of snapshot.nodes) {
    const filterStatus = filterStatuses.get(node.name);
    // nodesWherePreemptionMightHelp: UnschedulableAndUnresolvable nodes are out.
    if (filterStatus?.unresolvable) {
      statuses.set(node.name, { plugin: '', reasons: [PREEMPTION_NOT_HELPFUL], unresolvable: true });
      continue;
    }
    // SelectVictimsOnNode: remove every lower-priority pod, then the pod must pass all filters.
    const survivors = node.pods.filter((p) => podPriority(p.pod) >= priority);
    if (survivors.length === node.pods.length) {
      statuses.set(node.name, { plugin: '', reasons: [NO_PREEMPTION_VICTIMS], unresolvable: true });
      continue;
    }
    const status = filterOn(withNodePods(snapshot, node.name, survivors.map((p) => p.pod)), node.name);
    if (status === undefined) candidates.push(node.name);
    else statuses.set(node.name, status);
  }
  if (candidates.length > 0) return { kind: 'candidates', nodes: candidates };
  const message = formatFitError(statuses.size, { nodeToStatus: statuses });
  return { kind: 'no-candidates', message: `preemption: ${message}`, nodeToStatus: statuses };
}
