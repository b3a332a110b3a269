// The actor's mutable, heap-indexed scheduling queue (machines/scheduler/scheduling-queue.ts) against the
// pure queue of src/scheduler/queue.ts, its specification: the same generated operations on both must
// leave every pod in the same queue with the same bookkeeping, and pop pods in the same order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { SchedulingQueue } from '../../machines/scheduler/scheduling-queue.ts';
import {
  AssignedPodDelete, DEFAULT_QUEUE_CONFIG, NodeAdd, NodeTaintChange, addPod, addUnschedulableIfNotPresent, assignedPodAdded,
  createQueue, deletePod, flushBackoffQCompleted, flushUnschedulablePodsLeftover, moveAllToActiveOrBackoffQueue, pop, queueOf,
  updatePod, type QueuedPodInfo, type SchedulingQueue as PureQueue,
} from '../../src/scheduler/index.ts';
import { numRuns } from '../fc.ts';

const POD_COUNT = 6;
const PLUGINS = ['NodeResourcesFit', 'TaintToleration', 'NodeAffinity', 'PodTopologySpread', 'InterPodAffinity'];
const EVENTS = [NodeAdd, NodeTaintChange, AssignedPodDelete];

function pod(i: number, version: number, o: { gated?: boolean; priority?: number; label?: string } = {}): Pod {
  return {
    metadata: { name: `p${i}`, namespace: 'default', uid: `u${i}`, resourceVersion: String(version), labels: { app: o.label ?? 'web' } },
    spec: {
      containers: [{ name: 'c', image: 'x' }],
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.gated ? { schedulingGates: [{ name: 'example.com/gate' }] } : {}),
    },
  };
}

const podArb = fc.record({
  i: fc.integer({ min: 0, max: POD_COUNT - 1 }),
  priority: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  label: fc.constantFrom('web', 'api'),
});

/** Scheduling gates now and then (a gated pod parks until an update lifts them). */
const gatedArb = fc.constantFrom(false, false, false, true);

const opArb = fc.oneof(
  fc.record({ op: fc.constant('add' as const), pod: podArb, gated: gatedArb }),
  fc.record({ op: fc.constant('update' as const), pod: podArb, gated: gatedArb }),
  fc.record({ op: fc.constant('delete' as const), i: fc.integer({ min: 0, max: POD_COUNT - 1 }) }),
  // A popped pod is in flight (its cycle, then its binding) until it fails, maybe after other events.
  fc.record({ op: fc.constant('pop' as const), bind: fc.boolean() }),
  fc.record({ op: fc.constant('fail' as const), plugins: fc.subarray(PLUGINS) }),
  fc.record({ op: fc.constant('move' as const), event: fc.constantFrom(...EVENTS), onlyEven: fc.boolean() }),
  fc.record({ op: fc.constant('assigned' as const), label: fc.constantFrom('web', 'api') }),
  fc.record({ op: fc.constant('flushBackoff' as const) }),
  fc.record({ op: fc.constant('flushLeftover' as const) }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(100, 1_000, 5_000, 60_000, 301_000) }),
);

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function describeEntry(p: QueuedPodInfo) {
  return { key: p.key, rv: p.pod.metadata?.resourceVersion, timestamp: p.timestamp, initial: p.initialAttemptTimestamp, attempts: p.attempts, plugins: p.unschedulablePlugins, gated: p.gated, seq: p.seq };
}

function pureEntries(q: PureQueue) {
  return {
    activeQ: [...q.activeQ.values()].map(describeEntry).sort((a, b) => a.key.localeCompare(b.key)),
    backoffQ: [...q.backoffQ.values()].map(describeEntry).sort((a, b) => a.key.localeCompare(b.key)),
    unschedulablePods: [...q.unschedulablePods.values()].map(describeEntry).sort((a, b) => a.key.localeCompare(b.key)),
    cycle: q.schedulingCycle,
    moveRequestCycle: q.moveRequestCycle,
  };
}

function liveEntries(q: SchedulingQueue) {
  return {
    activeQ: q.activeQ.values().map(describeEntry).sort((a, b) => a.key.localeCompare(b.key)),
    backoffQ: q.backoffQ.values().map(describeEntry).sort((a, b) => a.key.localeCompare(b.key)),
    unschedulablePods: [...q.unschedulablePods.values()].map(describeEntry).sort((a, b) => a.key.localeCompare(b.key)),
    cycle: q.schedulingCycle,
    moveRequestCycle: q.moveRequestCycle,
  };
}

/** Runs the operations on both queues, failing (expect) at the first difference. */
function compare(ops: readonly Op[], makeLive: () => SchedulingQueue): void {
    let pure = createQueue();
    const live = makeLive();
    let now = 0;
    let version = 1;
    const current = new Map<number, Pod>();
    const inFlight: [QueuedPodInfo, QueuedPodInfo][] = [];
    for (const o of ops) {
      switch (o.op) {
        case 'add':
        case 'update': {
          const next = pod(o.pod.i, version++, { gated: o.gated, priority: o.pod.priority, label: o.pod.label });
          const old = current.get(o.pod.i);
          current.set(o.pod.i, next);
          if (o.op === 'add' || old === undefined) {
            pure = addPod(pure, next, now);
            live.add(next, now);
          } else {
            pure = updatePod(pure, old, next, now);
            live.update(old, next, now);
          }
          break;
        }
        case 'delete': {
          const p = current.get(o.i);
          if (p === undefined) break;
          pure = deletePod(pure, p);
          live.delete(p);
          break;
        }
        case 'pop': {
          const a = pop(pure);
          const b = live.pop();
          expect(b?.podInfo.key).toBe(a?.podInfo.key);
          if (a === undefined || b === undefined) break;
          expect(describeEntry(b.podInfo)).toEqual(describeEntry(a.podInfo));
          expect(b.schedulingCycle).toBe(a.schedulingCycle);
          pure = a.queue;
          if (!o.bind) inFlight.push([a.podInfo, b.podInfo]);
          break;
        }
        case 'fail': {
          const failed = inFlight.shift();
          if (failed === undefined) break;
          // handleSchedulingFailure passes the queue's current cycle.
          pure = addUnschedulableIfNotPresent(pure, failed[0], pure.schedulingCycle, o.plugins, now);
          live.addUnschedulableIfNotPresent(failed[1], live.schedulingCycle, o.plugins, now);
          break;
        }
        case 'move': {
          const preCheck = o.onlyEven ? (p: Pod) => Number(p.metadata?.name?.slice(1)) % 2 === 0 : undefined;
          pure = moveAllToActiveOrBackoffQueue(pure, o.event, now, preCheck);
          live.moveAllToActiveOrBackoffQueue(o.event, now, preCheck);
          break;
        }
        case 'assigned': {
          const other: Pod = { metadata: { name: 'bound', namespace: 'default', uid: 'ub', labels: { app: o.label } }, spec: { containers: [], nodeName: 'n1' } };
          pure = assignedPodAdded(pure, other, now);
          live.assignedPodAdded(other, now);
          break;
        }
        case 'flushBackoff':
          pure = flushBackoffQCompleted(pure, now);
          live.flushBackoffQCompleted(now);
          break;
        case 'flushLeftover':
          pure = flushUnschedulablePodsLeftover(pure, now);
          live.flushUnschedulablePodsLeftover(now);
          break;
        case 'advance':
          now += o.ms;
          break;
      }
      expect(liveEntries(live)).toEqual(pureEntries(pure));
      for (const p of current.values()) expect(live.queueOf(p)).toBe(queueOf(pure, p));
    }
    // Draining both gives the same order.
    for (;;) {
      const a = pop(pure);
      const b = live.pop();
      expect(b?.podInfo.key).toBe(a?.podInfo.key);
      if (a === undefined) break;
      pure = a.queue;
    }
}

/** A planted bug: a failed pod always parks in unschedulablePods, even when a move request arrived meanwhile. */
class ParkingQueue extends SchedulingQueue {
  override addUnschedulableIfNotPresent(podInfo: QueuedPodInfo, _cycle: number, plugins: Iterable<string>, now: number): void {
    super.addUnschedulableIfNotPresent(podInfo, Number.MAX_SAFE_INTEGER, plugins, now);
  }
}

const opsArb = fc.array(opArb, { minLength: 1, maxLength: 60 });

describe('the actor’s scheduling queue behaves as the pure queue', () => {
  it('same placement, bookkeeping and pop order for generated operation sequences', () => {
    fc.assert(fc.property(opsArb, (ops) => compare(ops, () => new SchedulingQueue(DEFAULT_QUEUE_CONFIG))), { numRuns: numRuns(300) });
  });

  it('planted bug: a queue that ignores move requests is told apart', () => {
    const outcome = fc.check(fc.property(opsArb, (ops) => compare(ops, () => new ParkingQueue(DEFAULT_QUEUE_CONFIG))), { numRuns: 500, seed: 7 });
    expect(outcome.failed).toBe(true);
  });
});
