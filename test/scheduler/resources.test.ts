import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildSnapshot, podNonZeroRequests, podRequests, scoreNodes } from '../../src/scheduler/index.ts';
import { scores } from '../../src/scheduler/index.ts';
import { boundTo, makeNode, makePod } from './builders.ts';

const MI = 1024 * 1024;

describe('pod requests', () => {
  it('sums app containers, takes the max with each init container, adds overhead', () => {
    const pod = makePod('p', { cpu: '250m', memory: '64Mi', containers: [{ cpu: '250m', memory: '64Mi' }] });
    pod.spec!.initContainers = [
      { name: 'i1', image: 'busybox', resources: { requests: { cpu: '1', memory: '16Mi' } } },
      { name: 'i2', image: 'busybox', resources: { requests: { cpu: '100m', memory: '256Mi' } } },
    ];
    pod.spec!.overhead = { cpu: '10m', memory: '1Mi' };
    expect(podRequests(pod)).toMatchObject({ milliCPU: 1010, memory: 257 * MI });
  });

  it('sidecars (restartPolicy: Always init containers) add to the sum and to later init containers', () => {
    const pod = makePod('p', { cpu: '500m' });
    pod.spec!.initContainers = [
      { name: 'sidecar', image: 'envoy', restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } },
      { name: 'migrate', image: 'busybox', resources: { requests: { cpu: '600m' } } },
    ];
    // app 500 + sidecar 200 = 700 vs init 600 + sidecar 200 = 800.
    expect(podRequests(pod).milliCPU).toBe(800);
  });

  it('missing requests count 0 for fit but 100m / 200Mi for scoring; an explicit 0 stays 0', () => {
    const none = makePod('p');
    expect(podRequests(none)).toMatchObject({ milliCPU: 0, memory: 0 });
    expect(podNonZeroRequests(none)).toEqual({ milliCPU: 100, memory: 200 * MI });
    expect(podNonZeroRequests(makePod('z', { cpu: '0', memory: '0' }))).toEqual({ milliCPU: 0, memory: 0 });
  });

  it('LeastAllocated scores on the non-zero requests of both the node and the pod', () => {
    const nodes = [makeNode('n', { cpu: '1', memory: '1Gi' })];
    const score = (pod: Pod, pods: Pod[] = []) => {
      const snapshot = buildSnapshot({ nodes, pods });
      return scoreNodes(pod, snapshot, snapshot.nodes, [{ plugin: scores.nodeResourcesFitScorePlugin, weight: 1 }])[0].total;
    };
    // cpu (1000 − 100) / 1000 → 90, memory (1024 − 200) / 1024 → 80; mean 85.
    expect(score(makePod('p'))).toBe(85);
    expect(score(makePod('z', { cpu: '0', memory: '0' }))).toBe(100);
    // A bound pod without requests also occupies 100m / 200Mi in the scoring view.
    expect(score(makePod('z', { cpu: '0', memory: '0' }), [boundTo(makePod('e'), 'n')])).toBe(85);
    // ...but BalancedAllocation uses the real requests: nothing requested → fractions 0, 0 → 100.
    const snapshot = buildSnapshot({ nodes, pods: [boundTo(makePod('e'), 'n')] });
    expect(scoreNodes(makePod('p'), snapshot, snapshot.nodes, [{ plugin: scores.balancedAllocationScorePlugin, weight: 1 }])[0].total).toBe(100);
  });
});
