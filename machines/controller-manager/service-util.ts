// What the Endpoints and EndpointSlice controllers share (endpointslice/util, podutil): which Services
// select a pod, which pod changes matter to them, whether a pod belongs in endpoints at all, and how a
// Service port resolves to a container port.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../src/api/index.ts';
import { listNamespace, metaNamespaceKey, type Delta, type InformerState } from '../../src/client/index.ts';
import { isPodReady } from './pod-util.ts';

/** The Service's selector as a label set; undefined (not {}) means "no selector": endpoints are the user's. */
export function serviceSelects(service: Service, pod: Pod): boolean {
  const selector = service.spec?.selector;
  if (!selector) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** GetPodServiceMemberships: keys of the Services in the pod's namespace whose selector matches it. */
export function servicesForPod(services: InformerState<Service>, pod: Pod): Set<string> {
  return new Set(listNamespace(services, pod.metadata?.namespace ?? '').filter((s) => serviceSelects(s, pod)).map(metaNamespaceKey));
}

function podIPs(pod: Pod): string[] {
  const listed = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  return listed.length > 0 ? listed : pod.status?.podIP ? [pod.status.podIP] : [];
}

/** podEndpointsChanged: [anything an endpoint shows changed, labels (or hostname/subdomain) changed]. */
function podEndpointsChanged(old: Pod, cur: Pod): [boolean, boolean] {
  const labelsChanged = canonicalJson(old.metadata?.labels ?? {}) !== canonicalJson(cur.metadata?.labels ?? {}) ||
    old.spec?.hostname !== cur.spec?.hostname || old.spec?.subdomain !== cur.spec?.subdomain;
  const changed = old.metadata?.deletionTimestamp !== cur.metadata?.deletionTimestamp || isPodReady(old) !== isPodReady(cur) ||
    canonicalJson(podIPs(old)) !== canonicalJson(podIPs(cur)) || old.status?.phase !== cur.status?.phase;
  return [changed, labelsChanged];
}

/** The Services to sync for one pod event (both controllers' addPod/updatePod/deletePod handlers). */
export function servicesForPodDelta(services: InformerState<Service>, delta: Delta<Pod>): Set<string> {
  if (delta.type === 'updated') return servicesToUpdateOnPodChange(services, delta.old, delta.object);
  return servicesForPod(services, delta.object);
}

/** GetServicesToUpdateOnPodChange. */
export function servicesToUpdateOnPodChange(services: InformerState<Service>, old: Pod, cur: Pod): Set<string> {
  if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return new Set();
  const [changed, labelsChanged] = podEndpointsChanged(old, cur);
  if (!changed && !labelsChanged) return new Set();
  const now = servicesForPod(services, cur);
  if (!labelsChanged) return now;
  const before = servicesForPod(services, old);
  // Pod changed too: every Service it was or is in; only labels: those it joined or left.
  if (changed) return new Set([...before, ...now]);
  return new Set([...before, ...now].filter((k) => before.has(k) !== now.has(k)));
}

/** ShouldPodBeInEndpoints: not terminal, has an IP, and (unless included anyway) not being deleted. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  if (podIPs(pod).length === 0) return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

/** The pod's IPv4 addresses (the model is single-stack IPv4). */
export function podIPv4s(pod: Pod): string[] {
  return podIPs(pod).filter((ip) => ip.includes('.'));
}

/** podutil.FindPort: a numeric targetPort as is; a named one from the containers' ports (same protocol). */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** ShouldSetHostname: a pod with a hostname in the Service's subdomain. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return Boolean(pod.spec?.hostname) && pod.spec?.subdomain === service.metadata?.name && service.metadata?.namespace === pod.metadata?.namespace;
}

/** helper.IsServiceIPSet: a ClusterIP that is neither empty nor "None" (not headless). */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

/** The label the controllers put on a headless Service's endpoints (v1.IsHeadlessService). */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
