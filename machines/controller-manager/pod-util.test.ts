import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { deleteBefore, isPodActive, isPodAvailable, rankForDeletion, type RankedPod } from './pod-util.ts';

const SECOND = 1000;
function pod(name: string, opts: { node?: string; phase?: string; readySince?: number; created?: number; restarts?: number; cost?: string; uid?: string } = {}): Pod {
  return {
    metadata: {
      name, uid: opts.uid ?? name, creationTimestamp: rfc3339(opts.created ?? 0),
      ...(opts.cost ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': opts.cost } } : {}),
    },
    spec: { containers: [{ name: 'app' }], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: opts.readySince !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(opts.readySince) }] : [],
      containerStatuses: [{ name: 'app', image: '', imageID: '', ready: opts.readySince !== undefined, restartCount: opts.restarts ?? 0 }],
    },
  };
}
const ranked = (p: Pod, rank = 0): RankedPod => ({ pod: p, rank });
const order = (pods: RankedPod[], now: number) => rankForDeletion(pods, now).map((r) => r.pod.metadata?.name);

describe('pod predicates', () => {
  it('treats terminal and terminating pods as inactive', () => {
    expect(isPodActive(pod('a'))).toBe(true);
    expect(isPodActive(pod('a', { phase: 'Succeeded' }))).toBe(false);
    expect(isPodActive(pod('a', { phase: 'Failed' }))).toBe(false);
    expect(isPodActive({ ...pod('a'), metadata: { deletionTimestamp: rfc3339(0) } })).toBe(false);
  });

  it('counts a ready pod available strictly after minReadySeconds', () => {
    const p = pod('a', { readySince: 10 * SECOND });
    expect(isPodAvailable(p, 0, 10 * SECOND)).toBe(true);
    expect(isPodAvailable(p, 5, 15 * SECOND)).toBe(false);
    expect(isPodAvailable(p, 5, 15 * SECOND + 1)).toBe(true);
    expect(isPodAvailable(pod('b'), 0, 0)).toBe(false);
  });
});

describe('deletion ranking (ActivePodsWithRanks)', () => {
  const now = 1_000 * SECOND;

  it('prefers unassigned, then pending/unknown before running, then not ready', () => {
    const pods = [
      ranked(pod('ready', { node: 'n1', readySince: 0 })),
      ranked(pod('running', { node: 'n1' })),
      ranked(pod('unknown', { node: 'n1', phase: 'Unknown' })),
      ranked(pod('pending', { node: 'n1', phase: 'Pending' })),
      ranked(pod('unassigned', { phase: 'Pending' })),
    ];
    expect(order(pods, now)).toEqual(['unassigned', 'pending', 'unknown', 'running', 'ready']);
  });

  it('then lower deletion cost, then pods doubled up on a node', () => {
    expect(deleteBefore(ranked(pod('cheap', { node: 'n', cost: '-5' })), ranked(pod('dear', { node: 'n', cost: '10' })), now)).toBe(true);
    expect(deleteBefore(ranked(pod('crowded', { node: 'a' }), 3), ranked(pod('alone', { node: 'b' }), 1), now)).toBe(true);
  });

  it('then ready for less time, in log2 buckets; then more restarts; then newer', () => {
    const recent = ranked(pod('recent', { node: 'n', readySince: now - 10 * SECOND }));
    const old = ranked(pod('old', { node: 'n', readySince: now - 500 * SECOND }));
    expect(order([old, recent], now)).toEqual(['recent', 'old']);
    // 100 s and 120 s ago fall in the same log2(ns) bucket: upstream then orders by uid, restarts unseen.
    const a = ranked(pod('a', { node: 'n', readySince: now - 100 * SECOND, restarts: 0 }));
    const b = ranked(pod('b', { node: 'n', readySince: now - 120 * SECOND, restarts: 3 }));
    expect(order([b, a], now)).toEqual(['a', 'b']);
    // Ready at the very same time: more restarts go first.
    const c = ranked(pod('c', { node: 'n', readySince: now - 100 * SECOND, restarts: 0 }));
    const d = ranked(pod('d', { node: 'n', readySince: now - 100 * SECOND, restarts: 3 }));
    expect(order([c, d], now)).toEqual(['d', 'c']);
    const newer = ranked(pod('newer', { node: 'n', created: now - 10 * SECOND }));
    const older = ranked(pod('older', { node: 'n', created: now - 900 * SECOND }));
    expect(order([older, newer], now)).toEqual(['newer', 'older']);
  });
});
