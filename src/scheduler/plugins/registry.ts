// The default plugin set of kube-scheduler 1.30 (getDefaultPlugins), in its filter order, and the
// default score weights.
import { interPodAffinityFilterPlugin } from './filters/inter-pod-affinity.ts';
import { nodeAffinityFilterPlugin } from './filters/node-affinity.ts';
import { nodeNamePlugin } from './filters/node-name.ts';
import { nodePortsPlugin } from './filters/node-ports.ts';
import { nodeResourcesFitPlugin } from './filters/node-resources-fit.ts';
import { nodeUnschedulablePlugin } from './filters/node-unschedulable.ts';
import { podTopologySpreadFilterPlugin } from './filters/pod-topology-spread.ts';
import { taintTolerationFilterPlugin } from './filters/taint-toleration.ts';
import { balancedAllocationScorePlugin } from './scores/balanced-allocation.ts';
import { imageLocalityScorePlugin } from './scores/image-locality.ts';
import { interPodAffinityScorePlugin } from './scores/inter-pod-affinity.ts';
import { nodeAffinityScorePlugin } from './scores/node-affinity.ts';
import { nodeResourcesFitScorePlugin } from './scores/node-resources-fit.ts';
import { podTopologySpreadScorePlugin } from './scores/pod-topology-spread.ts';
import { taintTolerationScorePlugin } from './scores/taint-toleration.ts';
import type { FilterPlugin, ScorePlugin } from '../types.ts';

/** Filters run per node in this order; the first failure is the node's status. */
export const DEFAULT_FILTER_PLUGINS: readonly FilterPlugin[] = [
  nodeUnschedulablePlugin,
  nodeNamePlugin,
  taintTolerationFilterPlugin,
  nodeAffinityFilterPlugin,
  nodePortsPlugin,
  nodeResourcesFitPlugin,
  podTopologySpreadFilterPlugin,
  interPodAffinityFilterPlugin,
];

export interface WeightedScorePlugin {
  readonly plugin: ScorePlugin;
  readonly weight: number;
}

export const DEFAULT_SCORE_PLUGINS: readonly WeightedScorePlugin[] = [
  { plugin: taintTolerationScorePlugin, weight: 3 },
  { plugin: nodeAffinityScorePlugin, weight: 2 },
  { plugin: nodeResourcesFitScorePlugin, weight: 1 },
  { plugin: podTopologySpreadScorePlugin, weight: 2 },
  { plugin: interPodAffinityScorePlugin, weight: 2 },
  { plugin: balancedAllocationScorePlugin, weight: 1 },
  { plugin: imageLocalityScorePlugin, weight: 1 },
];
