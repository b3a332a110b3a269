// Service address allocation inside the create and update flows, kept consistent through etcd alone so it
// survives apiserver restarts and holds across several apiservers:
//
//  1. one Txn reads every stored Service together with the mod revisions of the range keys
//     (/registry/ranges/serviceips, /registry/ranges/servicenodeports) at a single revision;
//  2. the allocators choose from what those Services hold (service-allocation.ts);
//  3. the Service is created by a Txn that also rewrites each range key it allocated from, on condition
//     that the key is unchanged since step 1 (and that the Service does not exist yet).
//
// Two creates that raced from the same snapshot cannot both commit: the loser re-reads and chooses again
// (or answers 422 for a value the client asked for that is now taken).
// Releasing is deleting the Service: the next scan no longer sees its addresses. Upstream instead keeps a
// bitmap in those RangeAllocation keys and repairs leaks with a controller; deriving the bitmap from the
// Services needs no repair.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { KeyValue, RangeResult, TxnOp, TxnResult } from '../../etcd/protocol.ts';
import { prefixEnd } from '../../etcd/mvcc/index.ts';
import { ApiError } from '../errors.ts';
import { conflict } from '../protocol.ts';
import { decodeFromStorage, encodeForStorage, type KubeObject } from '../objects.ts';
import type { Effect, EtcdOutcome, Scope } from '../flows/effects.ts';
import { guardShape } from '../flows/pipeline.ts';
import { invoke, outcomeStatus } from '../flows/storage.ts';
import { allocateCreate, allocateUpdate, allocatorsNeeded, normalizeClusterIPs, updateNeeds, usageOf, withAllocatedFields } from './service-allocation.ts';
import { SERVICE_CLUSTER_IP_RANGE, SERVICE_IPS_KEY, SERVICE_NODE_PORTS_KEY, SERVICE_NODE_PORT_RANGE } from './ranges.ts';

const SERVICES_PREFIX = '/registry/services/specs/';
// Every round of a race commits one create, so this bounds only pathological starvation.
const MAX_ATTEMPTS = 64;

/** A create that allocates: the request as admitted, the object with its addresses, and what guards it. */
export interface PendingAllocation {
  readonly request: Service;
  readonly object: KubeObject;
  /** Range keys this create allocates from → their mod revision when the Services were read. */
  readonly guards: Readonly<Record<string, number>>;
}

export type ServiceCreateResult = { created: true; revision: number; object: KubeObject } | { created: false };

export function isServiceResource(resource: { group: string; plural: string }): boolean {
  return resource.group === '' && resource.plural === 'services';
}

interface Snapshot {
  services: Service[];
  modRevisions: Record<string, number>;
}

function expectTxn(outcome: EtcdOutcome): TxnResult {
  if (outcome.status !== 'ok') throw new ApiError(outcomeStatus(outcome));
  return outcome.result as TxnResult;
}

function rangeOf(result: TxnResult, index: number): KeyValue[] {
  return (result.responses[index]?.result as RangeResult | undefined)?.kvs ?? [];
}

/** Every stored Service and the range keys' mod revisions, at one revision. */
function* readSnapshot(): Generator<Effect, Snapshot, unknown> {
  const result = expectTxn(yield* invoke({
    op: 'txn', compare: [],
    success: [
      { op: 'range', key: SERVICE_IPS_KEY },
      { op: 'range', key: SERVICE_NODE_PORTS_KEY },
      { op: 'range', key: SERVICES_PREFIX, rangeEnd: prefixEnd(SERVICES_PREFIX) },
    ],
    failure: [],
  }));
  const modRevisions = {
    [SERVICE_IPS_KEY]: rangeOf(result, 0)[0]?.modRevision ?? 0,
    [SERVICE_NODE_PORTS_KEY]: rangeOf(result, 1)[0]?.modRevision ?? 0,
  };
  const services = rangeOf(result, 2).flatMap((kv) => {
    const svc = decodeFromStorage(kv.value, kv.modRevision);
    return svc ? [svc as Service] : [];
  });
  return { services, modRevisions };
}

function plan(request: Service, snapshot: Snapshot, random: () => number): { service: Service; guards: Record<string, number> } {
  const result = guardShape(request as KubeObject, () => allocateCreate(request, usageOf(snapshot.services), random));
  const guards: Record<string, number> = {};
  if (result.usesIPs) guards[SERVICE_IPS_KEY] = snapshot.modRevisions[SERVICE_IPS_KEY];
  if (result.usesNodePorts) guards[SERVICE_NODE_PORTS_KEY] = snapshot.modRevisions[SERVICE_NODE_PORTS_KEY];
  return { service: result.service, guards };
}

/**
 * BeginCreate for Services (after admission and the strategy's PrepareForCreate, before validation):
 * undefined for other resources, else the object with its cluster IP and node ports. Throws ApiError.
 */
export function* beginServiceAllocation(s: Scope, obj: KubeObject): Generator<Effect, PendingAllocation | undefined, unknown> {
  if (!isServiceResource(s.target.resource)) return undefined;
  const request = normalizeClusterIPs(obj as Service);
  const needed = guardShape(obj, () => allocatorsNeeded(request));
  if (!needed.ips && !needed.nodePorts) {
    // Nothing to allocate (ExternalName, headless without node ports); allocateCreate still pre-validates.
    const { service } = plan(request, { services: [], modRevisions: {} }, () => 0);
    return { request, object: withAllocatedFields(obj, service), guards: {} };
  }
  const { service, guards } = plan(request, yield* readSnapshot(), () => s.env.random());
  return { request, object: withAllocatedFields(obj, service), guards };
}

/** The range key's value: upstream's RangeAllocation object, minus the bitmap (derived from the Services). */
function rangeAllocation(key: string): string {
  const range = key === SERVICE_IPS_KEY ? SERVICE_CLUSTER_IP_RANGE.cidr.text : SERVICE_NODE_PORT_RANGE.text;
  return JSON.stringify({ kind: 'RangeAllocation', apiVersion: 'v1', metadata: {}, range });
}

/** Creates the Service and claims its addresses in one Txn; re-plans when another create got in first. */
export function* commitServiceCreate(s: Scope, key: string, obj: KubeObject, pending: PendingAllocation): Generator<Effect, ServiceCreateResult, unknown> {
  let object = obj;
  let guards = pending.guards;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const rangeKeys = Object.keys(guards);
    const success: TxnOp[] = [{ op: 'put', key, value: encodeForStorage(object) }, ...rangeKeys.map((k): TxnOp => ({ op: 'put', key: k, value: rangeAllocation(k) }))];
    const result = expectTxn(yield* invoke({
      op: 'txn',
      compare: [
        { key, target: 'CREATE', result: 'EQUAL', operand: 0 },
        ...rangeKeys.map((k) => ({ key: k, target: 'MOD' as const, result: 'EQUAL' as const, operand: guards[k] })),
      ],
      success,
      failure: [{ op: 'range', key }],
    }));
    if (result.succeeded) return { created: true, revision: result.header.revision, object };
    if (rangeOf(result, 0).length > 0) return { created: false };
    const replanned = plan(pending.request, yield* readSnapshot(), () => s.env.random());
    object = withAllocatedFields(object, replanned.service);
    guards = replanned.guards;
  }
  throw new ApiError(conflict(s.target.resource.group, s.target.resource.plural, obj.metadata?.name ?? ''));
}

/** An update that allocates: the object with its new addresses, and the range keys that guard them. */
export interface PendingUpdateAllocation {
  readonly object: KubeObject;
  readonly guards: Readonly<Record<string, number>>;
}

/**
 * BeginUpdate for Services (after validation, as upstream's hook runs): undefined unless the update needs
 * new addresses (most do not, and read nothing). Throws ApiError for a node port that is taken.
 */
export function* beginServiceUpdateAllocation(s: Scope, current: KubeObject, next: KubeObject): Generator<Effect, PendingUpdateAllocation | undefined, unknown> {
  if (!isServiceResource(s.target.resource) || s.target.subresource) return undefined;
  const old = current as Service;
  const updated = normalizeClusterIPs(next as Service);
  const needed = guardShape(next, () => updateNeeds(old, updated));
  if (!needed.ips && !needed.nodePorts) return undefined;
  const snapshot = yield* readSnapshot();
  const self = `${old.metadata?.namespace}/${old.metadata?.name}`;
  const others = snapshot.services.filter((svc) => `${svc.metadata?.namespace}/${svc.metadata?.name}` !== self);
  const result = guardShape(next, () => allocateUpdate(old, updated, usageOf(others), () => s.env.random()));
  if (!result) return undefined;
  const guards: Record<string, number> = {};
  if (result.usesIPs) guards[SERVICE_IPS_KEY] = snapshot.modRevisions[SERVICE_IPS_KEY];
  if (result.usesNodePorts) guards[SERVICE_NODE_PORTS_KEY] = snapshot.modRevisions[SERVICE_NODE_PORTS_KEY];
  return { object: withAllocatedFields(next, result.service), guards };
}

/**
 * The update's write: MOD(key) == the revision read, and each range key unchanged since the scan.
 * `lost: 'object'` is the usual lost race; `lost: 'range'` means another allocation got in first (the
 * caller re-reads and re-plans, even for a conditional update).
 */
export function* commitServiceUpdate(key: string, value: string, modRevision: number, pending: PendingUpdateAllocation): Generator<Effect, { revision: number } | { lost: 'object' | 'range' }, unknown> {
  const rangeKeys = Object.keys(pending.guards);
  const result = expectTxn(yield* invoke({
    op: 'txn',
    compare: [
      { key, target: 'MOD', result: 'EQUAL', operand: modRevision },
      ...rangeKeys.map((k) => ({ key: k, target: 'MOD' as const, result: 'EQUAL' as const, operand: pending.guards[k] })),
    ],
    success: [{ op: 'put', key, value }, ...rangeKeys.map((k): TxnOp => ({ op: 'put', key: k, value: rangeAllocation(k) }))],
    failure: [{ op: 'range', key }],
  }));
  if (result.succeeded) return { revision: result.header.revision };
  return { lost: rangeOf(result, 0)[0]?.modRevision === modRevision ? 'range' : 'object' };
}
