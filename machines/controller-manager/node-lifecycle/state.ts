// The node lifecycle controller's state: what it last saw of each node's health, the nodes it knows, the
// zones' disruption states and their rate-limited NoExecute tainters, and the nodes whose pods must be
// marked NotReady again.
import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import { newWorkQueue, queueAdd, type RateLimiterConfig } from '../../../src/client/index.ts';
import type { ControllerBase } from '../controller-module.ts';
import type { Tainter } from './tainter.ts';

export const NODE_COMPONENT = 'node-controller';

/** nodeHealthData: when the controller last heard from the node, and the Ready condition it last saw. */
export interface NodeHealth {
  /** When the controller last saw a new heartbeat (status or lease). */
  readonly probeTimestamp: number;
  readonly readyTransitionTimestamp: number;
  /** The Ready condition as last seen or written; undefined if the node never posted one. */
  readonly ready?: NodeCondition;
  /** The node Lease's renewTime last seen (virtual ms). */
  readonly leaseRenewTime?: number;
}

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface NodeLifecycleState extends ControllerBase {
  readonly health: Readonly<Record<string, NodeHealth>>;
  /** knownNodeSet: node name → uid. */
  readonly known: Readonly<Record<string, string>>;
  readonly zoneStates: Readonly<Record<string, ZoneState>>;
  /** zoneNoExecuteTainter, by zone key. */
  readonly tainters: Readonly<Record<string, Tainter>>;
  /** nodesToRetry: nodes whose pods could not all be marked NotReady. */
  readonly retry: Readonly<Record<string, true>>;
}

/** The work-queue key of the periodic health check (monitorNodeHealth every --node-monitor-period). */
export const MONITOR_KEY = 'monitor';
export const nodeKey = (name: string) => `node/${name}`;
export const podKey = (namespaceName: string) => `pod/${namespaceName}`;
export const tainterKey = (zone: string) => `noexecute/${zone}`;

export function newNodeLifecycleState(rateLimiter: RateLimiterConfig): NodeLifecycleState {
  return { queue: queueAdd(newWorkQueue(rateLimiter), MONITOR_KEY), jobs: {}, health: {}, known: {}, zoneStates: {}, tainters: {}, retry: {} };
}
