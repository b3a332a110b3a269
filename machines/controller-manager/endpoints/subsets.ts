// The subsets of a Service's Endpoints (endpoints_controller.go syncService, endpoints.RepackSubsets):
// one address per selected pod and port, ready or not ready, regrouped so every subset is a set of
// addresses that offer exactly the same ports.
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import type { Plant } from '../config.ts';
import { isPodReady } from '../pod-util.ts';
import { findPort, podIPv4s, shouldPodBeInEndpoints, shouldSetHostname } from '../service-util.ts';

interface Entry {
  readonly address: EndpointAddress;
  readonly port?: EndpointPort;
  readonly ready: boolean;
}

function addressOf(pod: Pod, service: Service): EndpointAddress | undefined {
  const ip = podIPv4s(pod)[0];
  if (!ip) return undefined;
  const address: EndpointAddress = {
    ip,
    nodeName: pod.spec?.nodeName ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (shouldSetHostname(pod, service)) address.hostname = pod.spec?.hostname;
  return address;
}

/** Every (address, port) the Service's pods offer, before repacking. */
function entries(service: Service, pods: readonly Pod[], plant: Plant | undefined): Entry[] {
  const tolerateUnready = service.spec?.publishNotReadyAddresses === true;
  const out: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const address = addressOf(pod, service);
    if (!address) continue;
    // The planted bug publishes every pod as ready.
    const ready = tolerateUnready || isPodReady(pod) || plant === 'endpoints-include-unready';
    const ports = service.spec?.ports ?? [];
    if (ports.length === 0) {
      // A headless Service may have no ports.
      if (service.spec?.clusterIP === 'None') out.push({ address, ready });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const epp: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name === undefined || sp.name === '') delete epp.name;
      if (sp.appProtocol) epp.appProtocol = sp.appProtocol;
      out.push({ address, port: epp, ready });
    }
  }
  return out;
}

const addressKey = (a: EndpointAddress) => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
const byIpThenUid = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');

/** RepackSubsets: group ports by the exact set of (address, readiness) offering them; sorted. */
export function repackSubsets(list: readonly Entry[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  // port (canonical JSON, or "" for none) → address key → ready (ready wins over not ready).
  const byPort = new Map<string, { port?: EndpointPort; ready: Map<string, boolean> }>();
  for (const e of list) {
    const ak = addressKey(e.address);
    if (!addresses.has(ak)) addresses.set(ak, e.address);
    const pk = e.port ? canonicalJson(e.port) : '';
    let group = byPort.get(pk);
    if (!group) byPort.set(pk, (group = { port: e.port, ready: new Map() }));
    if (!group.ready.get(ak)) group.ready.set(ak, e.ready);
  }
  const bySet = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const key = canonicalJson([...ready.entries()].sort(([a], [b]) => a.localeCompare(b)));
    let group = bySet.get(key);
    if (!group) bySet.set(key, (group = { ready, ports: [] }));
    if (port) group.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const { ready, ports } of bySet.values()) {
    const readyAddrs = [...ready.entries()].filter(([, r]) => r).map(([k]) => addresses.get(k)!).sort(byIpThenUid);
    const notReady = [...ready.entries()].filter(([, r]) => !r).map(([k]) => addresses.get(k)!).sort(byIpThenUid);
    const subset: EndpointSubset = {};
    if (readyAddrs.length > 0) subset.addresses = readyAddrs;
    if (notReady.length > 0) subset.notReadyAddresses = notReady;
    if (ports.length > 0) subset.ports = [...ports].sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
    subsets.push(subset);
  }
  return subsets.sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
}

export function endpointSubsets(service: Service, pods: readonly Pod[], plant?: Plant): EndpointSubset[] {
  return repackSubsets(entries(service, pods, plant));
}

/** endpointSubsetsEqualIgnoreResourceVersion. */
export function subsetsEqual(a: readonly EndpointSubset[] | undefined, b: readonly EndpointSubset[]): boolean {
  const strip = (subsets: readonly EndpointSubset[]) => subsets.map((s) => ({
    ...s,
    addresses: s.addresses?.map((x) => ({ ...x, targetRef: x.targetRef && { ...x.targetRef, resourceVersion: undefined } })),
    notReadyAddresses: s.notReadyAddresses?.map((x) => ({ ...x, targetRef: x.targetRef && { ...x.targetRef, resourceVersion: undefined } })),
  }));
  return canonicalJson(strip(a ?? [])) === canonicalJson(strip(b));
}
