// The request flow docs/cluster.md draws, checked on a fresh run: the steps of `kubectl apply` happen in
// this order, each through the apiserver.
import { describe, expect, it } from 'vitest';
import { applyFlow } from '../../src/cluster/apply-flow.ts';

const STEPS: RegExp[] = [
  /^user\/kubectl → apiserver-0: GET deployments\/web$/,
  /^apiserver-0 → user\/kubectl: 404 Status$/,
  /^user\/kubectl → apiserver-0: POST deployments$/,
  /^apiserver-0 → apiserver-0\/etcd: txn \/registry\/deployments\/default\/web$/,
  /^etcd-\d → etcd-\d: raft\.append \/registry\/deployments\/default\/web$/,
  /^apiserver-0\/etcd → apiserver-0: committed, revision \d+$/,
  /^apiserver-0 → user\/kubectl: 201 Deployment web$/,
  /^apiserver-0 → kcm-0: watch: ADDED Deployment web$/,
  /^kcm-0 → apiserver-0: POST replicasets$/,
  /^apiserver-0 → kcm-0: watch: ADDED ReplicaSet web-\w+$/,
  /^kcm-0 → apiserver-0: POST pods$/,
  /^apiserver-0 → scheduler-0: watch: ADDED Pod web-\w+-\w+$/,
  /^scheduler-0 → apiserver-0: POST pods\/web-\w+-\w+\/binding$/,
  /^apiserver-0 → node-1\/kubelet: watch: ADDED Pod web-\w+-\w+$/,
  /^node-1\/kubelet → node-1\/containerd: RunPodSandbox$/,
  /^node-1\/kubelet → node-1\/containerd: PullImage nginx:1\.25$/,
  /^node-1\/kubelet → node-1\/containerd: CreateContainer$/,
  /^node-1\/kubelet → node-1\/containerd: StartContainer$/,
  /^node-1\/kubelet → apiserver-0: PATCH pods\/web-\w+-\w+\/status$/,
];

describe('the request flow of kubectl apply (docs/cluster.md)', () => {
  it('goes user → apiserver → etcd → controllers → scheduler → kubelet → runtime, in order', () => {
    const { arrows, mermaid } = applyFlow();
    let at = 0;
    for (const step of STEPS) {
      const found = arrows.findIndex((a, i) => i >= at && step.test(a));
      if (found < 0) throw new Error(`no ${step} after arrow ${at}:\n${arrows.slice(at, at + 15).join('\n')}`);
      at = found + 1;
    }
    // No component ever talks to another except through the apiserver (or a node to its own runtime).
    for (const arrow of arrows) {
      const [from, to] = arrow.split(': ')[0].split(' → ');
      const ok = [from, to].some((a) => a.startsWith('apiserver-0')) || [from, to].every((a) => a.startsWith('etcd-')) ||
        (from.startsWith('node-1/') && to.startsWith('node-1/'));
      expect(ok, arrow).toBe(true);
    }
    expect(mermaid).toMatch(/^sequenceDiagram\n/);
  });
});
