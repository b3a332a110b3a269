// The campaign's over-creation invariant, fed hand-made snapshots: a pod created while the ReplicaSet
// already had all it asked for (the planted rs-no-expectations bug under a stalled pod watch) is caught;
// a surplus left by a scale-down the controller has not acted on yet, and a terminating pod with its
// replacement, are not.
import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { fromResourceLists } from '../../src/check/convergence/view.ts';
import { OVERCREATION_INVARIANT, ReplicaSetOvercreationMonitor } from '../../src/campaign/cluster/replicaset-check.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';

const rs = (replicas: number): ReplicaSet => ({ metadata: { name: 'web-1', namespace: 'default', uid: 'rs-uid' }, spec: { replicas, selector: {} } });

function pod(name: string, createdAt: number, terminating = false): Pod {
  return {
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: rfc3339(createdAt),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs-uid', controller: true }],
      ...(terminating ? { deletionTimestamp: rfc3339(createdAt + 1) } : {}),
    },
    spec: { containers: [{ name: 'app', image: 'nginx' }] },
    status: { phase: 'Running' },
  };
}

const view = (time: number, replicas: number, pods: Pod[]) => fromResourceLists({ replicasets: [rs(replicas)], pods }, { time });

describe('ReplicaSetOvercreationMonitor', () => {
  it('catches a pod created while the ReplicaSet already had its replicas', () => {
    const monitor = new ReplicaSetOvercreationMonitor();
    const old = [pod('a', 10_000), pod('b', 10_000)];
    monitor.observe(view(20_000, 2, old));
    monitor.observe(view(30_000, 2, [...old, pod('c', 30_000)]));
    expect(monitor.violations).toEqual([]); // one snapshot is not enough
    const found = monitor.observe(view(31_000, 2, [...old, pod('c', 30_000)]));
    expect(found.map((v) => v.invariant)).toEqual([OVERCREATION_INVARIANT]);
    expect(found[0].message).toMatch(/web-1 has 3 active pods .* for 2 replicas/);
    monitor.observe(view(32_000, 2, [...old, pod('c', 30_000)]));
    expect(monitor.violations).toHaveLength(1); // reported once
  });

  it('lets a scale-down wait for its deletions, and a replacement for a terminating pod', () => {
    const monitor = new ReplicaSetOvercreationMonitor();
    const three = [pod('a', 10_000), pod('b', 10_000), pod('c', 12_000)];
    monitor.observe(view(20_000, 3, three));
    // Scaled to 1: the controller is down, the pods stay for a while.
    for (let t = 21_000; t < 40_000; t += 1_000) monitor.observe(view(t, 1, three));
    // Scaled back to 2 and one pod deleted: a replacement for the terminating one is no surplus.
    const replaced = [pod('a', 10_000), pod('b', 10_000, true), pod('d', 41_000)];
    for (let t = 41_000; t < 45_000; t += 1_000) monitor.observe(view(t, 2, replaced));
    expect(monitor.violations).toEqual([]);
  });
});
