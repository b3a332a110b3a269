// Zones and disruption (handleDisruption, ComputeZoneState): the eviction rate of a zone follows how
// many of its nodes are not Ready. When every zone is fully disrupted the controller assumes the problem
// is its own (or the network's), stops evicting and lifts the NoExecute taints.
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import type { NodeLifecycleConfig } from '../config.ts';
import type { ZoneState } from './state.ts';

/** nodetopology.GetZoneKey: region and zone labels (beta ones first); "" without either. */
export function zoneKey(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const zone = labels['failure-domain.beta.kubernetes.io/zone'] ?? labels['topology.kubernetes.io/zone'] ?? '';
  const region = labels['failure-domain.beta.kubernetes.io/region'] ?? labels['topology.kubernetes.io/region'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}

/** Nodes labelled node.kubernetes.io/exclude-disruption do not count towards a zone's health. */
export const excludedFromDisruption = (node: Node): boolean => node.metadata?.labels?.['node.kubernetes.io/exclude-disruption'] !== undefined;

/** ComputeZoneState over the Ready conditions of a zone's nodes (undefined: none yet). */
export function computeZoneState(conditions: readonly (NodeCondition | undefined)[], config: NodeLifecycleConfig): ZoneState {
  const ready = conditions.filter((c) => c?.status === 'True').length;
  const notReady = conditions.length - ready;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (notReady + ready) >= config.unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** setLimiterInZone: the rate a zone's tainter runs at in a state. */
export function zoneRate(state: ZoneState, zoneSize: number, config: NodeLifecycleConfig): number {
  if (state === 'PartialDisruption') return zoneSize > config.largeClusterSizeThreshold ? config.secondaryEvictionRate : 0;
  return config.evictionRate;
}
