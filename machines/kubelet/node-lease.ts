// The node lease controller (component-helpers/apimachinery/lease): renew the Lease kube-node-lease/<node>
// every renewInterval = 0.25 × nodeLeaseDurationSeconds = 10 s (jittered by 4 %, measured from the end of the
// previous renewal), optimistically from the last lease written; when that fails (a conflict, the lease is
// gone, the apiserver is unreachable) fall back to ensureLease: get it, or create it, backing off 200 ms → 7 s.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { createRequest, failureOf, getRequest, isNotFound, updateRequest, type ResourceTarget } from '../../src/client/index.ts';
import { microTime } from '../../src/kubelet/format.ts';
import { NODE_LEASE_DURATION_SECONDS, NODE_LEASE_RENEW_INTERVAL_MS, nodeLease } from '../../src/kubelet/node-status.ts';
import { jittered } from './node-registration.ts';
import type { CallPurpose, LeaseSync, Tx } from './state.ts';

export const LEASES: ResourceTarget = Object.freeze({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' });
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** backoffEnsureLease: 200 ms doubling to 7 s. */
export const ENSURE_LEASE_INITIAL_BACKOFF_MS = 200;
export const ENSURE_LEASE_MAX_BACKOFF_MS = 7_000;

function setLease(tx: Tx, patch: Partial<LeaseSync>): void {
  tx.update({ lease: { ...tx.state.lease, ...patch } });
}

/** Starts the lease loop (once the Node exists, so the lease gets its owner reference). */
export function startLease(tx: Tx): void {
  if (tx.state.lease.nextAt === null) setLease(tx, { nextAt: tx.now });
}

/** The lease renewed now: holder, duration, renewTime, and the Node as owner. */
function renewed(tx: Tx, lease: Lease): Lease {
  const name = tx.state.config.node.name;
  const uid = tx.state.node.uid;
  const owners = lease.metadata?.ownerReferences ?? [];
  const ownerReferences = owners.length === 0 && uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid }] : owners;
  return {
    ...lease,
    metadata: { ...lease.metadata, ...(ownerReferences.length ? { ownerReferences } : {}) },
    spec: { ...lease.spec, holderIdentity: name, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime: microTime(tx.now) },
  };
}

function update(tx: Tx, lease: Lease): void {
  tx.call({ kind: 'lease-update' }, updateRequest(LEASES, tx.state.config.node.name, renewed(tx, lease), { namespace: NODE_LEASE_NAMESPACE }), NODE_LEASE_RENEW_INTERVAL_MS);
  setLease(tx, { inFlight: true });
}

function ensure(tx: Tx): void {
  tx.call({ kind: 'lease-get' }, getRequest(LEASES, tx.state.config.node.name, { namespace: NODE_LEASE_NAMESPACE }), NODE_LEASE_RENEW_INTERVAL_MS);
  setLease(tx, { inFlight: true });
}

export function leaseTimers(tx: Tx): void {
  const lease = tx.state.lease;
  if (lease.inFlight || lease.nextAt === null || tx.now < lease.nextAt) return;
  if (lease.latest) update(tx, lease.latest);
  else ensure(tx);
}

function renewedOk(tx: Tx, lease: Lease): void {
  setLease(tx, { latest: lease, inFlight: false, backoffMs: 0, nextAt: tx.now + jittered(tx, NODE_LEASE_RENEW_INTERVAL_MS) });
  tx.observe('obs.kubelet.leaseRenewed', { renewTime: lease.spec?.renewTime });
}

function backOff(tx: Tx): void {
  const backoffMs = Math.min(Math.max(tx.state.lease.backoffMs * 2, ENSURE_LEASE_INITIAL_BACKOFF_MS), ENSURE_LEASE_MAX_BACKOFF_MS);
  setLease(tx, { latest: undefined, inFlight: false, backoffMs, nextAt: tx.now + backoffMs });
}

/** Answers to lease calls (undefined: timed out). */
export function onLeaseAnswer(tx: Tx, purpose: CallPurpose, message: ApiResponseMessage | undefined): void {
  const failure = message === undefined ? { code: 504, reason: 'Timeout', message: 'timed out' } : failureOf(message);
  const body = message?.body as Lease | undefined;
  switch (purpose.kind) {
    case 'lease-update':
      if (!failure) return renewedOk(tx, body!);
      // "failed to update lease using latest lease, fallback to ensure lease"
      setLease(tx, { latest: undefined, inFlight: false });
      return ensure(tx);
    case 'lease-get':
      if (!failure) return update(tx, body!);
      if (isNotFound(failure)) {
        const lease = nodeLease(tx.state.config.node.name, tx.now, tx.state.node.uid);
        tx.call({ kind: 'lease-create' }, createRequest(LEASES, lease, { namespace: NODE_LEASE_NAMESPACE }), NODE_LEASE_RENEW_INTERVAL_MS);
        return;
      }
      return backOff(tx);
    case 'lease-create':
      // A lease just created needs no renewal until the next period.
      if (!failure) return renewedOk(tx, body!);
      return backOff(tx);
    default:
  }
}

export function leaseDeadline(lease: LeaseSync): number {
  return lease.inFlight || lease.nextAt === null ? Infinity : lease.nextAt;
}
