// The EndpointSlice reconciler (k8s.io/endpointslice reconciler.go) for one Service: keep the endpoints
// of unchanged slices where they are, update slices whose endpoints changed or left, fill slices being
// updated before opening new ones, at most 100 endpoints per slice, a placeholder slice when there are
// no endpoints, and turn a create plus a delete into an update.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import { SERVICE_NAME_LABEL } from '../informers.ts';
import { HEADLESS_LABEL, isServiceIPSet } from '../service-util.ts';
import { endpointKey, portMapKey, type Desired } from './endpoints.ts';

export const MAX_ENDPOINTS_PER_SLICE = 100;
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

export interface SliceChanges {
  readonly create: EndpointSlice[];
  readonly update: EndpointSlice[];
  readonly delete: EndpointSlice[];
}

const RESERVED = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]);

/** setEndpointSliceLabels: the Service's labels plus the reserved ones. */
export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata?.labels ?? {})) if (!RESERVED.has(k)) labels[k] = v;
  if (!isServiceIPSet(service)) labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = service.metadata?.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

export function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Service' && r.apiVersion === 'v1' && r.uid === service.metadata?.uid);
}

export function newEndpointSlice(service: Service, ports: readonly EndpointPort[]): EndpointSlice {
  const name = service.metadata?.name ?? '';
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${name}-`,
      namespace: service.metadata?.namespace,
      labels: sliceLabels(service),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: service.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    ports: [...ports],
    endpoints: [],
  };
}

const isPlaceholder = (slice: EndpointSlice) => (slice.endpoints ?? []).length === 0 && (slice.ports ?? []).length === 0;
const sameLabels = (slice: EndpointSlice, labels: Record<string, string>) => canonicalJson(slice.metadata?.labels ?? {}) === canonicalJson(labels);

/** getSliceToFill: the unchanged slice the remaining endpoints fill most exactly. */
function sliceToFill(slices: readonly EndpointSlice[], count: number): EndpointSlice | undefined {
  let closestDiff = MAX_ENDPOINTS_PER_SLICE;
  let closest: EndpointSlice | undefined;
  for (const slice of slices) {
    const diff = MAX_ENDPOINTS_PER_SLICE - (count + (slice.endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = slice;
      if (diff === 0) break;
    }
  }
  return closest;
}

function reconcileByPortMapping(service: Service, existing: readonly EndpointSlice[], desired: Map<string, Endpoint>, ports: readonly EndpointPort[]): SliceChanges {
  const labels = sliceLabels(service);
  const left = new Map(desired);
  const byName = new Map<string, EndpointSlice>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: EndpointSlice[] = [];
  // 1. Keep desired endpoints where they are (refreshed); drop the ones no longer desired.
  for (const slice of existing) {
    const name = slice.metadata?.name ?? '';
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const endpoint of slice.endpoints ?? []) {
      const key = endpointKey(endpoint);
      const want = left.get(key);
      if (!want) continue;
      kept.push(want);
      if (canonicalJson(want) !== canonicalJson(endpoint)) changed = true;
      left.delete(key);
    }
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.push(slice);
      else {
        byName.set(name, { ...slice, metadata: { ...slice.metadata, labels }, endpoints: kept });
        toUpdate.push(name);
      }
    } else if (!sameLabels(slice, labels)) {
      byName.set(name, { ...slice, metadata: { ...slice.metadata, labels } });
      toUpdate.push(name);
    } else {
      unchanged.push(name);
    }
  }
  const pop = (): Endpoint => {
    const [key, endpoint] = left.entries().next().value as [string, Endpoint];
    left.delete(key);
    return endpoint;
  };
  // 2. Fill the slices being updated anyway, fullest first.
  const updating = toUpdate.map((n) => byName.get(n)!).sort((a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length);
  for (const slice of updating) {
    const endpoints = [...(slice.endpoints ?? [])];
    while (left.size > 0 && endpoints.length < MAX_ENDPOINTS_PER_SLICE) endpoints.push(pop());
    byName.set(slice.metadata?.name ?? '', { ...slice, endpoints });
  }
  // 3. The rest into one unchanged slice that fits them, or new slices.
  const create: EndpointSlice[] = [];
  while (left.size > 0) {
    let fill: EndpointSlice | undefined;
    if (left.size < MAX_ENDPOINTS_PER_SLICE && unchanged.length > 0) fill = sliceToFill(unchanged.map((n) => byName.get(n)!), left.size);
    const slice = fill ? { ...fill, endpoints: [...(fill.endpoints ?? [])] } : newEndpointSlice(service, ports);
    while (left.size > 0 && slice.endpoints.length < MAX_ENDPOINTS_PER_SLICE) slice.endpoints.push(pop());
    if (fill) {
      const name = fill.metadata?.name ?? '';
      byName.set(name, slice);
      toUpdate.push(name);
      unchanged.splice(unchanged.indexOf(name), 1);
    } else {
      create.push(slice);
    }
  }
  return { create, update: toUpdate.map((n) => byName.get(n)!), delete: toDelete };
}

/** reconcileByAddressType (IPv4) and finalize's create-to-update folding. */
export function reconcileSlices(service: Service, desired: Desired, existing: readonly EndpointSlice[]): SliceChanges {
  const create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  const remove: EndpointSlice[] = [];
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (slice.addressType !== 'IPv4' || !ownedBy(slice, service)) {
      remove.push(slice);
      continue;
    }
    const key = portMapKey(slice.ports ?? []);
    byPorts.set(key, [...(byPorts.get(key) ?? []), slice]);
  }
  for (const [key, group] of desired.groups) {
    const changes = reconcileByPortMapping(service, byPorts.get(key) ?? [], group.endpoints, group.ports);
    create.push(...changes.create);
    update.push(...changes.update);
    remove.push(...changes.delete);
  }
  for (const [key, slices] of byPorts) if (!desired.groups.has(key)) remove.push(...slices);
  // No endpoints at all: one placeholder slice (kept if it is already there).
  const ipv4 = existing.filter((s) => s.addressType === 'IPv4');
  if (ipv4.length === remove.filter((s) => s.addressType === 'IPv4').length && create.length === 0) {
    const placeholder = remove.length === 1 && isPlaceholder(remove[0]) && ownedBy(remove[0], service) && sameLabels(remove[0], sliceLabels(service));
    if (placeholder) remove.splice(0, 1);
    else create.push(newEndpointSlice(service, []));
  }
  // A create and a delete of an owned slice become one update of that slice.
  while (create.length > 0) {
    const i = remove.findIndex((s) => s.addressType === 'IPv4' && ownedBy(s, service));
    if (i < 0) break;
    const [old] = remove.splice(i, 1);
    const slice = create.pop()!;
    update.push({ ...slice, metadata: { ...old.metadata, labels: slice.metadata?.labels } });
  }
  return { create, update, delete: remove };
}
