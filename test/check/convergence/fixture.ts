// A small converged cluster as plain objects, built by hand the way a correct control plane would leave
// it: three nodes; Deployment web (3 replicas, an old ReplicaSet scaled to zero) behind Service web;
// DaemonSet agent on every node; a finished Job and a running work-queue Job; each node's kube-proxy
// rules built by kube-proxy's own rule builder from the Services and EndpointSlices. Tests mutate a fresh
// copy to plant one bug at a time.
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Endpoints, Node, Pod, PodTemplateSpec, Service, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { podTemplateHash } from '../../../src/api/names.ts';
import { fromObjects, type ClusterView, type StoredObject } from '../../../src/check/convergence/index.ts';
import { rfc3339 } from '../../../src/kubelet/format.ts';
import type { NodeRules } from '../../../src/network/kernel.ts';
import { endpointsMap } from '../../../machines/kube-proxy/endpoints.ts';
import { buildIptablesRules } from '../../../machines/kube-proxy/iptables-rules.ts';
import { servicePortMap } from '../../../machines/kube-proxy/service-ports.ts';

export const NODES = ['node-1', 'node-2', 'node-3'];
export const NOW = 600_000;
const T0 = rfc3339(1_000);

/** kubernetes-types are read-only; tests mutate their copies freely. */
export type W<T> = T extends object ? { -readonly [K in keyof T]: W<T[K]> } : T;

export interface ClusterParts {
  nodes: W<Node>[];
  deployments: W<Deployment>[];
  replicasets: W<ReplicaSet>[];
  daemonsets: W<DaemonSet>[];
  jobs: W<Job>[];
  pods: W<Pod>[];
  services: W<Service>[];
  endpoints: W<Endpoints>[];
  endpointslices: W<EndpointSlice>[];
  liveNodes: string[];
  rules: Record<string, NodeRules | undefined>;
}

let podSeq = 0;

export function node(name: string, extra: { taints?: Taint[]; ready?: 'True' | 'False' | 'Unknown'; labels?: Record<string, string> } = {}): Node {
  const i = Number(name.split('-')[1]);
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
    spec: { podCIDR: `10.244.${i}.0/24`, ...(extra.taints ? { taints: extra.taints } : {}) },
    status: {
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: extra.ready ?? 'True', lastTransitionTime: T0 }],
      addresses: [{ type: 'InternalIP', address: `172.18.0.${i + 1}` }],
    },
  };
}

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  owner?: { kind?: string; apiVersion?: string; metadata?: { name?: string; uid?: string } };
  node?: string;
  phase?: string;
  ready?: boolean;
  template?: PodTemplateSpec;
  requests?: Record<string, string>;
  tolerations?: Toleration[];
}

/** A pod as the kubelet reports it once started: Running and Ready, with an IP from its node's CIDR. */
export function pod(name: string, o: PodOptions = {}): W<Pod> {
  const seq = ++podSeq;
  const nodeIndex = o.node ? Number(o.node.split('-')[1]) : 0;
  const phase = o.phase ?? 'Running';
  const ready = o.ready ?? phase === 'Running';
  const spec = structuredClone(o.template?.spec ?? { containers: [{ name: 'main', image: 'nginx:1.25', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }] });
  if (o.requests) spec.containers[0].resources = { requests: o.requests };
  if (o.tolerations) spec.tolerations = o.tolerations;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: o.namespace ?? 'default', uid: `uid-pod-${name}`, creationTimestamp: T0,
      labels: { ...o.template?.metadata?.labels, ...o.labels },
      ...(o.owner ? { ownerReferences: [{ apiVersion: o.owner.apiVersion ?? '', kind: o.owner.kind ?? '', name: o.owner.metadata?.name ?? '', uid: o.owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: { ...spec, ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase,
      ...(o.node && phase !== 'Pending' ? { podIP: `10.244.${nodeIndex}.${10 + seq}`, podIPs: [{ ip: `10.244.${nodeIndex}.${10 + seq}` }], hostIP: `172.18.0.${nodeIndex + 1}` } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: T0 }],
    },
  };
}

function template(app: string, image: string): PodTemplateSpec {
  return {
    metadata: { labels: { app } },
    spec: { containers: [{ name: 'main', image, ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }], restartPolicy: 'Always' },
  };
}

function owner(obj: { apiVersion?: string; kind?: string; metadata?: { name?: string; uid?: string } }) {
  return { apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: obj.metadata };
}

export function deploymentWithPods(name: string, replicas: number, nodes: readonly string[], image = 'nginx:1.25'): { d: Deployment; rss: ReplicaSet[]; pods: Pod[] } {
  const tpl = template(name, image);
  const hash = podTemplateHash(tpl);
  const d: Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-deploy-${name}`, generation: 2 },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: tpl, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
    status: { observedGeneration: 2, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  };
  const rsOf = (h: string, tplFor: PodTemplateSpec, n: number, revision: string): ReplicaSet => ({
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `${name}-${h}`, namespace: 'default', uid: `uid-rs-${name}-${h}`, generation: 1, labels: { app: name, 'pod-template-hash': h },
      annotations: { 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas: n, selector: { matchLabels: { app: name, 'pod-template-hash': h } },
      template: structuredClone({ ...tplFor, metadata: { labels: { ...tplFor.metadata?.labels, 'pod-template-hash': h } } }),
    },
    status: { observedGeneration: 1, replicas: n, readyReplicas: n, availableReplicas: n, fullyLabeledReplicas: n },
  });
  const oldTpl = template(name, 'nginx:1.24');
  const current = rsOf(hash, tpl, replicas, '2');
  const old = rsOf(podTemplateHash(oldTpl), oldTpl, 0, '1');
  const pods = Array.from({ length: replicas }, (_, i) =>
    pod(`${name}-${hash}-p${i}`, { template: current.spec!.template, owner: owner(current), node: nodes[i % nodes.length] }));
  return { d, rss: [current, old], pods };
}

export function daemonSetWithPods(name: string, nodes: readonly string[]): { ds: DaemonSet; pods: Pod[] } {
  const tpl = template(name, 'agent:1.0');
  const ds: DaemonSet = {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', uid: `uid-ds-${name}`, generation: 1 },
    spec: { selector: { matchLabels: { app: name } }, template: structuredClone(tpl), updateStrategy: { type: 'RollingUpdate' } },
    status: {
      observedGeneration: 1, desiredNumberScheduled: nodes.length, currentNumberScheduled: nodes.length, numberReady: nodes.length,
      numberAvailable: nodes.length, updatedNumberScheduled: nodes.length, numberMisscheduled: 0,
    },
  };
  const hash = podTemplateHash(tpl);
  const tolerations = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  ];
  const pods = nodes.map((n) => pod(`${name}-${n}`, {
    namespace: 'kube-system', template: tpl, owner: owner(ds), node: n, labels: { 'controller-revision-hash': hash }, tolerations,
  }));
  return { ds, pods };
}

function job(name: string, spec: Job['spec'], status: Job['status']): Job {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default', uid: `uid-job-${name}`, generation: 1 }, spec, status };
}

export function serviceFor(name: string, clusterIP: string): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-svc-${name}` },
    spec: { selector: { app: name }, clusterIP, clusterIPs: [clusterIP], type: 'ClusterIP', ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
}

/** Endpoints and one EndpointSlice for a Service as the controllers would write them for these pods. */
export function endpointsFor(svc: Service, pods: readonly Pod[]): { ep: Endpoints; slice: EndpointSlice } {
  const name = svc.metadata!.name!;
  const selected = pods.filter((p) => p.metadata?.labels?.app === svc.spec?.selector?.app && p.status?.podIP && !p.metadata?.deletionTimestamp);
  const ready = selected.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const notReady = selected.filter((p) => !ready.includes(p));
  const addr = (p: Pod) => ({ ip: p.status!.podIP!, nodeName: p.spec?.nodeName, targetRef: { kind: 'Pod', namespace: p.metadata?.namespace, name: p.metadata?.name, uid: p.metadata?.uid } });
  const ep: Endpoints = {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' },
    subsets: selected.length === 0 ? [] : [{
      ...(ready.length ? { addresses: ready.map(addr) } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady.map(addr) } : {}),
      ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
    }],
  };
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${name}-abcde`, namespace: 'default', labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
    endpoints: selected.map((p) => {
      const r = ready.includes(p);
      return { addresses: [p.status!.podIP!], conditions: { ready: r, serving: r, terminating: false }, nodeName: p.spec?.nodeName, targetRef: addr(p).targetRef };
    }),
  };
  return { ep, slice };
}

/** The rules a correct kube-proxy (iptables mode) on `node` writes for these Services and slices. */
export function rulesFor(nodeName: string, services: readonly Service[], slices: readonly EndpointSlice[], at = NOW - 10_000): NodeRules {
  const i = Number(nodeName.split('-')[1]);
  return {
    node: nodeName, nodeIP: `172.18.0.${i + 1}`, mode: 'iptables',
    iptables: buildIptablesRules(servicePortMap(services), endpointsMap(slices, nodeName), { clusterCIDR: '10.244.0.0/16' }),
    writtenAt: at, writtenBy: 1,
  };
}

/** A fresh converged cluster (safe to mutate). */
export function convergedParts(): ClusterParts {
  const nodes = NODES.map((n) => node(n));
  const web = deploymentWithPods('web', 3, NODES);
  const agent = daemonSetWithPods('agent', NODES);
  const done = job('done', { completions: 2, parallelism: 1, template: template('done', 'busybox') }, {
    succeeded: 2, conditions: [{ type: 'Complete', status: 'True' }],
  });
  const donePods = [0, 1].map((i) => pod(`done-${i}`, { owner: owner(done), node: NODES[i], phase: 'Succeeded', ready: false, labels: { 'job-name': 'done' } }));
  const worker = job('worker', { parallelism: 2, template: template('worker', 'busybox') }, { active: 2 });
  const workerPods = [0, 1].map((i) => pod(`worker-${i}`, { owner: owner(worker), node: NODES[i], labels: { 'job-name': 'worker' } }));
  const svc = serviceFor('web', '10.96.0.20');
  const pods = [...web.pods, ...agent.pods, ...donePods, ...workerPods];
  const { ep, slice } = endpointsFor(svc, pods);
  const rules = Object.fromEntries(NODES.map((n) => [n, rulesFor(n, [svc], [slice])]));
  return {
    nodes, deployments: [web.d], replicasets: web.rss, daemonsets: [agent.ds], jobs: [done, worker], pods,
    services: [svc], endpoints: [ep], endpointslices: [slice], liveNodes: [...NODES], rules,
  };
}

export function viewOf(parts: ClusterParts, time = NOW): ClusterView {
  const objects: StoredObject[] = [
    ...parts.nodes, ...parts.deployments, ...parts.replicasets, ...parts.daemonsets, ...parts.jobs, ...parts.pods,
    ...parts.services, ...parts.endpoints, ...parts.endpointslices,
  ];
  return fromObjects(objects, { time, liveNodes: parts.liveNodes, rules: parts.rules });
}

/** Refreshes Endpoints, EndpointSlices and every live node's rules from the pods (a correct data path). */
export function republish(parts: ClusterParts): void {
  const svc = parts.services[0];
  const { ep, slice } = endpointsFor(svc, parts.pods);
  parts.endpoints = [ep];
  parts.endpointslices = [slice];
  for (const n of parts.liveNodes) parts.rules[n] = rulesFor(n, parts.services, parts.endpointslices);
}
