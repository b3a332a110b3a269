import { describe, expect, it } from 'vitest';
import {
  AssignedPodDelete,
  NodeAdd,
  NodeTaintChange,
  addPod,
  addUnschedulableIfNotPresent,
  assignedPodAdded,
  backoffDuration,
  buildSnapshot,
  createQueue,
  deletePod,
  flushBackoffQCompleted,
  flushUnschedulablePodsLeftover,
  moveAllToActiveOrBackoffQueue,
  nodeSchedulingPropertiesChange,
  pop,
  preCheckForNode,
  queueOf,
  updatePod,
  type SchedulingQueue,
} from '../../src/scheduler/index.ts';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { makeNode, makePod } from './builders.ts';

function popOrThrow(q: SchedulingQueue) {
  const r = pop(q);
  if (r === undefined) throw new Error('activeQ empty');
  return r;
}

/** Pops `pod` (which must be at the head) and fails it with the given rejecting plugins. */
function failAttempt(q: SchedulingQueue, now: number, plugins: string[]) {
  const p = popOrThrow(q);
  return { queue: addUnschedulableIfNotPresent(p.queue, p.podInfo, p.schedulingCycle, plugins, now), attempts: p.podInfo.attempts };
}

describe('activeQ ordering', () => {
  it('higher priority first, then earlier timestamp', () => {
    let q = createQueue();
    q = addPod(q, makePod('late-low'), 10);
    q = addPod(q, makePod('early-low'), 5);
    q = addPod(q, makePod('high', { priority: 1000 }), 20);
    const order: string[] = [];
    for (let r = pop(q); r !== undefined; r = pop(r.queue)) {
      order.push(r.podInfo.pod.metadata!.name!);
      q = r.queue;
    }
    expect(order).toEqual(['high', 'early-low', 'late-low']);
  });
  it('pop counts attempts and scheduling cycles', () => {
    const r = popOrThrow(addPod(createQueue(), makePod('p'), 0));
    expect(r.podInfo.attempts).toBe(1);
    expect(r.schedulingCycle).toBe(1);
    expect(r.podInfo.initialAttemptTimestamp).toBe(0);
  });
});

describe('podBackoffQ', () => {
  it('backoff durations by attempts: 1s, 2s, 4s, 8s, 10s, 10s', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDuration(a))).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('a failed pod leaves backoff exactly when its backoff elapses, doubling each attempt', () => {
    const pod = makePod('p');
    let q = addPod(createQueue(), pod, 0);
    let now = 0;
    const observed: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      // No rejecting plugin (an error) sends the pod straight to the backoff queue.
      const failed = failAttempt(q, now, []);
      expect(failed.attempts).toBe(attempt);
      q = failed.queue;
      expect(queueOf(q, pod)).toBe('backoffQ');
      const expected = backoffDuration(attempt);
      q = flushBackoffQCompleted(q, now + expected - 1);
      expect(queueOf(q, pod)).toBe('backoffQ');
      q = flushBackoffQCompleted(q, now + expected);
      expect(queueOf(q, pod)).toBe('activeQ');
      observed.push(expected);
      now += expected;
    }
    expect(observed).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });
});

describe('unschedulablePods', () => {
  it('rejected pods wait for an event their rejecting plugin registered for', () => {
    const pod = makePod('p', { cpu: '3' });
    let q = failAttempt(addPod(createQueue(), pod, 0), 0, ['NodeResourcesFit']).queue;
    expect(queueOf(q, pod)).toBe('unschedulablePods');
    // NodeResourcesFit ignores pod additions...
    q = assignedPodAdded(q, makePod('other'), 100);
    expect(queueOf(q, pod)).toBe('unschedulablePods');
    // ...but a deleted pod frees resources; backoff (1 s from t=0) is over at t=5 s.
    q = moveAllToActiveOrBackoffQueue(q, AssignedPodDelete, 5000);
    expect(queueOf(q, pod)).toBe('activeQ');
  });

  it('a pod still backing off moves to podBackoffQ, not activeQ', () => {
    const pod = makePod('p');
    let q = failAttempt(addPod(createQueue(), pod, 0), 0, ['TaintToleration']).queue;
    q = moveAllToActiveOrBackoffQueue(q, NodeTaintChange, 500);
    expect(queueOf(q, pod)).toBe('backoffQ');
  });

  it('the node pre-check keeps pods that cannot fit the new node parked', () => {
    const pod = makePod('p', { cpu: '3' });
    let q = failAttempt(addPod(createQueue(), pod, 0), 0, ['NodeResourcesFit']).queue;
    const small = buildSnapshot({ nodes: [makeNode('small', { cpu: '2' })] }).nodes[0];
    q = moveAllToActiveOrBackoffQueue(q, NodeAdd, 5000, preCheckForNode(small));
    expect(queueOf(q, pod)).toBe('unschedulablePods');
    const big = buildSnapshot({ nodes: [makeNode('big', { cpu: '8' })] }).nodes[0];
    q = moveAllToActiveOrBackoffQueue(q, NodeAdd, 5000, preCheckForNode(big));
    expect(queueOf(q, pod)).toBe('activeQ');
  });

  it('an event during the attempt sends the failed pod to backoff instead (moveRequestCycle)', () => {
    const pod = makePod('p');
    const p = popOrThrow(addPod(createQueue(), pod, 0));
    const moved = moveAllToActiveOrBackoffQueue(p.queue, NodeAdd, 10); // arrives while the pod is in flight
    const q = addUnschedulableIfNotPresent(moved, p.podInfo, p.schedulingCycle, ['NodeResourcesFit'], 20);
    expect(queueOf(q, pod)).toBe('backoffQ');
  });

  it('after 5 minutes parked, pods are flushed regardless of events', () => {
    const pod = makePod('p');
    let q = failAttempt(addPod(createQueue(), pod, 0), 1000, ['NodeAffinity']).queue;
    q = flushUnschedulablePodsLeftover(q, 1000 + 300_000);
    expect(queueOf(q, pod)).toBe('unschedulablePods');
    q = flushUnschedulablePodsLeftover(q, 1000 + 300_001);
    expect(queueOf(q, pod)).toBe('activeQ');
  });

  it('a spec update moves a parked pod; a status-only update does not', () => {
    const pod = makePod('p');
    let q = failAttempt(addPod(createQueue(), pod, 0), 0, ['NodeAffinity']).queue;
    const statusOnly: Pod = { ...pod, status: { phase: 'Pending' }, metadata: { ...pod.metadata, resourceVersion: '7' } };
    q = updatePod(q, pod, statusOnly, 5000);
    expect(queueOf(q, pod)).toBe('unschedulablePods');
    const relabeled: Pod = { ...pod, metadata: { ...pod.metadata, labels: { tier: 'x' } } };
    q = updatePod(q, statusOnly, relabeled, 5000);
    expect(queueOf(q, pod)).toBe('activeQ');
    expect(q.activeQ.get('default/p')!.pod.metadata!.labels).toEqual({ tier: 'x' });
  });

  it('scheduling gates hold a pod until an update removes them', () => {
    const gated = makePod('g', { schedulingGates: [{ name: 'example.com/wait' }] });
    let q = addPod(createQueue(), gated, 0);
    expect(queueOf(q, gated)).toBe('unschedulablePods');
    expect(pop(q)).toBeUndefined();
    q = moveAllToActiveOrBackoffQueue(q, NodeAdd, 10);
    expect(queueOf(q, gated)).toBe('unschedulablePods');
    const released: Pod = { ...gated, spec: { ...gated.spec!, schedulingGates: [] } };
    q = updatePod(q, gated, released, 20);
    expect(queueOf(q, gated)).toBe('activeQ');
  });

  it('delete removes a pod from every queue; re-adding after failure is a no-op if queued', () => {
    const pod = makePod('p');
    let q = addPod(createQueue(), pod, 0);
    const p = popOrThrow(q);
    q = addPod(p.queue, pod, 1); // the informer re-adds it while in flight
    const again = addUnschedulableIfNotPresent(q, p.podInfo, p.schedulingCycle, ['NodeAffinity'], 2);
    expect(again).toBe(q);
    expect(queueOf(deletePod(q, pod), pod)).toBeUndefined();
  });
});

describe('node update events', () => {
  it('only changes that can help are raised; cordoning raises nothing', () => {
    const old = makeNode('n', { labels: { a: '1' } });
    const relabeled = makeNode('n', { labels: { a: '2' } });
    expect(nodeSchedulingPropertiesChange(relabeled, old).map((e) => e.label)).toEqual(['NodeLabelChange']);
    const cordoned = makeNode('n', { labels: { a: '1' }, unschedulable: true });
    expect(nodeSchedulingPropertiesChange(cordoned, old)).toEqual([]);
    expect(nodeSchedulingPropertiesChange(old, cordoned).map((e) => e.label)).toEqual(['NodeSpecUnschedulableChange']);
    const resized = makeNode('n', { labels: { a: '1' }, cpu: '4000m' });
    expect(nodeSchedulingPropertiesChange(resized, old)).toEqual([]); // "4" and "4000m" are the same quantity
  });
});
