// ESR for Services: the Endpoints object and the EndpointSlices list exactly the pods the selector picks —
// ready ones as ready, the rest as not ready — on exactly the ports the Service's targetPorts resolve to;
// and every live node's kube-proxy rules send each service port to exactly its ready endpoints.
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ruleMismatches } from '../../network/rule-endpoints.ts';
import { isReady, isTerminal, isTerminating, listNames, podIPv4, selectorMatches, targetPortOn } from './pods.ts';
import { describeObject, type ClusterView } from './view.ts';
import { violation, type Violation } from './violation.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** One (address, port) a Service publishes: "10.244.1.5:80/TCP" ("10.244.1.5" for a port-less headless Service). */
type EndpointKey = string;

interface Published {
  readonly ready: Set<EndpointKey>;
  readonly notReady: Set<EndpointKey>;
  /** Which pod an address belongs to, for readable messages. */
  readonly podOf: Map<string, string>;
}

const key = (ip: string, port?: { port?: number; protocol?: string; name?: string }): EndpointKey =>
  port === undefined ? ip : `${ip}:${port.port}/${port.protocol ?? 'TCP'}${port.name ? ` (${port.name})` : ''}`;

function hasSelector(svc: Service): boolean {
  return svc.spec?.selector != null && svc.spec?.type !== 'ExternalName';
}

function selectedPods(svc: Service, view: ClusterView): Pod[] {
  const ns = svc.metadata?.namespace ?? '';
  const selector = svc.spec?.selector ?? {};
  return view.objects.pods.filter((p) => (p.metadata?.namespace ?? '') === ns && selectorMatches({ matchLabels: selector }, p.metadata?.labels));
}

/**
 * What a correct controller publishes. `terminating`: EndpointSlices keep terminating pods (not ready),
 * Endpoints drop them. Either way publishNotReadyAddresses makes everything ready.
 */
function expected(svc: Service, pods: readonly Pod[], view: ClusterView, terminating: 'keep' | 'drop'): Published {
  const out: Published = { ready: new Set(), notReady: new Set(), podOf: new Map() };
  const publishAll = svc.spec?.publishNotReadyAddresses === true;
  const nodes = new Set(view.objects.nodes.map((n) => n.metadata?.name));
  const ports = svc.spec?.ports ?? [];
  for (const pod of pods) {
    const ip = podIPv4(pod);
    if (isTerminal(pod) || !ip) continue;
    if (isTerminating(pod) && terminating === 'drop' && !publishAll) continue;
    // The EndpointSlice controller skips pods whose node it does not know (and retries).
    if (terminating === 'keep' && !publishAll && !nodes.has(pod.spec?.nodeName)) continue;
    const ready = publishAll || (isReady(pod) && !isTerminating(pod));
    const into = ready ? out.ready : out.notReady;
    out.podOf.set(ip, `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
    if (ports.length === 0) {
      if (svc.spec?.clusterIP === 'None') into.add(key(ip));
      continue;
    }
    for (const sp of ports) {
      const port = targetPortOn(pod, sp);
      if (port !== undefined) into.add(key(ip, { port, protocol: sp.protocol, name: sp.name }));
    }
  }
  return out;
}

function describeKey(k: EndpointKey, podOf: Map<string, string>): string {
  const ip = k.split(':')[0].split(' ')[0];
  const pod = podOf.get(ip);
  return pod ? `${k} (${pod})` : k;
}

/** Differences between what is published and what should be, as sentence fragments. */
function differences(what: string, have: Published, want: Published): string[] {
  const out: string[] = [];
  const podOf = new Map([...have.podOf, ...want.podOf]);
  const diff = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();
  const say = (list: string[], text: string) => {
    if (list.length > 0) out.push(`${what} ${text}: ${listNames(list.map((k) => describeKey(k, podOf)))}`);
  };
  say(diff(have.ready, want.ready).filter((k) => want.notReady.has(k)), 'lists not-ready endpoints as ready');
  say(diff(have.ready, want.ready).filter((k) => !want.notReady.has(k)), 'lists ready endpoints that no selected pod has');
  say(diff(have.notReady, want.notReady).filter((k) => want.ready.has(k)), 'lists ready endpoints as not ready');
  say(diff(have.notReady, want.notReady).filter((k) => !want.ready.has(k)), 'lists not-ready endpoints that no selected pod has');
  say(diff(want.ready, have.ready).filter((k) => !have.notReady.has(k)), 'is missing ready endpoints');
  say(diff(want.notReady, have.notReady).filter((k) => !have.ready.has(k)), 'is missing not-ready endpoints');
  return out;
}

function fromEndpoints(ep: Endpoints): Published {
  const out: Published = { ready: new Set(), notReady: new Set(), podOf: new Map() };
  for (const subset of ep.subsets ?? []) {
    const ports = subset.ports ?? [];
    const add = (into: Set<string>, addresses: typeof subset.addresses) => {
      for (const a of addresses ?? []) {
        if (a.targetRef?.kind === 'Pod') out.podOf.set(a.ip, `pod ${a.targetRef.namespace}/${a.targetRef.name}`);
        if (ports.length === 0) into.add(key(a.ip));
        for (const p of ports) into.add(key(a.ip, p));
      }
    };
    add(out.ready, subset.addresses);
    add(out.notReady, subset.notReadyAddresses);
  }
  return out;
}

function fromSlices(slices: readonly EndpointSlice[], duplicates: string[]): Published {
  const out: Published = { ready: new Set(), notReady: new Set(), podOf: new Map() };
  for (const slice of slices) {
    const ports = slice.ports ?? [];
    for (const e of slice.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip) continue;
      if (e.targetRef?.kind === 'Pod') out.podOf.set(ip, `pod ${e.targetRef.namespace}/${e.targetRef.name}`);
      const ready = e.conditions?.ready ?? true;
      const keys = ports.length === 0 ? [key(ip)] : ports.map((p) => key(ip, { port: p.port ?? undefined, protocol: p.protocol, name: p.name }));
      for (const k of keys) {
        if (out.ready.has(k) || out.notReady.has(k)) duplicates.push(k);
        (ready ? out.ready : out.notReady).add(k);
      }
    }
  }
  return out;
}

export function slicesOf(svc: Service, view: ClusterView): EndpointSlice[] {
  const ns = svc.metadata?.namespace ?? '';
  return view.objects.endpointslices.filter((s) =>
    (s.metadata?.namespace ?? '') === ns && s.metadata?.labels?.[SERVICE_NAME_LABEL] === svc.metadata?.name && s.addressType === 'IPv4');
}

export function checkService(svc: Service, view: ClusterView): Violation[] {
  const object = describeObject('Service', svc);
  const at = view.time;
  const out: Violation[] = [];
  if (svc.metadata?.deletionTimestamp) return [violation('stuck-deletion', object, `is still being deleted (since ${svc.metadata.deletionTimestamp}).`, at)];
  if (!hasSelector(svc)) return out;
  const pods = selectedPods(svc, view);
  const ns = svc.metadata?.namespace ?? '';
  const ep = view.objects.endpoints.find((e) => (e.metadata?.namespace ?? '') === ns && e.metadata?.name === svc.metadata?.name);
  if (!ep) out.push(violation('service-endpoints', object, 'has no Endpoints object.', at));
  else {
    for (const d of differences('its Endpoints', fromEndpoints(ep), expected(svc, pods, view, 'drop'))) out.push(violation('service-endpoints', object, `${d}.`, at));
  }
  const duplicates: string[] = [];
  const sliced = fromSlices(slicesOf(svc, view), duplicates);
  for (const d of differences('its EndpointSlices', sliced, expected(svc, pods, view, 'keep'))) out.push(violation('service-endpointslices', object, `${d}.`, at));
  if (duplicates.length > 0) out.push(violation('service-endpointslices', object, `has endpoints listed in more than one EndpointSlice: ${listNames([...new Set(duplicates)])}.`, at));
  return out;
}

/**
 * Every live node with a kube-proxy (a key in `view.rules`) programs each service port's cluster IP to
 * exactly the ready endpoints in the API (src/network's independent reading of the rules).
 */
export function checkKubeProxyRules(view: ClusterView): Violation[] {
  const out: Violation[] = [];
  const services = view.objects.services.filter((s) => !s.metadata?.deletionTimestamp);
  for (const node of Object.keys(view.rules).sort()) {
    if (!view.liveNodes.has(node)) continue;
    const rules = view.rules[node];
    const object = `Node ${node}`;
    const problems = ruleMismatches(rules, services, view.objects.endpointslices, node);
    if (!rules && problems.length > 0) {
      out.push(violation('kube-proxy-rules', object, 'is up but its kube-proxy has never written any rules.', view.time));
      continue;
    }
    for (const p of problems) out.push(violation('kube-proxy-rules', object, `has stale kube-proxy rules: ${p.replace(`${node}: `, '')}.`, view.time));
  }
  return out;
}
