// One scheduling cycle of kube-scheduler's default profile (schedulePod / findNodesThatFitPod /
// prioritizeNodes / selectHost), as a pure function of the pod, the snapshot and a random draw.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { evaluatePreemption, type PreemptionOutcome } from './preemption.ts';
import { formatFitError, ERR_NO_NODES_AVAILABLE } from './messages.ts';
import { nodeAffinityFilter } from './plugins/filters/node-affinity.ts';
import { nodeNameFits } from './plugins/filters/node-name.ts';
import { nodePortsFit, wantedHostPorts } from './plugins/filters/node-ports.ts';
import { insufficientResources } from './plugins/filters/node-resources-fit.ts';
import { DEFAULT_FILTER_PLUGINS, DEFAULT_SCORE_PLUGINS, type WeightedScorePlugin } from './plugins/registry.ts';
import { podRequests } from './resources.ts';
import { withoutAssumedPods, type NodeInfo, type Snapshot } from './snapshot.ts';
import { findMatchingUntoleratedTaint } from './taints.ts';
import { MAX_NODE_SCORE, MIN_NODE_SCORE, fail, type FilterFailure, type FilterPlugin, type FilterResult, type PreFilterOutcome } from './types.ts';

/** A node's rejection: the first failing plugin and its reasons. */
export interface NodeStatus {
  readonly plugin: string;
  readonly reasons: readonly string[];
  readonly unresolvable: boolean;
}

/** framework.Diagnosis. */
export interface Diagnosis {
  readonly nodeToStatus: ReadonlyMap<string, NodeStatus>;
  /** Plugins that rejected the pod: what the queue matches cluster events against. */
  readonly unschedulablePlugins: ReadonlySet<string>;
  readonly preFilterMsg?: string;
  readonly postFilterMsg?: string;
}

export interface NodeScore {
  readonly name: string;
  readonly total: number;
  /** Weighted score per plugin. */
  readonly byPlugin: Readonly<Record<string, number>>;
}

export interface ScheduledResult {
  readonly node: string;
  readonly evaluatedNodes: number;
  readonly feasibleNodes: number;
  /** Absent when a single node was feasible (upstream skips scoring then). */
  readonly scores?: readonly NodeScore[];
  readonly nextStartNodeIndex: number;
}

export interface UnschedulableResult {
  readonly unschedulable: true;
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;
  readonly preemption: PreemptionOutcome;
  /** The FailedScheduling event message and PodScheduled condition message. */
  readonly message: string;
  readonly nextStartNodeIndex: number;
}

/** Not a FitError: the cluster has no nodes at all (pod goes to backoff, reason SchedulerError). */
export interface ScheduleErrorResult {
  readonly error: string;
  readonly nextStartNodeIndex: number;
}

export type ScheduleResult = ScheduledResult | UnschedulableResult | ScheduleErrorResult;

export interface ScheduleOptions {
  /** Round-robin start of the node scan (Scheduler.nextStartNodeIndex); 0 by default. */
  readonly nextStartNodeIndex?: number;
  /** percentageOfNodesToScore; 0 (default) is the adaptive upstream default. */
  readonly percentageOfNodesToScore?: number;
  readonly filterPlugins?: readonly FilterPlugin[];
  readonly scorePlugins?: readonly WeightedScorePlugin[];
  /**
   * PLANTED BUG, for tests only: schedule against the snapshot minus assumed pods, i.e. as if the
   * assume cache did not exist. Shows that the property tests can catch double booking.
   */
  readonly ignoreAssumedPods?: boolean;
}

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** numFeasibleNodesToFind: all nodes below 100, else an adaptive share (≥5%, ≥100 nodes). */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return numNodes < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : numNodes;
}

interface PreparedFilters {
  readonly run: readonly { readonly name: string; readonly filter: (node: NodeInfo) => FilterResult }[];
  readonly rejected?: { readonly plugin: string; readonly status: FilterFailure };
  readonly nodeNames?: ReadonlySet<string>;
}

/** RunPreFilterPlugins: the first rejection wins; PreFilterResult node sets intersect. */
export function runPreFilters(pod: Pod, snapshot: Snapshot, plugins: readonly FilterPlugin[] = DEFAULT_FILTER_PLUGINS): PreparedFilters {
  const run: { name: string; filter: (node: NodeInfo) => FilterResult }[] = [];
  let nodeNames: Set<string> | undefined;
  const pluginsWithNodes: string[] = [];
  for (const plugin of plugins) {
    const outcome: PreFilterOutcome = plugin.preFilter(pod, snapshot);
    if (outcome.kind === 'skip') continue;
    if (outcome.kind === 'reject') return { run, rejected: { plugin: plugin.name, status: outcome.status } };
    run.push({ name: plugin.name, filter: outcome.filter });
    if (outcome.nodeNames !== undefined) {
      pluginsWithNodes.push(plugin.name);
      nodeNames = nodeNames === undefined ? new Set(outcome.nodeNames) : new Set([...nodeNames].filter((n) => outcome.nodeNames!.has(n)));
      if (nodeNames.size === 0) {
        const reason =
          pluginsWithNodes.length === 1
            ? `node(s) didn't satisfy plugin ${pluginsWithNodes[0]}`
            : `node(s) didn't satisfy plugin(s) [${pluginsWithNodes.join(' ')}] simultaneously`;
        return { run, rejected: { plugin: plugin.name, status: fail(reason, true) } };
      }
    }
  }
  return nodeNames === undefined ? { run } : { run, nodeNames };
}

/** RunFilterPlugins on one node: undefined when it fits, else the first failing plugin's status. */
export function runFilters(prepared: PreparedFilters, node: NodeInfo): NodeStatus | undefined {
  for (const { name, filter } of prepared.run) {
    const r = filter(node);
    if (!r.ok) return { plugin: name, reasons: r.reasons, unresolvable: r.unresolvable === true };
  }
  return undefined;
}

/** Every filter verdict for one node of a snapshot (PreFilter included); undefined = fits. */
export function filterNode(pod: Pod, snapshot: Snapshot, nodeName: string, plugins: readonly FilterPlugin[] = DEFAULT_FILTER_PLUGINS): NodeStatus | undefined {
  const node = snapshot.byName.get(nodeName);
  if (node === undefined) throw new Error(`node ${nodeName} is not in the snapshot`);
  const prepared = runPreFilters(pod, snapshot, plugins);
  if (prepared.rejected !== undefined) {
    return { plugin: prepared.rejected.plugin, reasons: prepared.rejected.status.reasons, unresolvable: prepared.rejected.status.unresolvable === true };
  }
  if (prepared.nodeNames !== undefined && !prepared.nodeNames.has(nodeName)) return filteredOutByPreFilter();
  return runFilters(prepared, node);
}

// 1.30 records nodes excluded by a PreFilterResult with this status (and no plugin name).
const PREFILTER_FILTERED_OUT = 'node is filtered out by the prefilter result';
function filteredOutByPreFilter(): NodeStatus {
  return { plugin: '', reasons: [PREFILTER_FILTERED_OUT], unresolvable: true };
}

/** prioritizeNodes: run every score plugin, normalize, weight, total. */
export function scoreNodes(
  pod: Pod,
  snapshot: Snapshot,
  feasible: readonly NodeInfo[],
  plugins: readonly WeightedScorePlugin[] = DEFAULT_SCORE_PLUGINS,
): NodeScore[] {
  const byPlugin: Record<string, number>[] = feasible.map(() => ({}));
  const totals = feasible.map(() => 0);
  for (const { plugin, weight } of plugins) {
    const outcome = plugin.preScore(pod, snapshot, feasible);
    if (outcome.kind === 'skip') continue;
    const raw = feasible.map((n) => outcome.score(n));
    const normalized = outcome.normalize ? outcome.normalize(raw, feasible) : raw;
    normalized.forEach((s, i) => {
      if (s > MAX_NODE_SCORE || s < MIN_NODE_SCORE) {
        throw new Error(`plugin "${plugin.name}" returns an invalid score ${s}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`);
      }
      byPlugin[i][plugin.name] = s * weight;
      totals[i] += s * weight;
    });
  }
  return feasible.map((n, i) => ({ name: n.name, total: totals[i], byPlugin: byPlugin[i] }));
}

/** selectHost: the highest total; ties by reservoir sampling (rand.Intn(cnt) == 0 replaces). */
export function selectHost(scores: readonly NodeScore[], rand: () => number): string {
  if (scores.length === 0) throw new Error('empty priorityList');
  let selected = scores[0];
  let cntOfMaxScore = 1;
  for (const s of scores.slice(1)) {
    if (s.total > selected.total) {
      selected = s;
      cntOfMaxScore = 1;
    } else if (s.total === selected.total) {
      cntOfMaxScore++;
      if (Math.floor(rand() * cntOfMaxScore) === 0) selected = s;
    }
  }
  return selected.name;
}

/**
 * Scheduler.schedulePod + the PostFilter (preemption) verdict on failure. `rand` returns [0, 1)
 * and is drawn only to break score ties.
 */
export function schedulePod(pod: Pod, snapshotIn: Snapshot, rand: () => number, options: ScheduleOptions = {}): ScheduleResult {
  const snapshot = options.ignoreAssumedPods ? withoutAssumedPods(snapshotIn) : snapshotIn;
  const filterPlugins = options.filterPlugins ?? DEFAULT_FILTER_PLUGINS;
  const start = options.nextStartNodeIndex ?? 0;
  const allNodes = snapshot.nodes;
  if (allNodes.length === 0) return { error: ERR_NO_NODES_AVAILABLE, nextStartNodeIndex: start };

  const nodeToStatus = new Map<string, NodeStatus>();
  const unschedulablePlugins = new Set<string>();
  const prepared = runPreFilters(pod, snapshot, filterPlugins);

  const unschedulable = (diagnosis: Omit<Diagnosis, 'postFilterMsg'>, next: number): UnschedulableResult => {
    const preemption = evaluatePreemption(pod, snapshot, diagnosis.nodeToStatus, (s, name) => filterNode(pod, s, name, filterPlugins));
    const postFilterMsg = preemption.kind === 'candidates' ? undefined : preemption.message;
    const full: Diagnosis = postFilterMsg === undefined ? diagnosis : { ...diagnosis, postFilterMsg };
    return { unschedulable: true, numAllNodes: allNodes.length, diagnosis: full, preemption, message: formatFitError(allNodes.length, full), nextStartNodeIndex: next };
  };

  if (prepared.rejected !== undefined) {
    const { plugin, status } = prepared.rejected;
    for (const n of allNodes) nodeToStatus.set(n.name, { plugin, reasons: status.reasons, unresolvable: status.unresolvable === true });
    return unschedulable({ nodeToStatus, unschedulablePlugins: new Set([plugin]), preFilterMsg: status.reason }, start);
  }

  let nodes = allNodes;
  if (prepared.nodeNames !== undefined) {
    nodes = allNodes.filter((n) => prepared.nodeNames!.has(n.name));
    for (const n of allNodes) if (!prepared.nodeNames.has(n.name)) nodeToStatus.set(n.name, filteredOutByPreFilter());
  }

  // findNodesThatPassFilters: scan from the round-robin start until enough feasible nodes are found.
  const numNodesToFind = numFeasibleNodesToFind(nodes.length, options.percentageOfNodesToScore ?? 0);
  const feasible: NodeInfo[] = [];
  for (let i = 0; i < nodes.length && feasible.length < numNodesToFind; i++) {
    const node = nodes[(start + i) % nodes.length];
    const status = runFilters(prepared, node);
    if (status === undefined) {
      feasible.push(node);
    } else {
      nodeToStatus.set(node.name, status);
      unschedulablePlugins.add(status.plugin);
    }
  }
  const next = nodes.length === 0 ? start : (start + feasible.length + nodeToStatus.size) % nodes.length;

  if (feasible.length === 0) return unschedulable({ nodeToStatus, unschedulablePlugins }, next);
  if (feasible.length === 1) {
    return { node: feasible[0].name, evaluatedNodes: 1 + nodeToStatus.size, feasibleNodes: 1, nextStartNodeIndex: next };
  }
  const scores = scoreNodes(pod, snapshot, feasible, options.scorePlugins ?? DEFAULT_SCORE_PLUGINS);
  return {
    node: selectHost(scores, rand),
    evaluatedNodes: feasible.length + nodeToStatus.size,
    feasibleNodes: feasible.length,
    scores,
    nextStartNodeIndex: next,
  };
}

export function isScheduled(r: ScheduleResult): r is ScheduledResult {
  return 'node' in r;
}

export function isUnschedulable(r: ScheduleResult): r is UnschedulableResult {
  return 'unschedulable' in r;
}

/**
 * preCheckForNode: on a node add/update, only pods that would pass the node's cheap checks
 * (resources, node affinity, node name, host ports, NoSchedule taints) are worth moving.
 */
export function preCheckForNode(node: NodeInfo): (pod: Pod) => boolean {
  return (pod) =>
    insufficientResources(podRequests(pod), node).length === 0 &&
    nodeAffinityFilter(pod, node).ok &&
    nodeNameFits(pod, node) &&
    nodePortsFit(wantedHostPorts(pod), node) &&
    findMatchingUntoleratedTaint(node.node.spec?.taints, pod.spec?.tolerations, (t) => t.effect === 'NoSchedule') === undefined;
}
