import fc from 'fast-check';
import type { KvRequest, WatchCreateRequest } from '../../etcd/protocol.ts';

/**
 * Client traffic for an etcd campaign, as data. Keys are laid out as kube-apiserver lays them out
 * (`/registry/<resource>/<namespace>/<name>`); every written value is unique, so a read names the write it
 * saw. Keys with leases live under their own prefix (`/registry/leases/…`), outside the ranges the
 * linearizability model checks, because lease expiry deletes them without a client operation.
 */
export interface WorkloadOp {
  at: number;
  client: number;
  request: KvRequest;
}

export interface WorkloadWatch {
  at: number;
  client: number;
  request: WatchCreateRequest;
}

export interface EtcdWorkload {
  ops: WorkloadOp[];
  watches: WorkloadWatch[];
}

/** Every key the linearizability model checks lives under this prefix. */
export const CHECKED_PREFIX = '/registry/pods/';
export const LEASED_PREFIX = '/registry/leases/kube-node-lease/';
/**
 * Nine keys, three pods in each of three namespaces. A prefix read covers one namespace, so the
 * linearizability checker joins at most three keys into one partition (a read over all keys would join
 * them all, and with many unknown outcomes the search over one big partition runs out of budget).
 */
export const NAMESPACES = ['default', 'kube-system', 'monitoring'] as const;
const PODS_PER_NAMESPACE = 3;
export const KEY_COUNT = NAMESPACES.length * PODS_PER_NAMESPACE;

export function namespacePrefix(index: number): string {
  return `${CHECKED_PREFIX}${NAMESPACES[Math.floor(index / PODS_PER_NAMESPACE) % NAMESPACES.length]}/`;
}

export function keyName(index: number): string {
  return `${namespacePrefix(index)}pod-${index}`;
}

type OpShape =
  | { kind: 'get' | 'delete'; key: number }
  | { kind: 'put'; key: number }
  | { kind: 'cas'; key: number; expectEarlier: number }
  /** A prefix read of the namespace holding `key`. */
  | { kind: 'range' | 'serializableRange'; key: number }
  | { kind: 'leaseGrant'; lease: number; ttlSeconds: number }
  | { kind: 'leasePut'; lease: number; key: number }
  | { kind: 'leaseKeepAlive' | 'leaseRevoke'; lease: number }
  | { kind: 'compact'; behind: number };

const key = fc.integer({ min: 0, max: KEY_COUNT - 1 });
const lease = fc.integer({ min: 1, max: 4 });

const opShape: fc.Arbitrary<OpShape> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cas' as const), key, expectEarlier: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('range' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('serializableRange' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leaseGrant' as const), lease, ttlSeconds: fc.integer({ min: 2, max: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leasePut' as const), lease, key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leaseKeepAlive' as const), lease }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leaseRevoke' as const), lease }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), behind: fc.integer({ min: 1, max: 30 }) }) },
);

/** What a burst does: reads (single keys and the prefix), writes and compare-and-puts. */
const burstShape: fc.Arbitrary<OpShape> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cas' as const), key, expectEarlier: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('range' as const), key }) },
);

export interface WorkloadSpace {
  clients: number;
  durationMs: number;
  /** Fewest operations (default 1). */
  minOps?: number;
  maxOps: number;
  maxWatches: number;
  /**
   * Bursts: up to this many short spells (200–1,000 ms) of dense traffic — 10–30 reads and writes from
   * every client on one or two keys. Kubernetes traffic is bursty, and a burst that meets a fault's
   * short window (two leaders for a few hundred ms) shows what a lone operation would miss. Default 0.
   */
  maxBursts?: number;
}

/** Keys a burst works on: `width` keys from `first`. */
interface Burst {
  at: number;
  spanMs: number;
  first: number;
  width: number;
  ops: { offset: number; client: number; shape: OpShape }[];
}

/** Generates timed operations and watches; values are assigned afterwards so they are unique. */
export function workloadArb(space: WorkloadSpace): fc.Arbitrary<EtcdWorkload> {
  const timed = <T>(shape: fc.Arbitrary<T>) =>
    fc.record({ at: fc.integer({ min: 0, max: space.durationMs - 1 }), client: fc.integer({ min: 0, max: space.clients - 1 }), shape });
  const watchShape = fc.record({ fromStart: fc.boolean(), prevKv: fc.boolean() });
  const burst: fc.Arbitrary<Burst> = fc.record({
    at: fc.integer({ min: 0, max: Math.max(0, space.durationMs - 1_001) }),
    spanMs: fc.integer({ min: 200, max: 1_000 }),
    first: key,
    width: fc.integer({ min: 1, max: 2 }),
    ops: fc.array(
      fc.record({ offset: fc.double({ min: 0, max: 1, noNaN: true }), client: fc.integer({ min: 0, max: space.clients - 1 }), shape: burstShape }),
      { minLength: 10, maxLength: 30 },
    ),
  });
  return fc
    .record({
      // size 'max': lengths spread over the whole range (fast-check's default keeps arrays tiny).
      ops: fc.array(timed(opShape), { minLength: space.minOps ?? 1, maxLength: space.maxOps, size: 'max' }),
      watches: fc.array(timed(watchShape), { maxLength: space.maxWatches, size: 'max' }),
      bursts: fc.array(burst, { maxLength: space.maxBursts ?? 0 }),
    })
    .map(({ ops, watches, bursts }) => ({
      ops: materialize([...ops, ...bursts.flatMap(burstOps)].sort((a, b) => a.at - b.at)),
      watches: watches.map(({ at, client, shape }) => ({
        at, client,
        request: { key: '/registry/', prefix: true, prevKv: shape.prevKv, progressNotify: true, ...(shape.fromStart ? { startRevision: 1 } : {}) },
      })),
    }));
}

/** A burst's operations at their times, on the burst's keys, within the run. */
function burstOps(b: Burst): { at: number; client: number; shape: OpShape }[] {
  return b.ops.map(({ offset, client, shape }) => ({
    at: Math.round(b.at + offset * b.spanMs),
    client,
    shape: 'key' in shape ? { ...shape, key: (b.first + (shape.key % b.width)) % KEY_COUNT } : shape,
  }));
}

function materialize(ops: { at: number; client: number; shape: OpShape }[]): WorkloadOp[] {
  const written: string[] = [];
  const out: WorkloadOp[] = [];
  const leaseId = (n: number) => 0x1000 + n;
  ops.forEach(({ at, client, shape }, index) => {
    const value = `c${client}-v${index}`;
    let request: KvRequest;
    switch (shape.kind) {
      case 'get':
        request = { op: 'range', key: keyName(shape.key) };
        break;
      case 'put':
        written.push(value);
        request = { op: 'put', key: keyName(shape.key), value };
        break;
      case 'delete':
        request = { op: 'delete', key: keyName(shape.key) };
        break;
      case 'cas': {
        // Compare against a value written earlier (it may or may not still be there), else the absent key.
        const earlier = written.length > 0 ? written[written.length - 1 - (shape.expectEarlier % written.length)] : undefined;
        written.push(value);
        request = {
          op: 'txn',
          compare: earlier !== undefined
            ? [{ key: keyName(shape.key), target: 'VALUE', result: 'EQUAL', operand: earlier }]
            : [{ key: keyName(shape.key), target: 'VERSION', result: 'EQUAL', operand: 0 }],
          success: [{ op: 'put', key: keyName(shape.key), value }],
          failure: [],
        };
        break;
      }
      case 'range':
        request = { op: 'range', key: namespacePrefix(shape.key), prefix: true };
        break;
      case 'serializableRange':
        request = { op: 'range', key: namespacePrefix(shape.key), prefix: true, serializable: true };
        break;
      case 'leaseGrant':
        request = { op: 'leaseGrant', id: leaseId(shape.lease), ttlSeconds: shape.ttlSeconds };
        break;
      case 'leasePut':
        request = { op: 'put', key: `${LEASED_PREFIX}node-${shape.key}`, value, lease: leaseId(shape.lease) };
        break;
      case 'leaseKeepAlive':
        request = { op: 'leaseKeepAlive', id: leaseId(shape.lease) };
        break;
      case 'leaseRevoke':
        request = { op: 'leaseRevoke', id: leaseId(shape.lease) };
        break;
      case 'compact':
        // Compacting needs a revision; the runner resolves `behind` against the revision it last saw.
        request = { op: 'compact', revision: -shape.behind };
        break;
    }
    out.push({ at, client, request });
  });
  return out;
}
