// What node tests play besides the controller-manager: kubelets registering Nodes, renewing their Leases
// in kube-node-lease every 10 s and posting Ready status, and pods bound to nodes as admission and the
// scheduler would leave them (default 300 s NoExecute tolerations).
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { addDefaultTolerations } from '../../src/api/index.ts';
import { microTime, rfc3339 } from '../../src/kubelet/format.ts';
import { NODE_LEASE_DURATION_SECONDS } from '../../src/kubelet/node-status.ts';
import type { Cluster } from './harness.ts';

export const LEASE_RENEW_MS = 10_000;

export interface NodeOptions {
  labels?: Record<string, string>;
  taints?: Taint[];
  ready?: 'True' | 'False';
}

export function nodeObject(name: string, now: number, opts: NodeOptions = {}): Node {
  const at = rfc3339(now);
  const ready = opts.ready ?? 'True';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...opts.labels } },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: at, lastTransitionTime: at },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: at, lastTransitionTime: at },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: at, lastTransitionTime: at },
        ready === 'True'
          ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: at, lastTransitionTime: at }
          : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down', lastHeartbeatTime: at, lastTransitionTime: at },
      ],
      addresses: [{ type: 'InternalIP', address: `172.18.0.${Number(name.split('-')[1] ?? 1) + 1}` }, { type: 'Hostname', address: name }],
    },
  };
}

export class Kubelets {
  /** Nodes whose kubelet is up (renews its lease). */
  readonly live = new Set<string>();
  private nextRenewAt = 0;

  constructor(readonly c: Cluster) {}

  register(name: string, opts: NodeOptions = {}): void {
    this.c.apply(nodeObject(name, this.c.now, opts), 'nodes');
    this.live.add(name);
    this.renew(name);
  }

  node(name: string): Node {
    const node = this.c.objects<Node>('nodes').find((n) => n.metadata?.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  renew(name: string): void {
    this.c.apply({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime: microTime(this.c.now) },
    }, 'leases');
  }

  /** The kubelet posts its status: Ready as given, heartbeats now (keeping transition times that did not change). */
  postStatus(name: string, ready: 'True' | 'False' = 'True'): void {
    const node = this.node(name);
    const fresh = nodeObject(name, this.c.now, { ready }).status!;
    const conditions = fresh.conditions!.map((c) => {
      const before = node.status?.conditions?.find((x) => x.type === c.type);
      return before && before.status === c.status ? { ...c, lastTransitionTime: before.lastTransitionTime } : c;
    });
    this.c.fake.send({ type: 'fake.put', resource: 'nodes', subresource: 'status', object: { ...node, status: { ...node.status, conditions } } });
  }

  stop(name: string): void {
    this.live.delete(name);
  }

  /** The kubelet comes back: Ready status and a renewed lease. */
  start(name: string): void {
    this.live.add(name);
    this.postStatus(name);
    this.renew(name);
  }

  /** Runs the cluster for `ms`, live kubelets renewing their leases every 10 s. */
  run(ms: number): void {
    const until = this.c.now + ms;
    while (this.c.now < until) {
      if (this.c.now >= this.nextRenewAt) {
        for (const name of [...this.live].sort()) this.renew(name);
        this.nextRenewAt = this.c.now + LEASE_RENEW_MS;
      }
      this.c.run(Math.min(until, this.nextRenewAt) - this.c.now);
    }
  }

  /** Runs until `predicate` holds (kubelets heartbeating); fails after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs: number, what: string): void {
    const until = this.c.now + timeoutMs;
    while (!predicate()) {
      if (this.c.now >= until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      this.run(Math.min(250, until - this.c.now));
    }
  }
}

/** A pod bound to `node`, Running and Ready, with admission's default tolerations plus `tolerations`. */
export function boundPod(name: string, node: string, now: number, tolerations: Toleration[] = [], defaults = true): Pod {
  const at = rfc3339(now);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx:1.25' }], tolerations },
    status: {
      phase: 'Running',
      podIP: `10.244.1.${name.length + 10}`,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
        { type: 'Ready', status: 'True', lastTransitionTime: at },
      ],
    },
  };
  return defaults ? addDefaultTolerations(pod) : pod;
}

/** Creates the pod, then posts its status as its kubelet would (a create resets status). */
export function placePod(c: Cluster, pod: Pod): void {
  c.apply(pod, 'pods');
  c.fake.send({ type: 'fake.put', resource: 'pods', subresource: 'status', object: pod });
}
