// Review samples for the leader-elected machines (kube-scheduler, kube-controller-manager): the Lease API's
// answers to their elector, so model-based exploration reaches the leading states.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { leaseSpecFromRecord, recordFromLease, type ElectorState } from '../client/leader-election.ts';

/**
 * What a Lease API would answer to the elector's request in flight, for review samples: NotFound to a
 * get (so it creates the Lease), success to a write. Empty when nothing is in flight.
 */
export function electorAnswers(s: ElectorState | undefined): { requestId: string; code: number; body: unknown }[] {
  const call = s?.call;
  if (!s || !call) return [];
  const { namespace, name } = s.config;
  if (call.step === 'get') {
    return [{ requestId: call.requestId, code: 404, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', message: `leases.coordination.k8s.io "${name}" not found`, details: { name, group: 'coordination.k8s.io', kind: 'leases' }, code: 404 } }];
  }
  const lease: Lease = {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, resourceVersion: String(s.seq + 1) },
    spec: leaseSpecFromRecord(call.record ?? recordFromLease(undefined)),
  };
  return [{ requestId: call.requestId, code: call.step === 'create' ? 201 : 200, body: lease }];
}
