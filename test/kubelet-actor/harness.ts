import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { etcdMemberMachine } from '../../machines/etcd-member/index.ts';
import type { KubeletContext } from '../../machines/kubelet/kubelet.machine.ts';
import type { ContainerRuntimeContext } from '../../machines/container-runtime/container-runtime.machine.ts';
import type { ApiRequest, ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { hostNode, type NodeSpec } from '../../src/cluster/hosts/node.ts';
import type { HostEvent } from '../../src/host/component-host.ts';
import type { RegistryConfig } from '../../src/kubelet/registry.ts';
import type { KubeletMachineConfig } from '../../machines/kubelet/config.ts';
import { ApiHarness, core, create, del, get, list } from '../apiserver/harness.ts';

export const MEMBERS = ['etcd-1', 'etcd-2', 'etcd-3'];

/**
 * A real apiserver over a real 3-member etcd, plus nodes (kubelet + container runtime each). No scheduler:
 * pods are created with spec.nodeName set.
 */
export class NodeHarness {
  readonly api: ApiHarness;
  readonly observations: HostEvent[] = [];

  constructor(options: { seed?: number; nodes?: NodeSpec[]; registry?: RegistryConfig; kubelet?: Partial<KubeletMachineConfig> } = {}) {
    this.api = new ApiHarness({ seed: options.seed ?? 1, etcdMembers: MEMBERS, etcdClient: { attemptTimeoutMs: 500, requestTimeoutMs: 3_000 }, config: { requestTimeoutMs: 10_000 } });
    for (const m of MEMBERS) this.api.sim.add(m, etcdMemberMachine, { members: MEMBERS });
    this.api.start();
    this.api.sim.events.subscribe((e) => {
      if (e.kind === 'observe') this.observations.push(e);
    });
    (options.nodes ?? [{ name: 'node-1' }]).forEach((node, i) => {
      hostNode(this.api.sim, node, { apiserver: 'apiserver-0', index: i + 1, ...(options.registry ? { registry: options.registry } : {}), ...(options.kubelet ? { kubelet: options.kubelet } : {}) });
    });
  }

  get sim() {
    return this.api.sim;
  }

  get now(): number {
    return this.api.sim.now;
  }

  run(ms: number): void {
    this.api.run(ms);
  }

  /** A request, retried while etcd or the apiserver answer 5xx. */
  call(request: ApiRequest, attempts = 20): ApiResponseMessage {
    let last: ApiResponseMessage | undefined;
    for (let i = 0; i < attempts; i++) {
      last = this.api.call(request);
      if (last.code < 500) return last;
      this.run(500);
    }
    return last!;
  }

  createPod(pod: Pod): Pod {
    const r = this.call(create(core('pods'), pod.metadata?.namespace ?? 'default', pod));
    if (r.code !== 201) throw new Error(`create pod: ${r.code} ${JSON.stringify(r.body)}`);
    return r.body as Pod;
  }

  deletePod(name: string, namespace = 'default'): ApiResponseMessage {
    return this.call(del(core('pods'), namespace, name));
  }

  pod(name: string, namespace = 'default'): Pod | undefined {
    const r = this.call(get(core('pods'), namespace, name));
    return r.code === 200 ? (r.body as Pod) : undefined;
  }

  node(name = 'node-1'): Node | undefined {
    const r = this.call(get(core('nodes'), undefined, name));
    return r.code === 200 ? (r.body as Node) : undefined;
  }

  lease(name = 'node-1'): Lease | undefined {
    const r = this.call(get({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, 'kube-node-lease', name));
    return r.code === 200 ? (r.body as Lease) : undefined;
  }

  /** Events about `podName`, oldest first (by first timestamp, then creation order). */
  events(podName?: string, namespace = 'default'): Event[] {
    const r = this.call(list(core('events'), namespace));
    const items = ((r.body as { items?: Event[] }).items ?? []).filter((e) => podName === undefined || e.involvedObject.name === podName);
    return items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  /** Runs until `predicate` holds (checked every `stepMs` of virtual time). */
  runUntil(predicate: () => boolean, timeoutMs = 60_000, stepMs = 250): boolean {
    const deadline = this.now + timeoutMs;
    while (this.now < deadline) {
      if (predicate()) return true;
      this.run(stepMs);
    }
    return predicate();
  }

  kubeletContext(node = 'node-1'): KubeletContext {
    return this.sim.host(`${node}/kubelet`).snapshot()!.context as KubeletContext;
  }

  runtimeContext(node = 'node-1'): ContainerRuntimeContext {
    return this.sim.host(`${node}/containerd`).snapshot()!.context as ContainerRuntimeContext;
  }

  observed(type: string): HostEvent[] {
    return this.observations.filter((e) => e.kind === 'observe' && e.observation.type === type);
  }
}

export function nginxPod(name: string, opts: { node?: string; image?: string; annotations?: Record<string, string>; containers?: Pod['spec'] extends infer S ? S extends { containers: infer C } ? C : never : never; restartPolicy?: string; terminationGracePeriodSeconds?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: {
      nodeName: opts.node ?? 'node-1',
      ...(opts.restartPolicy ? { restartPolicy: opts.restartPolicy } : {}),
      ...(opts.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: opts.terminationGracePeriodSeconds } : {}),
      containers: opts.containers ?? [{ name: 'app', image: opts.image ?? 'nginx:1.25' }],
    },
  };
}

/** "Reason: message" lines, for comparing event sequences. */
export function eventLines(events: readonly Event[]): string[] {
  return events.map((e) => `${e.reason}: ${e.message}`);
}
