// tryUpdateNodeHealth (node_lifecycle_controller.go): decide from a node's cached status and its Lease
// whether the controller has heard from it within the grace period, and if not, set its Ready and
// pressure conditions to Unknown. Pure: returns the new health record, the Ready condition observed
// before and after, and the status to write when the Ready condition changed.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import { parseTimestamp, rfc3339 } from '../../../src/kubelet/format.ts';
import type { NodeLifecycleConfig } from '../config.ts';
import { nodeCondition } from '../node-util.ts';
import type { NodeHealth } from './state.ts';

/** The conditions the controller takes over when the kubelet goes silent (not NetworkUnavailable). */
const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export interface HealthCheck {
  readonly health: NodeHealth;
  /** observedReadyCondition: as the node reported it (a made-up Unknown if it never did). */
  readonly observed: NodeCondition;
  /** currentReadyCondition: after this check (undefined only if the node has none and was not touched). */
  readonly current?: NodeCondition;
  /** The status to write (UpdateStatus) when the Ready condition changed. */
  readonly status?: NodeStatus;
}

const time = (text: string | undefined, fallback: number): number => {
  if (!text) return fallback;
  try {
    return parseTimestamp(text);
  } catch {
    return fallback;
  }
};

export function tryUpdateNodeHealth(saved: NodeHealth | undefined, node: Node, lease: Lease | undefined, now: number, config: NodeLifecycleConfig): HealthCheck {
  const created = time(node.metadata?.creationTimestamp, now);
  const currentReady = nodeCondition(node, 'Ready');
  let health = saved;
  let observed: NodeCondition;
  let gracePeriodMs: number;
  if (!currentReady) {
    // The kubelet never posted a status: a made-up Unknown as old as the node, and the startup grace.
    const at = node.metadata?.creationTimestamp;
    observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: at, lastTransitionTime: at };
    gracePeriodMs = config.startupGracePeriodMs;
    health = saved ? { ...saved, ready: undefined } : { probeTimestamp: created, readyTransitionTimestamp: created };
  } else {
    observed = currentReady;
    gracePeriodMs = config.monitorGracePeriodMs;
  }
  const savedReady = health?.ready;
  const fresh = (): NodeHealth => ({ probeTimestamp: now, readyTransitionTimestamp: now, ready: currentReady, leaseRenewTime: health?.leaseRenewTime });
  if (!health) health = fresh();
  else if (!savedReady && currentReady) health = fresh();
  else if (savedReady && !currentReady) health = fresh();
  else if (savedReady && currentReady && savedReady.lastHeartbeatTime !== currentReady.lastHeartbeatTime) {
    // A new heartbeat; a new transition time only if the Ready condition changed since last seen.
    const transitioned = savedReady.lastTransitionTime !== currentReady.lastTransitionTime;
    health = { ...health, ready: currentReady, probeTimestamp: now, readyTransitionTimestamp: transitioned ? now : health.readyTransitionTimestamp };
  }
  // A renewed Lease counts as a heartbeat too (the kubelet renews it every 10 s).
  const renewed = lease?.spec?.renewTime ? time(lease.spec.renewTime, -Infinity) : undefined;
  if (renewed !== undefined && (health.leaseRenewTime === undefined || health.leaseRenewTime < renewed)) {
    health = { ...health, leaseRenewTime: renewed, probeTimestamp: now };
  }
  if (!(now > health.probeTimestamp + gracePeriodMs)) return { health, observed, current: currentReady };

  // Not heard from for longer than the grace period: every monitored condition becomes Unknown.
  const conditions = [...(node.status?.conditions ?? [])];
  for (const type of MONITORED_CONDITIONS) {
    const i = conditions.findIndex((c) => c.type === type);
    if (i < 0) {
      conditions.push({
        type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: rfc3339(now),
      });
    } else if (conditions[i].status !== 'Unknown') {
      conditions[i] = { ...conditions[i], status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) };
    }
  }
  const current = conditions.find((c) => c.type === 'Ready');
  if (canonicalJson(current) === canonicalJson(observed)) return { health, observed, current };
  return {
    health: { ...health, ready: current, readyTransitionTimestamp: now },
    observed,
    current,
    status: { ...node.status, conditions },
  };
}
