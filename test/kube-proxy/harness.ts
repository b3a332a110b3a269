import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Plant, ProxyMode } from '../../machines/kube-proxy/config.ts';
import type { ApiRequest, ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { hostKubeProxy } from '../../src/cluster/hosts/kube-proxy.ts';
import type { HostEvent } from '../../src/host/component-host.ts';
import { readNodeRules, ruleMismatches, type NodeRules } from '../../src/network/index.ts';
import { APISERVER, ApiHarness, core, create, del, list, obj, update } from '../apiserver/harness.ts';

/**
 * A real apiserver (over the fake etcd) with kube-proxy on each node. Tests play the EndpointSlice
 * controller themselves: they write slices through the API as it would.
 */
export const SERVICES = core('services');
export const SLICES = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };

export interface ProxyClusterOptions {
  mode?: ProxyMode;
  nodes?: string[];
  seed?: number;
  plant?: Plant;
}

export class ProxyCluster {
  readonly h: ApiHarness;
  readonly nodes: string[];
  /** Every sync any kube-proxy reported (obs.kubeproxy.sync). */
  readonly syncs: { node: string; at: number; incarnation: number }[] = [];

  constructor(readonly options: ProxyClusterOptions = {}) {
    this.h = new ApiHarness({ seed: options.seed ?? 1 }).start();
    this.nodes = options.nodes ?? ['node-1', 'node-2'];
    this.h.sim.events.subscribe((e: HostEvent) => {
      if (e.kind === 'observe' && e.observation.type === 'obs.kubeproxy.sync') this.syncs.push(e.observation as unknown as { node: string; at: number; incarnation: number });
    });
    for (const node of this.nodes) {
      hostKubeProxy(this.h.sim, node, { apiserver: APISERVER, mode: options.mode ?? 'iptables', config: options.plant ? { plant: options.plant } : {} });
    }
    this.h.run(2_000);
  }

  call(request: ApiRequest): ApiResponseMessage {
    const r = this.h.call(request);
    if (r.code >= 300) throw new Error(`${request.verb} ${request.resource}: ${r.code} ${JSON.stringify(r.body)}`);
    return r;
  }

  createService(name: string, spec: Record<string, unknown> = {}, namespace = 'default'): Service {
    return obj(this.call(create(SERVICES, namespace, {
      apiVersion: 'v1', kind: 'Service', metadata: { name },
      spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
    }))) as unknown as Service;
  }

  /** Writes the Service's one EndpointSlice (`<svc>-slice`), creating or replacing it. */
  setEndpoints(service: string, endpoints: EndpointSpec[], ports: { name?: string; port: number; protocol?: string }[] = [{ port: 8080 }], namespace = 'default'): void {
    const name = `${service}-slice`;
    const body = endpointSlice(name, service, endpoints, ports);
    const existing = this.h.call({ verb: 'get', ...SLICES, namespace, name });
    if (existing.code === 200) this.call(update(SLICES, namespace, name, { ...body, metadata: { ...body.metadata, resourceVersion: obj(existing).metadata.resourceVersion } }));
    else this.call(create(SLICES, namespace, body));
  }

  deleteService(name: string, namespace = 'default'): void {
    this.call(del(SERVICES, namespace, name));
  }

  rules(node: string): NodeRules {
    const rules = readNodeRules(this.h.sim, node);
    if (!rules) throw new Error(`no rules on ${node}`);
    return rules;
  }

  services(): Service[] {
    return (obj(this.call(list(SERVICES))).items ?? []) as Service[];
  }

  slices(): EndpointSlice[] {
    return (obj(this.call(list(SLICES))).items ?? []) as EndpointSlice[];
  }

  /** What differs between each node's rules and the API's endpoints (the convergence check). */
  mismatches(nodes = this.nodes): string[] {
    const services = this.services();
    const slices = this.slices();
    return nodes.flatMap((node) => ruleMismatches(readNodeRules(this.h.sim, node), services, slices, node));
  }

  run(ms: number): void {
    this.h.run(ms);
  }

  syncsOf(node: string): number[] {
    return this.syncs.filter((s) => s.node === node).map((s) => s.at);
  }
}

export interface EndpointSpec {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  hostname?: string;
}

export function endpointSlice(name: string, service: string, endpoints: EndpointSpec[], ports: { name?: string; port: number; protocol?: string }[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.node ? { nodeName: e.node } : {}),
      ...(e.hostname ? { hostname: e.hostname } : {}),
    })),
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: (p.protocol ?? 'TCP') as 'TCP' })),
  };
}
