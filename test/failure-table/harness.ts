// Shared pieces of the failure-table tests: a cluster running a Deployment behind a Service, snapshots for
// the convergence checker, and what each node's container runtime is running (the containers that keep
// going whatever happens to the control plane).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { expect } from 'vitest';
import { checkConvergence, formatViolations } from '../../src/check/convergence/index.ts';
import { buildCluster, type Cluster, type ClusterSpec } from '../../src/cluster/index.ts';
import type { ContainerRuntimeContext } from '../../machines/container-runtime/container-runtime.machine.ts';
import { clusterView } from '../cluster-view.ts';
import { memberStatus } from '../../machines/etcd-member/view.ts';

export const WEB = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{ name: http, containerPort: 80 }]
        resources: { requests: { cpu: 100m, memory: 128Mi } }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: web, port: 80, targetPort: http }]
`;

/** The whole cluster as the convergence checker reads it, listed through the API; `down`: nodes known dead. */
export const snapshot = clusterView;

/** Polls once every virtual second (a snapshot itself runs the simulation while it lists). */
export function runUntilConverged(cluster: Cluster, timeoutMs: number, down: readonly string[] = []): boolean {
  const deadline = cluster.now + timeoutMs;
  while (cluster.now < deadline) {
    cluster.runFor(1_000);
    if (checkConvergence(snapshot(cluster, down)).length === 0) return true;
  }
  return false;
}

export function expectConverged(cluster: Cluster, timeoutMs: number, down: readonly string[] = []): void {
  const ok = runUntilConverged(cluster, timeoutMs, down);
  expect(ok, formatViolations(checkConvergence(snapshot(cluster, down)))).toBe(true);
}

/** A started cluster running WEB (3 replicas behind a Service), converged. */
export function webCluster(seed: number, spec: ClusterSpec = {}, manifest = WEB): Cluster {
  const cluster = buildCluster(spec, { seed }).start();
  cluster.apply(manifest);
  expectConverged(cluster, 120_000);
  return cluster;
}

export interface RunningContainer {
  readonly node: string;
  readonly podUid: string;
  readonly name: string;
  readonly id: string;
  readonly attempt: number;
}

/** Containers in state `running` in each node's runtime (the runtime's own record: no API involved). */
export function runningContainers(cluster: Cluster): RunningContainer[] {
  const out: RunningContainer[] = [];
  for (const node of cluster.nodes) {
    const host = cluster.sim.host(`${node}/containerd`);
    const context = host.snapshot()?.context as ContainerRuntimeContext | undefined;
    if (!context) continue;
    for (const c of Object.values(context.runtime.snapshot.runtime.containers)) {
      if (c.state === 'running') out.push({ node, podUid: c.podUid, name: c.name, id: c.id, attempt: c.attempt });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export function pods(cluster: Cluster, selector = 'app=web'): Pod[] {
  return cluster.list<Pod & { metadata: { name: string } }>('pods', { namespace: 'default', labelSelector: selector });
}

/** CPU time (user + system) a function takes, in ms: the figure the docs report (wall clock is noisy here). */
export function cpuMs<T>(fn: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}

/** The highest etcd revision any member has applied: it moves on every write that reaches the store. */
export function etcdRevision(cluster: Cluster): number {
  return Math.max(...cluster.etcdMembers.map((m) => memberStatus(cluster.sim.host(m).snapshot())?.kvRevision ?? 0));
}

/** `crictl stop <id>` on the node: the runtime stops the container as if it had been killed. */
export function crictlStop(cluster: Cluster, node: string, containerId: string): void {
  cluster.sim.bus.send('user/crictl', `${node}/containerd`, {
    type: 'cri.request', from: 'user/crictl', requestId: `crictl-${containerId.slice(0, 8)}`,
    call: { method: 'StopContainer', containerId, timeoutMs: 0 },
  });
}
