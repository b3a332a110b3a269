// The node lifecycle controller's queued work besides the health check: the NoSchedule taints that
// mirror node conditions (doNoScheduleTaintingPass), pods landing on a node that is not Ready
// (processPod), and a zone's rate-limited NoExecute tainting (doNoExecuteTaintingPass).
import type { Taint } from 'kubernetes-types/core/v1.js';
import { getByKey } from '../../../src/client/index.ts';
import { rfc3339 } from '../../../src/kubelet/format.ts';
import type { ControllerContext, Synced } from '../controller-module.ts';
import type { PlannedCall } from '../jobs.ts';
import {
  NOT_READY_NO_EXECUTE, TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_NOT_READY, TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, UNREACHABLE_NO_EXECUTE, matchTaint, nodeCondition, swappedTaints, taintPatch,
} from '../node-util.ts';
import { Pass } from './pass.ts';
import type { NodeLifecycleState } from './state.ts';
import { tainterDone, tainterNextAt, tainterRetry, tryAccept } from './tainter.ts';

/** nodeConditionToTaintKeyStatusMap: which condition status puts which NoSchedule taint on a node. */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

export function doNoScheduleTaintingPass(state: NodeLifecycleState, name: string, ctx: ControllerContext): Synced<NodeLifecycleState> {
  const node = getByKey(ctx.informers.nodes, name);
  if (!node) return { state };
  const wanted: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) wanted.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) wanted.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const present = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
  const add = wanted.filter((t) => !present.some((p) => matchTaint(p, t)));
  const remove = present.filter((t) => !wanted.some((w) => matchTaint(w, t)));
  if (add.length === 0 && remove.length === 0) return { state };
  const p = new Pass(state, ctx);
  p.swapTaints(node, add, remove);
  return { state: p.state, plan: p.plan() };
}

/** processPod: a pod bound to a node the controller sees as not Ready is marked not ready at once. */
export function processPod(state: NodeLifecycleState, key: string, ctx: ControllerContext): Synced<NodeLifecycleState> {
  const pod = getByKey(ctx.informers.pods, key);
  const nodeName = pod?.spec?.nodeName;
  if (!pod || !nodeName) return { state };
  const health = state.health[nodeName];
  if (!health) return { state };
  const node = getByKey(ctx.informers.nodes, nodeName);
  if (!node) return { state, plan: { steps: [], requeueRateLimited: true } };
  if (!health.ready || health.ready.status === 'True') return { state };
  const p = new Pass(state, ctx);
  p.markPodsNotReady(node, [pod]);
  // Unlike the health check's, a failure here is retried with back-off.
  const plan = p.plan();
  const steps = plan.steps.map((s) => ({ ...s, calls: s.calls.map(({ ignoreFailure: _, ...call }): PlannedCall => call) }));
  return { state: p.state, plan: { ...plan, steps } };
}

export const tainterCallKey = (zone: string, node: string) => `${zone}\n${node}`;

export function splitTainterCallKey(key: string): { zone: string; node: string } {
  const at = key.lastIndexOf('\n');
  return { zone: key.slice(0, at), node: key.slice(at + 1) };
}

/** When the zone's tainter should run again, relative to now (undefined: nothing to do, or stopped). */
export function tainterRequeue(state: NodeLifecycleState, zone: string, now: number): number | undefined {
  const t = state.tainters[zone];
  const at = t ? tainterNextAt(t, now) : undefined;
  return at === undefined ? undefined : Math.max(0, at - now);
}

/**
 * doNoExecuteTaintingPass for one zone: while a token is there, take the next due node and give it the
 * NoExecute taint matching its Ready condition (swapping out the opposite one). One taint write at a
 * time; its answer decides whether the node leaves the queue (results in module.ts).
 */
export function doNoExecuteTaintingPass(state: NodeLifecycleState, zone: string, ctx: ControllerContext): Synced<NodeLifecycleState> {
  const { now, informers, config } = ctx;
  let t = state.tainters[zone];
  if (!t) return { state };
  let call: PlannedCall | undefined;
  while (t.queue.length > 0 && !call) {
    const [accepted, limiter] = tryAccept(t.limiter, now);
    t = { ...t, limiter };
    if (!accepted) break;
    const head = t.queue[0];
    if (head.processAt > now) break;
    const node = getByKey(informers.nodes, head.node);
    const ready = nodeCondition(node, 'Ready');
    if (!node) {
      t = tainterDone(t, head.node);
    } else if (!ready) {
      t = tainterRetry(t, head.node, now + 50);
    } else if (ready.status !== 'False' && ready.status !== 'Unknown') {
      // Ready again: nothing to taint.
      t = tainterDone(t, head.node);
    } else {
      const [add, opposite] = ready.status === 'False' ? [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE] : [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
      const taints = swappedTaints(node, [{ ...add, timeAdded: rfc3339(now) }], [opposite]);
      if (taints) call = taintPatch(node, taints, { kind: 'op', op: 'noExecuteTaint', key: tainterCallKey(zone, head.node) }, config);
      else t = tainterDone(t, head.node);
    }
  }
  const next = { ...state, tainters: { ...state.tainters, [zone]: t } };
  if (call) return { state: next, plan: { steps: [{ label: 'write', calls: [call] }] } };
  const requeueAfterMs = tainterRequeue(next, zone, now);
  return { state: next, plan: { steps: [], ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) } };
}
