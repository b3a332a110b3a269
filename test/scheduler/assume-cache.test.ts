import { describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  assumedPods,
  assumePod,
  assumePodInSnapshot,
  buildSnapshot,
  cleanupExpiredAssumedPods,
  confirmPod,
  createAssumeCache,
  finishBinding,
  forgetPod,
  isAssumed,
  isScheduled,
  isUnschedulable,
  schedulePod,
  type AssumeCache,
} from '../../src/scheduler/index.ts';
import { boundTo, makeNode, makePod, noRand } from './builders.ts';

function assumeOk(cache: AssumeCache, pod: Pod, node: string): AssumeCache {
  const r = assumePod(cache, pod, node);
  if (!r.ok) throw new Error(r.error);
  return r.cache;
}

describe('assume cache', () => {
  const nodes: Node[] = [makeNode('n1', { cpu: '1' })];
  const a = makePod('a', { cpu: '600m' });
  const b = makePod('b', { cpu: '600m' });

  it('prevents double booking: the second pod sees the first one assumed', () => {
    let cache = createAssumeCache();
    const first = schedulePod(a, buildSnapshot({ nodes, assumedPods: assumedPods(cache) }), noRand);
    expect(isScheduled(first) && first.node).toBe('n1');
    cache = assumeOk(cache, a, 'n1'); // the bind is still in flight; the informer has not seen it
    const second = schedulePod(b, buildSnapshot({ nodes, pods: [a], assumedPods: assumedPods(cache) }), noRand);
    expect(isUnschedulable(second) && second.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..',
    );
  });

  it('without the assume cache the same sequence double-books the node', () => {
    const cache = assumeOk(createAssumeCache(), a, 'n1');
    const second = schedulePod(b, buildSnapshot({ nodes, pods: [a], assumedPods: assumedPods(cache) }), noRand, { ignoreAssumedPods: true });
    expect(isScheduled(second) && second.node).toBe('n1');
  });

  it('forget gives the room back after a failed bind', () => {
    let cache = assumeOk(createAssumeCache(), a, 'n1');
    const forgotten = forgetPod(cache, boundTo(a, 'n1'));
    expect(forgotten.ok).toBe(true);
    cache = forgotten.cache;
    expect(isScheduled(schedulePod(b, buildSnapshot({ nodes, assumedPods: assumedPods(cache) }), noRand))).toBe(true);
    expect(forgetPod(cache, a)).toMatchObject({ ok: false, error: "pod uid-default-a(default/a) wasn't assumed so cannot be forgotten" });
  });

  it('assuming twice is refused', () => {
    const cache = assumeOk(createAssumeCache(), a, 'n1');
    expect(assumePod(cache, a, 'n1')).toMatchObject({ ok: false, error: "pod uid-default-a(default/a) is in the cache, so can't be assumed" });
  });

  it('confirm hands accounting to the informer copy, counted once', () => {
    let cache = assumeOk(createAssumeCache(), a, 'n1');
    const bound = boundTo(a, 'n1');
    // Both sources at once (informer saw the bind before confirm ran): still counted once.
    const both = buildSnapshot({ nodes, pods: [bound], assumedPods: assumedPods(cache) });
    expect(both.nodes[0].requested.milliCPU).toBe(600);
    expect(both.nodes[0].assumedPodKeys.size).toBe(0);
    cache = confirmPod(cache, bound);
    expect(isAssumed(cache, a)).toBe(false);
    expect(buildSnapshot({ nodes, pods: [bound], assumedPods: assumedPods(cache) }).nodes[0].requested.milliCPU).toBe(600);
  });

  it('expires an unconfirmed pod only after binding finished and the TTL passed', () => {
    let cache = assumeOk(createAssumeCache(30_000), a, 'n1');
    expect(cleanupExpiredAssumedPods(cache, 1_000_000).expired).toEqual([]); // bind still in flight
    cache = finishBinding(cache, a, 1000);
    expect(cleanupExpiredAssumedPods(cache, 31_000).expired).toEqual([]);
    const { cache: after, expired } = cleanupExpiredAssumedPods(cache, 31_001);
    expect(expired.map((p) => p.metadata!.name)).toEqual(['a']);
    expect(isAssumed(after, a)).toBe(false);
  });

  it('with the upstream TTL of 0, assumed pods never expire', () => {
    const cache = finishBinding(assumeOk(createAssumeCache(), a, 'n1'), a, 0);
    expect(cleanupExpiredAssumedPods(cache, Number.MAX_SAFE_INTEGER).expired).toEqual([]);
  });

  it('assumePodInSnapshot updates one node incrementally, same as a rebuild', () => {
    const cache = assumeOk(createAssumeCache(), a, 'n1');
    const incremental = assumePodInSnapshot(buildSnapshot({ nodes }), assumedPods(cache)[0]);
    const rebuilt = buildSnapshot({ nodes, assumedPods: assumedPods(cache) });
    expect(incremental.nodes[0].requested).toEqual(rebuilt.nodes[0].requested);
    expect([...incremental.nodes[0].assumedPodKeys]).toEqual(['uid-default-a']);
  });
});
