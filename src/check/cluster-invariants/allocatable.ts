// Safety: a node's allocatable is never exceeded by the requests of the pods bound to it. Requests are
// counted as the scheduler counts them (resourcehelper.PodRequests: app containers and sidecars, the
// largest init container, pod overhead); every pod bound to the node that has not finished counts,
// terminating ones included (they hold their resources until they are gone).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequests, resourceFromList, type Resource } from '../../scheduler/resources.ts';
import { listNames } from '../convergence/pods.ts';
import type { ClusterView } from '../convergence/view.ts';
import { violation, type Violation } from '../convergence/violation.ts';

const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

function formatAmount(resource: string, value: number): string {
  if (resource === 'cpu') return `${value}m`;
  if (resource === 'memory' || resource === 'ephemeral-storage') return value % 1048576 === 0 ? `${value / 1048576}Mi` : String(value);
  return String(value);
}

export function checkNodeAllocatable(view: ClusterView): Violation[] {
  const out: Violation[] = [];
  const byNode = new Map<string, Pod[]>();
  for (const pod of view.objects.pods) {
    const node = pod.spec?.nodeName;
    if (node && !isTerminal(pod)) byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  for (const node of view.objects.nodes) {
    const name = node.metadata?.name ?? '';
    const pods = byNode.get(name) ?? [];
    if (pods.length === 0) continue;
    const listed = node.status?.allocatable ?? node.status?.capacity ?? {};
    const allocatable = resourceFromList(listed);
    let requested: Resource = { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: pods.length, scalar: {} };
    for (const pod of pods) {
      const r = podRequests(pod);
      const scalar = { ...requested.scalar };
      for (const [k, v] of Object.entries(r.scalar)) scalar[k] = (scalar[k] ?? 0) + v;
      requested = { ...requested, milliCPU: requested.milliCPU + r.milliCPU, memory: requested.memory + r.memory, ephemeralStorage: requested.ephemeralStorage + r.ephemeralStorage, scalar };
    }
    // Only the resources the node lists are bounded (a node without an ephemeral-storage figure is not
    // judged on it); extended resources the node does not list have an allocatable of zero.
    const over: string[] = [];
    const compare = (resource: string, want: number, have: number, bounded: boolean) => {
      if (!bounded || want <= have) return;
      over.push(resource === 'pods' ? `${want} pods exceed allocatable pods ${have}` : `${resource} requests ${formatAmount(resource, want)} exceed allocatable ${formatAmount(resource, have)}`);
    };
    compare('cpu', requested.milliCPU, allocatable.milliCPU, 'cpu' in listed);
    compare('memory', requested.memory, allocatable.memory, 'memory' in listed);
    compare('ephemeral-storage', requested.ephemeralStorage, allocatable.ephemeralStorage, 'ephemeral-storage' in listed);
    compare('pods', requested.allowedPodNumber, allocatable.allowedPodNumber, 'pods' in listed);
    for (const [k, v] of Object.entries(requested.scalar)) compare(k, v, allocatable.scalar[k] ?? 0, true);
    if (over.length > 0) {
      const names = pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
      out.push(violation('node-allocatable', `Node ${name}`, `is overcommitted: ${over.join('; ')} (pods ${listNames(names, 8)}).`, view.time));
    }
  }
  return out;
}
