// Turns a scenario's fault episodes into what the simulation does: plain faults (crash/restart,
// partition/heal, link degradations) go through the shared `applySchedule`; the intermediate-state crash
// watches the bus for the target's next write. Each episode's end is part of it, so once `quietAt(…)` has
// passed nothing is down or degraded any more, except a node that is lost for good.
import type { Subscription } from 'rxjs';
import type { ApiRequest } from '../../apiserver/protocol.ts';
import { hostOf } from '../../bus/envelope.ts';
import { applySchedule, type AppliedFault } from '../../faults/apply.ts';
import type { Fault } from '../../faults/schedule.ts';
import type { Simulation } from '../../host/simulation.ts';
import type { ClusterFault, ClusterScenario, LeaderComponent } from './scenario.ts';
import { stallWatches } from './watch-stall.ts';

/** A write-triggered crash waits this long at most for its write. */
export const TRIGGER_WINDOW_MS = 30_000;
const WRITE_VERBS = new Set<ApiRequest['verb']>(['create', 'update', 'patch', 'delete', 'deletecollection']);
/** Lease renewals are heartbeats, not reconcile steps. */
const IGNORED_RESOURCES = new Set(['leases']);
/** What a network burst leaves of the links inside one host (latency untouched). */
const IN_HOST_LINK = Object.freeze({ drop: 0, duplicate: 0, reorder: false });

/** When an episode is over (its component back, its link restored). */
export function faultEnd(fault: ClusterFault): number {
  switch (fault.kind) {
    case 'crash':
      return fault.lost ? fault.at : fault.at + fault.downtimeMs;
    case 'crash-after-write':
      return fault.at + TRIGGER_WINDOW_MS + fault.delayMs + fault.downtimeMs;
    case 'partition':
      return fault.at + fault.durationMs;
    case 'watch-loss':
    case 'lag':
    case 'burst':
    case 'isolate-leader':
      return fault.at + fault.durationMs;
    case 'watch-stall':
      return fault.at + TRIGGER_WINDOW_MS + fault.durationMs;
  }
}

/** From this time on (ms after the workload was applied) neither faults nor the workload change. */
export function quietAt(scenario: Pick<ClusterScenario, 'faults' | 'workload'>): number {
  const lastChange = Math.max(0, ...scenario.workload.changes.map((c) => c.at + 1_000));
  return Math.max(10_000, lastChange, ...scenario.faults.map(faultEnd));
}

/** Nodes lost for good (their Node objects stay; their pods must be evicted and replaced). */
export function lostNodes(scenario: Pick<ClusterScenario, 'faults'>): string[] {
  return scenario.faults.flatMap((f) => (f.kind === 'crash' && f.lost ? [f.target] : []));
}

export interface FaultContext {
  sim: Simulation;
  apiservers: readonly string[];
  etcdMembers: readonly string[];
  /** Every host of the cluster (a partition cuts one from all the others). */
  hosts: readonly string[];
  /** Virtual time the scenario's times count from. */
  base: number;
  quietFrom: number;
  /** Each fault as it is carried out (a trace records them). */
  onApplied?: (applied: AppliedFault) => void;
  /** The address of the replica holding `component`'s Lease now (read outside the components), if any. */
  leaseHolder?: (component: LeaderComponent) => string | undefined;
  /** Every replica of the controller-manager (kcm-0…). */
  controllerManagers?: readonly string[];
  /** Every replica of the scheduler (scheduler-0…). */
  schedulers?: readonly string[];
  /** Counts what triggered faults did (`stallsStarted`, `leadersIsolated`) for the run's stats. */
  count?: (stat: string) => void;
}

/**
 * A scheduler watch stall at 0 starts with the workload itself: armed before the workload is applied, so
 * the pods of its first ReplicaSets reach the scheduler in one burst (`armWorkloadStalls`).
 */
export function stallsWithWorkload(fault: ClusterFault): fault is Extract<ClusterFault, { kind: 'watch-stall' }> {
  return fault.kind === 'watch-stall' && fault.component === 'scheduler' && fault.at === 0;
}

/** Arms, before the workload is applied, the stalls that start with it (`ctx.base` is now). */
export function armWorkloadStalls(faults: readonly ClusterFault[], ctx: FaultContext): void {
  for (const fault of faults) if (stallsWithWorkload(fault)) armWatchStall(fault, ctx);
}

/** Arms every episode on the simulation's clock (but the stalls `armWorkloadStalls` armed). */
export function armFaults(faults: readonly ClusterFault[], ctx: FaultContext): void {
  const plain = faults.flatMap((fault, index) => expand(fault, index, ctx));
  applySchedule(ctx.sim, plain.map((f) => ({ ...f, at: f.at + ctx.base - ctx.sim.now })), {
    quietFrom: ctx.base + ctx.quietFrom,
    ...(ctx.onApplied ? { onApplied: ctx.onApplied } : {}),
  });
  faults.forEach((fault, index) => {
    if (fault.kind === 'crash-after-write') armWriteTrigger(fault, ctx);
    if (fault.kind === 'isolate-leader') armLeaderIsolation(fault, index, ctx);
    if (fault.kind === 'watch-stall' && !stallsWithWorkload(fault)) armWatchStall(fault, ctx);
  });
}

function expand(fault: ClusterFault, index: number, ctx: FaultContext): Fault[] {
  switch (fault.kind) {
    case 'crash': {
      // A host name (a node) crashes every component on it: kubelet, container runtime, kube-proxy.
      const targets = ctx.sim.has(fault.target) ? [fault.target] : ctx.sim.addresses().filter((a) => hostOf(a) === fault.target && a !== fault.target);
      return targets.flatMap((target): Fault[] => [
        { at: fault.at, kind: 'crash', target, loseUnsynced: fault.loseUnsynced },
        ...(fault.lost ? [] : [{ at: fault.at + fault.downtimeMs, kind: 'restart' as const, target }]),
      ]);
    }
    case 'partition': {
      const id = `p${index}`;
      return [
        { at: fault.at, kind: 'partition', id, from: [fault.host], to: ctx.hosts.filter((h) => h !== fault.host) },
        { at: fault.at + fault.durationMs, kind: 'heal', id },
      ];
    }
    case 'watch-loss':
      return ctx.apiservers.map((apiserver, k) => ({
        at: fault.at, kind: 'degrade' as const, id: `w${index}.${k}`, from: apiserver, to: fault.target, link: { drop: fault.drop }, durationMs: fault.durationMs,
      }));
    case 'lag': {
      const client = `apiserver-${fault.apiserver}/etcd`;
      const latency = { kind: 'uniform' as const, minMs: Math.round(fault.delayMs * 0.9), maxMs: Math.round(fault.delayMs * 1.1) };
      return ctx.etcdMembers.flatMap((member, k): Fault[] => [
        { at: fault.at, kind: 'degrade', id: `l${index}.${k}>`, from: client, to: member, link: { latency }, durationMs: fault.durationMs },
        { at: fault.at, kind: 'degrade', id: `l${index}.${k}<`, from: member, to: client, link: { latency }, durationMs: fault.durationMs },
      ]);
    }
    case 'burst':
      // The network between hosts, not the processes on one host: an apiserver and its etcd client share a
      // process, a kubelet talks to its runtime over a unix socket; neither drops, duplicates nor reorders.
      // (A reordered apiserver ← etcd-client hop made a watch cache skip an event for good: seed 85.)
      // Later layers win, so each host's own links are put back after the `*` layer.
      return [
        {
          at: fault.at, kind: 'degrade', id: `b${index}`, from: '*', to: '*', durationMs: fault.durationMs,
          link: { drop: fault.drop, duplicate: fault.duplicate, reorder: true },
        },
        ...ctx.hosts.map((host): Fault => ({
          at: fault.at, kind: 'degrade', id: `b${index}:${host}`, from: host, to: host, durationMs: fault.durationMs, link: IN_HOST_LINK,
        })),
      ];
    case 'crash-after-write':
    case 'isolate-leader':
    case 'watch-stall':
      return [];
  }
}

/**
 * From `at` (relative to the base) until the trigger window or the quiet time ends, waits for the first API
 * request sent by one of `senders` that `matches`, then calls `fire` once. `armed` is checked when the
 * window opens: false, and nothing is watched.
 */
function onFirstRequest(
  ctx: FaultContext, at: number, senders: ReadonlySet<string>, matches: (request: ApiRequest) => boolean, fire: () => void, armed: () => boolean = () => true,
): void {
  const { sim } = ctx;
  const armAt = ctx.base + at;
  const until = Math.min(armAt + TRIGGER_WINDOW_MS, ctx.base + ctx.quietFrom);
  sim.clock.setTimeout(() => {
    if (!armed()) return;
    let tap: Subscription | undefined = sim.bus.tap.subscribe((event) => {
      if (!tap || event.kind !== 'send' || !senders.has(event.envelope.from) || event.envelope.type !== 'api.request') return;
      if (!matches((event.envelope.message as unknown as { request: ApiRequest }).request)) return;
      tap.unsubscribe();
      tap = undefined;
      fire();
    });
    sim.clock.setTimeout(() => {
      tap?.unsubscribe();
      tap = undefined;
    }, Math.max(0, until - sim.now));
  }, Math.max(0, armAt - sim.now));
}

/** Intermediate state: crash `target` right after the next write it sends, mid-reconcile. */
function armWriteTrigger(fault: Extract<ClusterFault, { kind: 'crash-after-write' }>, ctx: FaultContext): void {
  const { sim } = ctx;
  const isWrite = (request: ApiRequest) => WRITE_VERBS.has(request.verb) && !IGNORED_RESOURCES.has(request.resource);
  onFirstRequest(ctx, fault.at, new Set([fault.target]), isWrite, () => {
    // The send happens inside the target's own step: the crash comes from the next timer at the earliest.
    sim.clock.setTimeout(() => {
      if (sim.host(fault.target).status === 'running') {
        sim.crash(fault.target);
        ctx.onApplied?.({ at: sim.now, fault: { at: sim.now, kind: 'crash', target: fault.target } });
      }
      sim.clock.setTimeout(() => {
        if (sim.host(fault.target).status === 'running') return;
        sim.restart(fault.target);
        ctx.onApplied?.({ at: sim.now, fault: { at: sim.now, kind: 'restart', target: fault.target } });
      }, fault.downtimeMs);
    }, fault.delayMs);
  }, () => sim.has(fault.target));
}

/** A live leader loses its lease: whoever holds it at `at` is cut off from every other host until healed. */
function armLeaderIsolation(fault: Extract<ClusterFault, { kind: 'isolate-leader' }>, index: number, ctx: FaultContext): void {
  const { sim } = ctx;
  sim.clock.setTimeout(() => {
    const leader = ctx.leaseHolder?.(fault.lease);
    if (leader === undefined || !sim.has(leader)) return;
    const id = `i${index}`;
    const partition: Fault = { at: sim.now, kind: 'partition', id, from: [leader], to: ctx.hosts.filter((h) => h !== hostOf(leader)) };
    sim.partition({ id, from: [leader], to: partition.to, oneWay: false });
    ctx.count?.('leadersIsolated');
    ctx.onApplied?.({ at: sim.now, fault: partition });
    sim.clock.setTimeout(() => {
      sim.heal(id);
      ctx.onApplied?.({ at: sim.now, fault: { at: sim.now, kind: 'heal', id } });
    }, fault.durationMs);
  }, Math.max(0, ctx.base + fault.at - sim.now));
}

/**
 * Stale state: from the ReplicaSet controller's next pod create after `at`, the pod watches of the
 * controller-manager (or of the scheduler) stall.
 */
function armWatchStall(fault: Extract<ClusterFault, { kind: 'watch-stall' }>, ctx: FaultContext): void {
  const creators = new Set(ctx.controllerManagers ?? ['kcm-0']);
  const targets = fault.component === 'scheduler' ? new Set(ctx.schedulers ?? ['scheduler-0']) : creators;
  const isPodCreate = (request: ApiRequest) => request.verb === 'create' && request.resource === fault.resource && ownedByReplicaSet(request.body);
  onFirstRequest(ctx, fault.at, creators, isPodCreate, () => {
    // The create is on the wire; its watch event (and every later one on those streams) waits.
    ctx.count?.(fault.component === 'scheduler' ? 'schedulerStallsStarted' : 'stallsStarted');
    stallWatches(ctx.sim, { to: targets, kind: STALLED_KIND[fault.resource], durationMs: fault.durationMs, ...(ctx.onApplied ? { onApplied: ctx.onApplied } : {}) });
  });
}

const STALLED_KIND: Record<Extract<ClusterFault, { kind: 'watch-stall' }>['resource'], string> = { pods: 'Pod' };

function ownedByReplicaSet(body: unknown): boolean {
  const refs = (body as { metadata?: { ownerReferences?: { kind?: string; controller?: boolean }[] } } | undefined)?.metadata?.ownerReferences;
  return refs?.some((r) => r.kind === 'ReplicaSet' && r.controller === true) ?? false;
}
