// Pod QoS class (ComputePodQOS), which the API server stamps into status.qosClass on create and
// the kubelet uses for eviction ranking.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { addQuantities, compareQuantities, isValidQuantity, parseQuantityValue, type Quantity } from './quantity.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];

function sumPositive(into: Map<string, Quantity>, list: Record<string, string> | undefined): Set<string> {
  const found = new Set<string>();
  for (const [name, raw] of Object.entries(list ?? {})) {
    if (!QOS_RESOURCES.includes(name) || !isValidQuantity(raw)) continue;
    const q = parseQuantityValue(raw);
    if (q.nanos <= 0n) continue;
    found.add(name);
    const prev = into.get(name);
    into.set(name, prev === undefined ? q : addQuantities(q, prev));
  }
  return found;
}

export function podQOSClass(pod: Pod): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const containers: Container[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of containers) {
    sumPositive(requests, c.resources?.requests);
    const limitsFound = sumPositive(limits, c.resources?.limits);
    if (!QOS_RESOURCES.every((r) => limitsFound.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || compareQuantities(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
