// fast-check generators for MVCC commands over a deliberately tiny key space, so that updates,
// deletes, re-creates, compare hits and duplicate-key txns are all frequent.
import fc from 'fast-check';
import type { Command, Compare, KeySelector, RequestOp, TxnRequest } from '../../../src/etcd/mvcc/index.ts';

export const KEYS = ['/r/pods/a', '/r/pods/b', '/r/pods/c', '/r/svc/a', '/r/svc/b'] as const;

/** Reads the property tests run at every revision. */
export const PROBES: KeySelector[] = [
  { key: '', prefix: true },
  { key: '/r/pods/', prefix: true },
  { key: '/r/pods/b', rangeEnd: '/r/svc/b' },
  { key: '/r/svc/a' },
];

const key = fc.constantFrom(...KEYS);
const keyOrEmpty = fc.oneof({ weight: 30, arbitrary: key }, { weight: 1, arbitrary: fc.constant('') });
const value = fc.constantFrom('', 'v1', 'v2', 'v3');
// Mostly one lease id, so grants, attached puts, keep-alives and revokes meet each other.
const leaseId = fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(2, 3) });
const rare = fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
const revision = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 15 }) });

export const selector: fc.Arbitrary<KeySelector> = fc.oneof(
  { weight: 3, arbitrary: keyOrEmpty.map((k) => ({ key: k })) },
  { weight: 2, arbitrary: fc.constantFrom('', '/r/', '/r/pods/', '/r/svc/', '/r/pods/b').map((k) => ({ key: k, prefix: true })) },
  {
    weight: 1,
    arbitrary: fc.tuple(key, fc.constantFrom('/r/pods/c', '/r/svc/', '/r/svc/b', '\0', '/a')).map(([k, rangeEnd]) => ({ key: k, rangeEnd })),
  },
);

const put = fc
  .record({
    key: keyOrEmpty,
    value,
    lease: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: leaseId }),
    prevKv: fc.boolean(),
    ignoreValue: rare,
    ignoreLease: rare,
    wellFormed: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  })
  // Mostly keep ignore* requests well formed (empty value / no lease) so they reach the store logic.
  .map(({ wellFormed, ...p }) => ({
    ...p,
    value: p.ignoreValue && wellFormed ? '' : p.value,
    lease: p.ignoreLease && wellFormed ? 0 : p.lease,
  }));

const range = fc.record({
  sel: selector,
  limit: fc.integer({ min: 0, max: 3 }),
  revision,
  countOnly: rare,
  keysOnly: rare,
});

const compare: fc.Arbitrary<Compare> = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: key.map((k) => ({ key: k })) }, { weight: 1, arbitrary: fc.constant({ key: '/r/pods/', prefix: true }) }),
    fc.constantFrom('EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS' as const),
    fc.oneof(
      value.map((v) => ({ target: 'VALUE' as const, value: v })),
      fc.integer({ min: 0, max: 3 }).map((v) => ({ target: 'VERSION' as const, version: v })),
      fc.integer({ min: 0, max: 12 }).map((v) => ({ target: 'CREATE' as const, createRevision: v })),
      fc.integer({ min: 0, max: 12 }).map((v) => ({ target: 'MOD' as const, modRevision: v })),
      fc.integer({ min: 0, max: 3 }).map((v) => ({ target: 'LEASE' as const, lease: v })),
    ),
  )
  .map(([sel, result, target]) => ({ ...sel, result, ...target }));

function op(depth: number): fc.Arbitrary<RequestOp> {
  const flat: fc.Arbitrary<RequestOp>[] = [
    range.map((r) => ({ type: 'range' as const, ...r.sel, limit: r.limit, revision: r.revision, countOnly: r.countOnly, keysOnly: r.keysOnly })),
    put.map((p) => ({ type: 'put' as const, ...p })),
    fc.tuple(selector, fc.boolean()).map(([s, prevKv]) => ({ type: 'deleteRange' as const, ...s, prevKv })),
  ];
  if (depth === 0) return fc.oneof(...flat);
  return fc.oneof(...flat.map((arbitrary) => ({ weight: 4, arbitrary })), { weight: 1, arbitrary: txn(depth - 1).map((t) => ({ type: 'txn' as const, ...t })) });
}

function txn(depth: number): fc.Arbitrary<TxnRequest> {
  return fc.record({
    compare: fc.array(compare, { maxLength: 2 }),
    success: fc.array(op(depth), { maxLength: 3 }),
    failure: fc.array(op(depth), { maxLength: 3 }),
  });
}

export const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: put.map((p): Command => ({ type: 'put', ...p })) },
  { weight: 3, arbitrary: fc.tuple(selector, fc.boolean()).map(([s, prevKv]): Command => ({ type: 'deleteRange', ...s, prevKv })) },
  { weight: 2, arbitrary: op(0).filter((o) => o.type === 'range') as fc.Arbitrary<Command> },
  { weight: 4, arbitrary: txn(1).map((t): Command => ({ type: 'txn', ...t })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 12 }).map((r): Command => ({ type: 'compact', revision: r })) },
  { weight: 2, arbitrary: fc.tuple(leaseId, fc.integer({ min: 1, max: 10 })).map(([id, ttl]): Command => ({ type: 'leaseGrant', id, ttl })) },
  { weight: 1, arbitrary: leaseId.map((id): Command => ({ type: 'leaseRevoke', id })) },
  { weight: 1, arbitrary: leaseId.map((id): Command => ({ type: 'leaseKeepAlive', id })) },
);

export const commands = fc.array(command, { minLength: 1, maxLength: 40, size: 'medium' });
