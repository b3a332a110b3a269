// A kube-scheduler (scheduler-0) against a real kube-apiserver (apiserver-0) over a real 3-member etcd
// (or the single-member etcd test double for speed), with a client that plays the user: it posts Nodes
// (capacity, labels, taints, as a kubelet registers them) and Pods, and reads back what happened.
import type { Event, Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { etcdMemberMachine } from '../../machines/etcd-member/index.ts';
import type { SchedulerConfig } from '../../machines/scheduler/config.ts';
import type { SchedulerState } from '../../machines/scheduler/scheduler.ts';
import type { ApiRequest, ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import type { ApiServerConfig } from '../../src/apiserver/config.ts';
import { storeGet } from '../../src/client/index.ts';
import { hostScheduler } from '../../src/cluster/hosts/scheduler.ts';
import type { ComponentHost } from '../../src/host/component-host.ts';
import { ApiHarness, core, create, del, get, list } from '../apiserver/harness.ts';

export const SCHEDULER = 'scheduler-0';
const MEMBERS = ['etcd-1', 'etcd-2', 'etcd-3'];

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
}

/** A Node as a kubelet registers it: capacity = allocatable, Ready. */
export function nodeObject(name: string, o: NodeOptions = {}): Node {
  const resources = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

export interface PodOptions {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  schedulerName?: string;
  ownerReplicaSet?: { name: string; uid: string };
}

export function podObject(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: o.labels ?? { app: 'web' },
      ...(o.ownerReplicaSet
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.ownerReplicaSet.name, uid: o.ownerReplicaSet.uid, controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', resources: Object.keys(requests).length > 0 ? { requests } : {} }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
    },
  };
}

export class SchedulerCluster {
  readonly api: ApiHarness;
  scheduler!: ComponentHost<SchedulerConfig>;

  constructor(readonly options: { etcd?: 'real' | 'fake'; seed?: number; scheduler?: Partial<SchedulerConfig>; apiserver?: ApiServerConfig } = {}) {
    const real = (options.etcd ?? 'real') === 'real';
    this.api = new ApiHarness({
      seed: options.seed ?? 1,
      config: { ...(real ? { requestTimeoutMs: 10_000 } : {}), ...options.apiserver },
      ...(real ? { etcdMembers: MEMBERS, etcdClient: { attemptTimeoutMs: 500, requestTimeoutMs: 3_000 } } : {}),
    });
    if (real) for (const m of MEMBERS) this.api.sim.add(m, etcdMemberMachine, { members: MEMBERS });
    this.api.start();
  }

  get sim() {
    return this.api.sim;
  }

  startScheduler(): this {
    this.scheduler = hostScheduler(this.sim, SCHEDULER, { apiserver: 'apiserver-0', config: this.options.scheduler });
    return this;
  }

  state(): SchedulerState {
    return (this.scheduler.snapshot()!.context as { scheduler: SchedulerState }).scheduler;
  }

  /** Sends a request and retries what fails while etcd elects a leader (as client-go does on 5xx). */
  call(request: ApiRequest, attempts = 20): ApiResponseMessage {
    let last: ApiResponseMessage | undefined;
    for (let i = 0; i < attempts; i++) {
      last = this.api.call(request);
      if (last.code < 500) return last;
      this.api.run(500);
    }
    return last!;
  }

  createNode(name: string, o: NodeOptions = {}): void {
    const r = this.call(create(core('nodes'), undefined, nodeObject(name, o)));
    if (r.code !== 201) throw new Error(`creating node ${name}: ${r.code} ${JSON.stringify(r.body)}`);
  }

  deleteNode(name: string): void {
    const r = this.call(del(core('nodes'), undefined, name));
    if (r.code !== 200) throw new Error(`deleting node ${name}: ${r.code} ${JSON.stringify(r.body)}`);
  }

  createPod(name: string, o: PodOptions = {}): void {
    const r = this.call(create(core('pods'), 'default', podObject(name, o)));
    if (r.code !== 201) throw new Error(`creating pod ${name}: ${r.code} ${JSON.stringify(r.body)}`);
  }

  /** Fire-and-forget creates, for many pods at once. */
  sendPods(pods: readonly Pod[]): void {
    for (const pod of pods) this.api.send(create(core('pods'), pod.metadata?.namespace ?? 'default', pod));
  }

  pods(): Pod[] {
    return ((this.call(list(core('pods'), 'default')).body as { items: Pod[] }).items ?? []);
  }

  pod(name: string): Pod {
    return this.call(get(core('pods'), 'default', name)).body as Pod;
  }

  nodes(): Node[] {
    return ((this.call(list(core('nodes'))).body as { items: Node[] }).items ?? []);
  }

  events(): Event[] {
    return ((this.call(list(core('events'), 'default')).body as { items: Event[] }).items ?? []);
  }

  eventsFor(pod: string): Event[] {
    return this.events().filter((e) => e.involvedObject?.name === pod);
  }

  /** Runs until every named pod is bound, or fails. */
  untilBound(names: readonly string[], timeoutMs = 30_000): void {
    const ok = this.sim.runUntilTrue(() => names.every((n) => this.boundInInformer(n)), timeoutMs);
    if (!ok) throw new Error(`pods not bound within ${timeoutMs} ms: ${names.filter((n) => !this.boundInInformer(n)).join(', ')}`);
  }

  /** What the scheduler's own informer shows (no API call, so it can be polled every step). */
  boundInInformer(name: string): boolean {
    const pod = storeGet(this.state().informers.pods.store, `default/${name}`);
    return pod !== undefined && (pod.spec?.nodeName ?? '') !== '';
  }

  run(ms: number): void {
    this.sim.runFor(ms);
  }
}
