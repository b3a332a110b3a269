// The campaign's `burst` episode degrades the network between hosts, never the links inside one host (an
// apiserver and its etcd client share a process, a kubelet reaches its runtime over a unix socket). A
// reordered apiserver ← etcd-client hop once made a watch cache skip an event for good (seed 85).
// Also: the scheduler's watch stall that starts with the workload.
import { describe, expect, it } from 'vitest';
import { armFaults, stallsWithWorkload } from '../../src/campaign/cluster/faults.ts';
import { parseClusterScenario } from '../../src/campaign/cluster/parse.ts';
import { Simulation } from '../../src/host/simulation.ts';

const HOSTS = ['apiserver-0', 'etcd-1', 'node-1'];

function burstAt(sim: Simulation): void {
  armFaults([{ at: 1_000, kind: 'burst', drop: 0.2, duplicate: 0.1, durationMs: 5_000 }], {
    sim, base: 0, quietFrom: 6_000, apiservers: ['apiserver-0'], etcdMembers: ['etcd-1'], hosts: HOSTS,
  });
}

describe('burst', () => {
  it('drops, duplicates and reorders between hosts only, and ends', () => {
    const sim = new Simulation({ seed: 1 });
    burstAt(sim);
    sim.runFor(2_000);
    expect(sim.network.link('etcd-1', 'apiserver-0/etcd')).toMatchObject({ drop: 0.2, duplicate: 0.1, reorder: true });
    expect(sim.network.link('node-1/kubelet', 'apiserver-0')).toMatchObject({ drop: 0.2, duplicate: 0.1, reorder: true });
    for (const [from, to] of [['apiserver-0/etcd', 'apiserver-0'], ['apiserver-0', 'apiserver-0/etcd'], ['node-1/kubelet', 'node-1/containerd']]) {
      expect(sim.network.link(from, to), `${from} → ${to}`).toMatchObject({ drop: 0, duplicate: 0, reorder: false });
    }
    sim.runFor(5_000);
    expect(sim.network.link('etcd-1', 'apiserver-0/etcd')).toMatchObject({ drop: 0, duplicate: 0, reorder: false });
  });
});

describe('watch-stall aimed at the scheduler', () => {
  const stall = { at: 0, kind: 'watch-stall', resource: 'pods', durationMs: 5_000, component: 'scheduler' } as const;

  it('starts with the workload only when aimed at the scheduler at 0', () => {
    expect(stallsWithWorkload(stall)).toBe(true);
    expect(stallsWithWorkload({ ...stall, at: 1 })).toBe(false);
    expect(stallsWithWorkload({ at: 0, kind: 'watch-stall', resource: 'pods', durationMs: 5_000 })).toBe(false);
  });

  it('is read back from a scenario file, and a wrong component is refused', () => {
    const scenario = { seed: 1, shape: { apiservers: 1, nodes: 2, stale: [] }, workload: { deployments: [], jobs: [], daemonSet: false, unreadyPod: false, changes: [] }, faults: [stall] };
    expect(parseClusterScenario(scenario).faults[0]).toEqual(stall);
    expect(() => parseClusterScenario({ ...scenario, faults: [{ ...stall, component: 'kubelet' }] })).toThrow(/component/);
  });
});
