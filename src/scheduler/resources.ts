// Resource accounting as the scheduler does it (framework.Resource, resourcehelper.PodRequests,
// schedutil.DefaultMilliCPURequest/DefaultMemoryRequest): integers in millicores and bytes.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantityValue, quantityMilliValue, quantityValue } from '../api/quantity.ts';

/** schedutil.DefaultMilliCPURequest: what a container without a cpu request counts as for scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** schedutil.DefaultMemoryRequest: 200Mi, likewise for memory. */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** framework.Resource. `scalar` holds extended resources, hugepages and attachable volumes. */
export interface Resource {
  readonly milliCPU: number;
  readonly memory: number;
  readonly ephemeralStorage: number;
  readonly allowedPodNumber: number;
  readonly scalar: Readonly<Record<string, number>>;
}

export const EMPTY_RESOURCE: Resource = Object.freeze({ milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: {} });

type ResourceList = Readonly<Record<string, string | number>>;

/** schedutil.IsScalarResourceName: extended ("example.com/gpu"), hugepages-*, attachable-volumes-*. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  if (name.includes('kubernetes.io/')) return true; // prefixed native resources
  return name.includes('/') && !name.startsWith('requests.');
}

// Malformed quantities cannot pass API validation; counting them as zero keeps the core total.
function milli(raw: string | number): number {
  try {
    return Number(quantityMilliValue(parseQuantityValue(raw)));
  } catch {
    return 0;
  }
}

function whole(raw: string | number): number {
  try {
    return Number(quantityValue(parseQuantityValue(raw)));
  } catch {
    return 0;
  }
}

/** framework.NewResource(rl): cpu as MilliValue, everything else as Value; unknown names ignored. */
export function resourceFromList(list: ResourceList | undefined): Resource {
  let milliCPU = 0;
  let memory = 0;
  let ephemeralStorage = 0;
  let allowedPodNumber = 0;
  const scalar: Record<string, number> = {};
  for (const [name, raw] of Object.entries(list ?? {})) {
    switch (name) {
      case 'cpu':
        milliCPU += milli(raw);
        break;
      case 'memory':
        memory += whole(raw);
        break;
      case 'ephemeral-storage':
        ephemeralStorage += whole(raw);
        break;
      case 'pods':
        allowedPodNumber += whole(raw);
        break;
      default:
        if (isScalarResourceName(name)) scalar[name] = (scalar[name] ?? 0) + whole(raw);
    }
  }
  return { milliCPU, memory, ephemeralStorage, allowedPodNumber, scalar };
}

export function addResources(a: Resource, b: Resource): Resource {
  const scalar: Record<string, number> = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar)) scalar[k] = (scalar[k] ?? 0) + v;
  return {
    milliCPU: a.milliCPU + b.milliCPU,
    memory: a.memory + b.memory,
    ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage,
    allowedPodNumber: a.allowedPodNumber + b.allowedPodNumber,
    scalar,
  };
}

function maxResources(a: Resource, b: Resource): Resource {
  const scalar: Record<string, number> = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar)) scalar[k] = Math.max(scalar[k] ?? 0, v);
  return {
    milliCPU: Math.max(a.milliCPU, b.milliCPU),
    memory: Math.max(a.memory, b.memory),
    ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
    allowedPodNumber: Math.max(a.allowedPodNumber, b.allowedPodNumber),
    scalar,
  };
}

export interface PodRequestOptions {
  /**
   * resourcehelper's NonMissingContainerRequests: a container that does not mention cpu/memory
   * at all counts the defaults (100m / 200Mi). An explicit "0" stays zero, as upstream.
   */
  readonly nonMissingDefaults?: boolean;
}

function containerRequests(c: Container, opts: PodRequestOptions): Resource {
  const requests = c.resources?.requests ?? {};
  const r = resourceFromList(requests);
  if (!opts.nonMissingDefaults) return r;
  return {
    ...r,
    milliCPU: 'cpu' in requests ? r.milliCPU : r.milliCPU + DEFAULT_MILLI_CPU_REQUEST,
    memory: 'memory' in requests ? r.memory : r.memory + DEFAULT_MEMORY_REQUEST,
  };
}

/**
 * resourcehelper.PodRequests (1.30): sum of app containers and restartable (sidecar) init
 * containers, max'd with each classic init container (plus the sidecars started before it), plus
 * spec.overhead.
 */
export function podRequests(pod: Pod, opts: PodRequestOptions = {}): Resource {
  const spec = pod.spec;
  let reqs = EMPTY_RESOURCE;
  for (const c of spec?.containers ?? []) reqs = addResources(reqs, containerRequests(c, opts));
  let sidecars = EMPTY_RESOURCE;
  let initMax = EMPTY_RESOURCE;
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, opts);
    let effective: Resource;
    if (c.restartPolicy === 'Always') {
      reqs = addResources(reqs, r);
      sidecars = addResources(sidecars, r);
      effective = sidecars;
    } else {
      effective = addResources(r, sidecars);
    }
    initMax = maxResources(initMax, effective);
  }
  reqs = maxResources(reqs, initMax);
  if (spec?.overhead !== undefined) reqs = addResources(reqs, resourceFromList(spec.overhead));
  return reqs;
}

/** NodeInfo.NonZeroRequested contribution of one pod: cpu and memory with the missing-request defaults. */
export function podNonZeroRequests(pod: Pod): { readonly milliCPU: number; readonly memory: number } {
  const r = podRequests(pod, { nonMissingDefaults: true });
  return { milliCPU: r.milliCPU, memory: r.memory };
}
