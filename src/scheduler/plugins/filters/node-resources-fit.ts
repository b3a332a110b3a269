// NodeResourcesFit (filter): pod count, then cpu, memory, ephemeral-storage and scalar resources
// against allocatable minus what bound and assumed pods already request. Every shortfall is a
// separate reason; all are Unschedulable (preemption might help) in 1.30.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../snapshot.ts';
import { podRequests, type Resource } from '../../resources.ts';
import { PASS, fail, type FilterPlugin, type FilterResult } from '../../types.ts';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';

export interface InsufficientResource {
  readonly resourceName: string;
  readonly reason: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
}

/** noderesources.fitsRequest. */
export function insufficientResources(podRequest: Resource, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: node.pods.length, capacity: alloc.allowedPodNumber });
  }
  const scalarNames = Object.keys(podRequest.scalar).filter((k) => podRequest.scalar[k] !== 0);
  if (podRequest.milliCPU === 0 && podRequest.memory === 0 && podRequest.ephemeralStorage === 0 && scalarNames.length === 0) return out;
  if (podRequest.milliCPU > 0 && podRequest.milliCPU > alloc.milliCPU - used.milliCPU) {
    out.push({ resourceName: 'cpu', reason: 'Insufficient cpu', requested: podRequest.milliCPU, used: used.milliCPU, capacity: alloc.milliCPU });
  }
  if (podRequest.memory > 0 && podRequest.memory > alloc.memory - used.memory) {
    out.push({ resourceName: 'memory', reason: 'Insufficient memory', requested: podRequest.memory, used: used.memory, capacity: alloc.memory });
  }
  if (podRequest.ephemeralStorage > 0 && podRequest.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out.push({
      resourceName: 'ephemeral-storage',
      reason: 'Insufficient ephemeral-storage',
      requested: podRequest.ephemeralStorage,
      used: used.ephemeralStorage,
      capacity: alloc.ephemeralStorage,
    });
  }
  for (const name of scalarNames) {
    const want = podRequest.scalar[name];
    const have = alloc.scalar[name] ?? 0;
    const inUse = used.scalar[name] ?? 0;
    if (want > have - inUse) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have });
  }
  return out;
}

function verdict(podRequest: Resource, node: NodeInfo): FilterResult {
  const missing = insufficientResources(podRequest, node);
  return missing.length === 0 ? PASS : fail(missing.map((m) => m.reason));
}

export function nodeResourcesFitFilter(pod: Pod, node: NodeInfo): FilterResult {
  return verdict(podRequests(pod), node);
}

export const nodeResourcesFitPlugin: FilterPlugin = {
  name: NODE_RESOURCES_FIT,
  preFilter: (pod) => {
    const request = podRequests(pod); // computed once per cycle, as PreFilter does
    return { kind: 'filter', filter: (node) => verdict(request, node) };
  },
};
