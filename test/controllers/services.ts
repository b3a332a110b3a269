// Services for endpoint tests: a Service, pods a kubelet has started (IP, Ready or not), and the check
// every endpoints test ends with — a Service's ready endpoints are exactly its ready, selected pods.
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { rfc3339 } from '../../src/kubelet/format.ts';
import type { Plant } from '../../machines/controller-manager/config.ts';
import { Cluster, type ClusterOptions } from './harness.ts';
import { Kubelets } from './nodes.ts';

export function service(name: string, extra: Partial<Service['spec']> = {}): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'default', labels: { app: name, tier: 'frontend' } },
    spec: { selector: { app: name }, clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
  };
}

let ipSeq = 0;
export function podFor(name: string, node: string, now: number, opts: { ready?: boolean; app?: string } = {}): Pod {
  const at = rfc3339(now);
  const ip = `10.244.${node.split('-')[1]}.${++ipSeq + 10}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: opts.app ?? 'web' } },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
    status: {
      phase: 'Running', podIP: ip, podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: at }],
    },
  };
}

export function start(plant?: Plant, opts: ClusterOptions = {}) {
  const c = new Cluster({ ...opts, kcm: { controllers: ['endpoint', 'endpointslice'], ...(plant ? { plant } : {}) } });
  const k = new Kubelets(c);
  k.register('node-1', { labels: { 'topology.kubernetes.io/zone': 'zone-a' } });
  k.register('node-2', { labels: { 'topology.kubernetes.io/zone': 'zone-b' } });
  c.run(500);
  return { c, k };
}

export const endpointsOf = (c: Cluster, name = 'web') => c.objects<Endpoints>('endpoints').find((e) => e.metadata?.name === name);
export const slicesOf = (c: Cluster, name = 'web') => c.objects<EndpointSlice>('endpointslices').filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === name);
export const podNamed = (c: Cluster, name: string) => c.pods().find((p) => p.metadata?.name === name)!;

export function setReady(c: Cluster, name: string, ready: boolean): void {
  const pod = podNamed(c, name);
  const conditions = [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(c.now) }];
  c.fake.send({ type: 'fake.put', resource: 'pods', subresource: 'status', object: { ...pod, status: { ...pod.status, conditions } } });
}

/** The invariant the issue asks for: a Service's ready endpoints are exactly its ready, selected pods. */
export function readyEndpointsMismatch(c: Cluster, name = 'web'): string[] {
  const svc = c.objects<Service>('services').find((s) => s.metadata?.name === name)!;
  const readyPods = c.pods()
    .filter((p) => Object.entries(svc.spec!.selector!).every(([k, v]) => p.metadata?.labels?.[k] === v))
    .filter((p) => !svc.spec?.publishNotReadyAddresses && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') && !p.metadata?.deletionTimestamp)
    .map((p) => p.status!.podIP!).sort();
  const fromEndpoints = (endpointsOf(c, name)?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  const fromSlices = slicesOf(c, name).flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses)).sort();
  const problems: string[] = [];
  if (JSON.stringify(fromEndpoints) !== JSON.stringify(readyPods)) problems.push(`Endpoints ready ${fromEndpoints} ≠ ready pods ${readyPods}`);
  if (JSON.stringify(fromSlices) !== JSON.stringify(readyPods)) problems.push(`EndpointSlices ready ${fromSlices} ≠ ready pods ${readyPods}`);
  return problems;
}

