// monitorNodeHealth, every --node-monitor-period: register new nodes and forget deleted ones, check
// every node's health (health.ts), start taint-based eviction for nodes not Ready (or lift it for
// Ready ones), mark the pods of a node that just stopped being Ready as not ready, then adjust the
// zones' eviction rates to how disrupted they are (handleDisruption).
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { NODE_NAME_INDEX, getNamespaced, listAll, listByIndex, queueAdd } from '../../../src/client/index.ts';
import type { ControllerContext, Synced } from '../controller-module.ts';
import { NODE_LEASE_NAMESPACE } from '../informers.ts';
import { NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE, taintExists } from '../node-util.ts';
import { tryUpdateNodeHealth } from './health.ts';
import { Pass, nodeEvent } from './pass.ts';
import { tainterKey, type NodeLifecycleState, type ZoneState } from './state.ts';
import { newTainter, swapLimiter } from './tainter.ts';
import { computeZoneState, excludedFromDisruption, zoneKey, zoneRate } from './zones.ts';

/** processTaintBaseEviction: act on the Ready condition as the node reported it. */
function processTaintBaseEviction(p: Pass, node: Node, observed: NodeCondition): void {
  if (observed.status === 'False') {
    // Already tainted unreachable: swap at once rather than wait for the rate limiter.
    if (taintExists(node.spec?.taints, UNREACHABLE_NO_EXECUTE)) p.swapTaints(node, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE]);
    else p.markNodeForTainting(node, 'False');
  } else if (observed.status === 'Unknown') {
    if (taintExists(node.spec?.taints, NOT_READY_NO_EXECUTE)) p.swapTaints(node, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE]);
    else p.markNodeForTainting(node, 'Unknown');
  } else if (observed.status === 'True') {
    p.markNodeAsReachable(node);
  }
}

function ensureZone(p: Pass, node: Node): void {
  const zone = zoneKey(node);
  if (p.state.zoneStates[zone] !== undefined) return;
  const { now, config } = p.ctx;
  p.state = {
    ...p.state,
    zoneStates: { ...p.state.zoneStates, [zone]: 'Initial' },
    tainters: { ...p.state.tainters, [zone]: newTainter(config.nodeLifecycle.evictionRate, now) },
  };
}

function setZone(p: Pass, zone: string, state: ZoneState, size: number): void {
  const config = p.ctx.config.nodeLifecycle;
  const tainter = p.state.tainters[zone] ?? newTainter(config.evictionRate, p.ctx.now);
  p.state = {
    ...p.state,
    zoneStates: { ...p.state.zoneStates, [zone]: state },
    tainters: { ...p.state.tainters, [zone]: swapLimiter(tainter, zoneRate(state, size, config), p.ctx.now) },
  };
}

/** handleDisruption: new zone states and their eviction rates; all zones down means stop evicting. */
function handleDisruption(p: Pass, zoneConditions: Map<string, (NodeCondition | undefined)[]>, nodes: readonly Node[]): void {
  const config = p.ctx.config.nodeLifecycle;
  const newStates = new Map<string, ZoneState>();
  let allAreFullyDisrupted = true;
  for (const [zone, conditions] of zoneConditions) {
    const state = computeZoneState(conditions, config);
    if (state !== 'FullDisruption') allAreFullyDisrupted = false;
    newStates.set(zone, state);
    if (p.state.zoneStates[zone] === undefined) p.state = { ...p.state, zoneStates: { ...p.state.zoneStates, [zone]: 'Initial' } };
  }
  let allWasFullyDisrupted = true;
  const zoneStates = { ...p.state.zoneStates };
  for (const [zone, state] of Object.entries(p.state.zoneStates).sort(([a], [b]) => a.localeCompare(b))) {
    if (!zoneConditions.has(zone)) {
      delete zoneStates[zone];
      continue;
    }
    if (state !== 'FullDisruption') {
      allWasFullyDisrupted = false;
      break;
    }
  }
  p.state = { ...p.state, zoneStates };
  if (allAreFullyDisrupted && allWasFullyDisrupted) return;
  const zones = Object.keys(p.state.zoneStates).sort();
  if (allAreFullyDisrupted) {
    // "Controller detected that all Nodes are not-Ready. Entering master disruption mode."
    for (const node of nodes) p.markNodeAsReachable(node);
    for (const zone of zones) {
      const tainter = swapLimiter(p.state.tainters[zone] ?? newTainter(0, p.ctx.now), 0, p.ctx.now);
      p.state = { ...p.state, zoneStates: { ...p.state.zoneStates, [zone]: 'FullDisruption' }, tainters: { ...p.state.tainters, [zone]: tainter } };
    }
    return;
  }
  if (allWasFullyDisrupted) {
    // "Exiting master disruption mode": every node gets a fresh grace period.
    const health = { ...p.state.health };
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      if (health[name]) health[name] = { ...health[name], probeTimestamp: p.ctx.now, readyTransitionTimestamp: p.ctx.now };
    }
    p.state = { ...p.state, health };
    for (const zone of zones) setZone(p, zone, newStates.get(zone) ?? 'Normal', zoneConditions.get(zone)?.length ?? 0);
    return;
  }
  for (const zone of zones) {
    const next = newStates.get(zone);
    if (next === undefined || p.state.zoneStates[zone] === next) continue;
    setZone(p, zone, next, zoneConditions.get(zone)?.length ?? 0);
  }
}

export function monitorNodeHealth(state: NodeLifecycleState, ctx: ControllerContext): Synced<NodeLifecycleState> {
  const { informers, now } = ctx;
  const p = new Pass(state, ctx);
  const nodes = listAll(informers.nodes);
  const names = new Set(nodes.map((n) => n.metadata?.name ?? ''));
  for (const node of nodes) ensureZone(p, node);
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    if (p.state.known[name] !== undefined) continue;
    p.events.push(nodeEvent(node, 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`));
    p.state = { ...p.state, known: { ...p.state.known, [name]: node.metadata?.uid ?? '' } };
    p.markNodeAsReachable(node);
  }
  for (const [name, uid] of Object.entries(p.state.known).sort(([a], [b]) => a.localeCompare(b))) {
    if (names.has(name)) continue;
    p.events.push(nodeEvent({ metadata: { name, uid } }, 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`));
    const known = { ...p.state.known };
    delete known[name];
    const health = { ...p.state.health };
    delete health[name];
    p.state = { ...p.state, known, health };
  }

  const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    const lease = getNamespaced(informers.leases, NODE_LEASE_NAMESPACE, name);
    const check = tryUpdateNodeHealth(p.state.health[name], node, lease, now, ctx.config.nodeLifecycle);
    p.state = { ...p.state, health: { ...p.state.health, [name]: check.health } };
    const becameNotReady = check.current !== undefined && check.current.status !== 'True' && check.observed.status === 'True';
    if (check.status) p.writeStatus(node, check.status, becameNotReady ? [nodeEvent(node, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`)] : []);
    if (!excludedFromDisruption(node)) {
      const zone = zoneKey(node);
      zoneConditions.set(zone, [...(zoneConditions.get(zone) ?? []), check.current]);
    }
    if (check.current === undefined) continue;
    processTaintBaseEviction(p, node, check.observed);
    const needsRetry = p.state.retry[name] === true && check.observed.status !== 'True';
    if (becameNotReady || needsRetry) p.markPodsNotReady(node, listByIndex(informers.pods, NODE_NAME_INDEX, name));
    if (p.state.retry[name]) {
      const retry = { ...p.state.retry };
      delete retry[name];
      p.state = { ...p.state, retry };
    }
  }
  handleDisruption(p, zoneConditions, nodes);

  // Wake the tainters that have work.
  let queue = p.state.queue;
  for (const [zone, tainter] of Object.entries(p.state.tainters)) if (tainter.queue.length > 0) queue = queueAdd(queue, tainterKey(zone));
  p.state = { ...p.state, queue };
  return { state: p.state, plan: p.plan(ctx.config.nodeLifecycle.monitorPeriodMs), events: p.events };
}
