// The cluster safety invariants on hand-built snapshots: correct steps pass, each planted bug is caught.
import { describe, expect, it } from 'vitest';
import {
  SafetyMonitor, checkLeaderActs, checkSafety, maxUnavailableOf, type LeaderActObservation,
} from '../../../src/check/cluster-invariants/index.ts';
import { formatViolations } from '../../../src/check/convergence/index.ts';
import { convergedParts, pod, viewOf, type ClusterParts } from '../convergence/fixture.ts';

function parts(mutate: (p: ClusterParts) => void = () => {}): ClusterParts {
  const p = convergedParts();
  mutate(p);
  return p;
}

describe('node allocatable', () => {
  it('a converged cluster, and one filled exactly to allocatable, pass', () => {
    expect(checkSafety(viewOf(parts()))).toEqual([]);
    const full = parts((p) => {
      p.pods.push(pod('big-1', { node: 'node-1', requests: { cpu: '1', memory: '2Gi' } }), pod('big-2', { node: 'node-1', requests: { cpu: '1000m', memory: '2Gi' } }));
    });
    expect(formatViolations(checkSafety(viewOf(full)))).toBe('');
  });

  it('an overcommitted node is caught, naming the node, the resource and the pods', () => {
    const over = parts((p) => {
      p.pods = p.pods.filter((x) => x.spec?.nodeName !== 'node-2');
      p.pods.push(pod('a', { node: 'node-2', requests: { cpu: '1500m' } }), pod('b', { node: 'node-2', requests: { cpu: '600m', memory: '5Gi' } }));
    });
    expect(checkSafety(viewOf(over)).map((v) => v.message)).toEqual([
      'Node node-2 is overcommitted: cpu requests 2100m exceed allocatable 2000m; memory requests 5120Mi exceed allocatable 4096Mi (pods default/a, default/b).',
    ]);
  });

  it('finished pods free their resources; terminating ones do not', () => {
    const finished = parts((p) => {
      p.pods.push(pod('old', { node: 'node-3', phase: 'Succeeded', requests: { cpu: '2' } }), pod('new', { node: 'node-3', requests: { cpu: '2' } }));
    });
    expect(checkSafety(viewOf(finished))).toEqual([]);
    const terminating = parts((p) => {
      const old = pod('old', { node: 'node-3', requests: { cpu: '2' } });
      old.metadata!.deletionTimestamp = '2024-04-17T00:09:00Z';
      p.pods.push(old, pod('new', { node: 'node-3', requests: { cpu: '2' } }));
    });
    expect(checkSafety(viewOf(terminating)).map((v) => v.property)).toEqual(['node-allocatable']);
  });

  it('too many pods for the node’s pod capacity is caught', () => {
    const crowded = parts((p) => {
      p.nodes[0].status!.allocatable = { ...p.nodes[0].status!.allocatable, pods: '2' };
    });
    expect(checkSafety(viewOf(crowded)).map((v) => v.message)[0]).toMatch(/^Node node-1 is overcommitted: 3 pods exceed allocatable pods 2 /);
  });
});

describe('no pod bound twice', () => {
  it('a pod whose nodeName changes between steps is caught', () => {
    const prev = viewOf(parts(), 1_000);
    const next = viewOf(parts((p) => {
      p.pods[0].spec!.nodeName = 'node-3';
    }), 2_000);
    const name = prev.objects.pods[0].metadata!.name;
    expect(checkSafety(prev, next).map((v) => v.message)).toEqual([`pod default/${name} was bound to node-1 and is now bound to node-3.`]);
    expect(checkSafety(prev, viewOf(parts(), 2_000))).toEqual([]);
  });

  it('the monitor remembers bindings across snapshots in which the pod was not seen', () => {
    const monitor = new SafetyMonitor();
    expect(monitor.observe(viewOf(parts(), 1_000))).toEqual([]);
    expect(monitor.observe(viewOf(parts((p) => p.pods.splice(0, 1)), 2_000))).toEqual([]);
    const rebound = monitor.observe(viewOf(parts((p) => {
      p.pods[0].spec!.nodeName = 'node-2';
    }), 3_000));
    expect(rebound).toHaveLength(1);
    expect(rebound[0]).toMatchObject({ property: 'pod-rebound', at: 3_000 });
  });

  it('a pod re-created under the same name (a new uid) is a new pod', () => {
    const prev = viewOf(parts(), 1_000);
    const next = viewOf(parts((p) => {
      p.pods[0].spec!.nodeName = 'node-3';
      p.pods[0].metadata!.uid = 'uid-recreated';
    }), 2_000);
    expect(checkSafety(prev, next)).toEqual([]);
  });
});

describe('at most one leader acts per lease term', () => {
  const act = (holder: string, term: number, at: number, lease = 'kube-system/kube-scheduler'): LeaderActObservation =>
    ({ type: 'obs.leader.act', lease, holder, term, at });

  it('a clean handover passes, and leases are judged separately', () => {
    expect(checkLeaderActs([
      act('cp-1_a', 0, 1_000), act('cp-1_a', 0, 5_000), act('cp-2_b', 1, 30_000), act('cp-2_b', 1, 31_000),
      act('cp-1_c', 0, 2_000, 'kube-system/kube-controller-manager'), act('cp-2_b', 1, 40_000),
    ])).toEqual([]);
  });

  it('two holders acting in one term are caught', () => {
    const vs = checkLeaderActs([act('cp-1_a', 3, 1_000), act('cp-2_b', 3, 1_500), act('cp-2_b', 3, 1_600)]);
    expect(vs.map((v) => v.message)).toEqual([
      'Lease kube-system/kube-scheduler had two leaders acting in term 3: cp-1_a (from 1000ms) and cp-2_b (at 1500ms).',
    ]);
  });

  it('a leader that keeps acting after losing its lease is caught (in any input order)', () => {
    const vs = checkLeaderActs([act('cp-1_a', 3, 40_000), act('cp-1_a', 3, 1_000), act('cp-2_b', 4, 30_000)]);
    expect(vs.map((v) => v.message)).toEqual([
      'Lease kube-system/kube-scheduler holder cp-1_a acted in term 3 at 40000ms, after cp-2_b had acted as leader in term 4 (at 30000ms): it kept acting after losing the lease.',
    ]);
    expect(checkSafety(viewOf(parts()), { leaderActs: [act('a', 3, 40_000), act('b', 4, 30_000)] })).toHaveLength(1);
  });
});

describe('rollout availability', () => {
  it('maxUnavailable resolves as the Deployment controller does', () => {
    const d = (replicas: number, surge?: number | string, unavailable?: number | string) =>
      ({ spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } } });
    expect(maxUnavailableOf(d(4))).toBe(1);
    expect(maxUnavailableOf(d(3))).toBe(0);
    expect(maxUnavailableOf(d(3, 0, 0))).toBe(1);
    expect(maxUnavailableOf(d(2, 1, 5))).toBe(2);
    expect(maxUnavailableOf({ spec: { selector: {}, template: {}, strategy: { type: 'Recreate' } } })).toBeUndefined();
  });

  const removeWebPod = (p: ClusterParts) => {
    p.pods[0].metadata!.deletionTimestamp = '2024-04-17T00:09:00Z';
  };

  it('a controller deleting an available pod below the floor is caught when nothing else disrupts', () => {
    // web: 3 replicas, maxSurge 25 % → 1, maxUnavailable 25 % → 0: the floor is 3.
    const prev = viewOf(parts(), 1_000);
    const next = viewOf(parts(removeWebPod), 2_000);
    expect(checkSafety(prev, next, { disruptionFree: true }).map((v) => v.message)).toEqual([
      'Deployment default/web has 2 available pods, fewer than replicas 3 − maxUnavailable 0 = 3 (it had 3 at 1000ms).',
    ]);
    expect(checkSafety(prev, next, { disruptionFree: false })).toEqual([]);
  });

  it('a Deployment still coming up, or being scaled, is not judged', () => {
    const empty = viewOf(parts((p) => p.pods.splice(0, 3)), 1_000);
    expect(checkSafety(empty, viewOf(parts((p) => p.pods.splice(0, 2)), 2_000), { disruptionFree: true })).toEqual([]);
    const scaled = viewOf(parts((p) => {
      removeWebPod(p);
      p.deployments[0].spec!.replicas = 2;
    }), 2_000);
    expect(checkSafety(viewOf(parts(), 1_000), scaled, { disruptionFree: true })).toEqual([]);
  });

  it('the monitor checks rollouts only on disruption-free steps', () => {
    const monitor = new SafetyMonitor();
    monitor.observe(viewOf(parts(), 1_000));
    expect(monitor.observe(viewOf(parts(removeWebPod), 2_000), { disruptionFree: false })).toEqual([]);
    monitor.observe(viewOf(parts(), 3_000));
    expect(monitor.observe(viewOf(parts(removeWebPod), 4_000), { disruptionFree: true })).toHaveLength(1);
    expect(monitor.violations).toHaveLength(1);
  });
});
