import { describe, expect, it } from 'vitest';
import { MvccStore } from '../../../src/etcd/mvcc/index.ts';
import type { Commit, Compare, CompareResult, RequestOp, TxnRequest } from '../../../src/etcd/mvcc/index.ts';
import { expectError, get, keysOf, ok } from './helpers.ts';

const RESULTS: CompareResult[] = ['EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS'];

/** Runs a txn whose only effect is reporting which branch it took. */
function holds(s: MvccStore, compare: Compare[]): boolean {
  return ok(s.txn({ compare, success: [], failure: [] })).succeeded;
}

/** /k: createRevision 2, modRevision 3, version 2, value "m", lease 5. */
function storeWithK(): MvccStore {
  const s = new MvccStore();
  s.leaseGrant({ id: 5, ttl: 60 });
  s.put({ key: '/k', value: 'a' }); // 2
  s.put({ key: '/k', value: 'm', lease: 5 }); // 3
  return s;
}

describe('txn compare', () => {
  const cases: Array<{ name: string; make: (r: CompareResult, below: boolean) => Compare }> = [
    { name: 'VALUE', make: (result, below) => ({ key: '/k', target: 'VALUE', result, value: below ? 'z' : 'm' }) },
    { name: 'VERSION', make: (result, below) => ({ key: '/k', target: 'VERSION', result, version: below ? 3 : 2 }) },
    { name: 'CREATE', make: (result, below) => ({ key: '/k', target: 'CREATE', result, createRevision: below ? 3 : 2 }) },
    { name: 'MOD', make: (result, below) => ({ key: '/k', target: 'MOD', result, modRevision: below ? 4 : 3 }) },
    { name: 'LEASE', make: (result, below) => ({ key: '/k', target: 'LEASE', result, lease: below ? 6 : 5 }) },
  ];

  for (const c of cases) {
    it(`${c.name}: each result against an equal and a larger operand`, () => {
      const s = storeWithK();
      const equalOperand = RESULTS.map((r) => holds(s, [c.make(r, false)]));
      const largerOperand = RESULTS.map((r) => holds(s, [c.make(r, true)]));
      // EQUAL, NOT_EQUAL, GREATER, LESS
      expect(equalOperand).toEqual([true, false, false, false]);
      expect(largerOperand).toEqual([false, true, false, true]);
    });
  }

  it('on a missing key: version/create/mod/lease compare as 0, VALUE always fails', () => {
    const s = storeWithK();
    expect(holds(s, [{ key: '/missing', target: 'VERSION', result: 'EQUAL', version: 0 }])).toBe(true);
    expect(holds(s, [{ key: '/missing', target: 'CREATE', result: 'EQUAL', createRevision: 0 }])).toBe(true);
    expect(holds(s, [{ key: '/missing', target: 'MOD', result: 'LESS', modRevision: 1 }])).toBe(true);
    expect(holds(s, [{ key: '/missing', target: 'LEASE', result: 'EQUAL', lease: 0 }])).toBe(true);
    for (const result of RESULTS) {
      expect(holds(s, [{ key: '/missing', target: 'VALUE', result, value: '' }])).toBe(false);
    }
    s.deleteRange({ key: '/k' });
    expect(holds(s, [{ key: '/k', target: 'VERSION', result: 'EQUAL', version: 0 }])).toBe(true);
  });

  it('a range compare must hold for every key in the range', () => {
    const s = new MvccStore();
    s.put({ key: '/p/a', value: '1' });
    s.put({ key: '/p/b', value: '1' });
    s.put({ key: '/p/b', value: '2' });
    expect(holds(s, [{ key: '/p/', prefix: true, target: 'VERSION', result: 'GREATER', version: 0 }])).toBe(true);
    expect(holds(s, [{ key: '/p/', prefix: true, target: 'VERSION', result: 'EQUAL', version: 1 }])).toBe(false);
    expect(holds(s, [{ key: '/p/a', rangeEnd: '/p/b', target: 'VERSION', result: 'EQUAL', version: 1 }])).toBe(true);
  });

  it('all compares must hold (conjunction)', () => {
    const s = storeWithK();
    const yes: Compare = { key: '/k', target: 'VERSION', result: 'EQUAL', version: 2 };
    const no: Compare = { key: '/k', target: 'VALUE', result: 'EQUAL', value: 'nope' };
    expect(holds(s, [yes, yes])).toBe(true);
    expect(holds(s, [yes, no])).toBe(false);
    expect(holds(s, [])).toBe(true);
  });
});

describe('txn execution', () => {
  it('commits all writes atomically at one revision, events in op order', () => {
    const s = new MvccStore();
    const commits: Commit[] = [];
    s.subscribe((c) => commits.push(c));
    s.put({ key: '/old', value: 'x' }); // 2
    const r = ok(
      s.txn({
        compare: [{ key: '/a', target: 'CREATE', result: 'EQUAL', createRevision: 0 }],
        success: [
          { type: 'put', key: '/b', value: '1' },
          { type: 'put', key: '/a', value: '1' },
          { type: 'deleteRange', key: '/old' },
        ],
        failure: [],
      }),
    );
    expect(r.succeeded).toBe(true);
    expect(r.header.revision).toBe(3);
    expect(r.responses.map((x) => x.header.revision)).toEqual([3, 3, 3]);
    expect(get(s, '/a')).toMatchObject({ createRevision: 3, modRevision: 3 });
    expect(get(s, '/b')).toMatchObject({ createRevision: 3, modRevision: 3 });
    expect(commits[1]).toEqual({
      revision: 3,
      events: [
        { type: 'PUT', kv: { key: '/b', value: '1', createRevision: 3, modRevision: 3, version: 1, lease: 0 } },
        { type: 'PUT', kv: { key: '/a', value: '1', createRevision: 3, modRevision: 3, version: 1, lease: 0 } },
        {
          type: 'DELETE',
          kv: { key: '/old', value: '', createRevision: 0, modRevision: 3, version: 0, lease: 0 },
          prevKv: { key: '/old', value: 'x', createRevision: 2, modRevision: 2, version: 1, lease: 0 },
        },
      ],
    });
  });

  it('takes the failure branch when a compare fails', () => {
    const s = new MvccStore();
    s.put({ key: '/a', value: '1' });
    const r = ok(
      s.txn({
        compare: [{ key: '/a', target: 'VALUE', result: 'EQUAL', value: '2' }],
        success: [{ type: 'put', key: '/a', value: 'success' }],
        failure: [{ type: 'range', key: '/a' }],
      }),
    );
    expect(r.succeeded).toBe(false);
    expect(r.responses).toHaveLength(1);
    expect(r.responses[0]).toMatchObject({ type: 'range', count: 1, kvs: [{ value: '1' }] });
    expect(s.revision).toBe(2); // read-only branch: no revision
  });

  it('reads inside a txn see the txn’s earlier writes; explicit revisions read history', () => {
    const s = new MvccStore();
    s.put({ key: '/a', value: 'old' }); // 2
    const r = ok(
      s.txn({
        compare: [],
        success: [
          { type: 'range', key: '/a' },
          { type: 'put', key: '/a', value: 'new' },
          { type: 'range', key: '/a' },
          { type: 'range', key: '/a', revision: 2 },
        ],
        failure: [],
      }),
    );
    const values = r.responses.filter((x) => x.type === 'range').map((x) => x.kvs[0].value);
    expect(values).toEqual(['old', 'new', 'old']);
  });

  it('a txn whose writes change nothing does not bump the revision', () => {
    const s = new MvccStore();
    s.put({ key: '/a', value: '1' });
    const r = ok(s.txn({ compare: [], success: [{ type: 'deleteRange', key: '/missing' }], failure: [] }));
    expect(r.header.revision).toBe(2);
    expect(s.revision).toBe(2);
  });

  it('overlapping deletes in one txn delete each key once', () => {
    const s = new MvccStore();
    s.put({ key: '/p/a', value: '1' });
    s.put({ key: '/p/b', value: '1' });
    const r = ok(
      s.txn({
        compare: [],
        success: [
          { type: 'deleteRange', key: '/p/', prefix: true },
          { type: 'deleteRange', key: '/p/a' },
        ],
        failure: [],
      }),
    );
    expect(r.responses.map((x) => (x.type === 'deleteRange' ? x.deleted : -1))).toEqual([2, 0]);
    expect(s.revision).toBe(4);
  });

  it('evaluates nested compares against the state before the txn', () => {
    const s = new MvccStore();
    const req: TxnRequest = {
      compare: [],
      success: [
        { type: 'put', key: '/a', value: '1' },
        {
          type: 'txn',
          compare: [{ key: '/a', target: 'VERSION', result: 'EQUAL', version: 0 }],
          success: [{ type: 'put', key: '/saw-missing', value: 'yes' }],
          failure: [{ type: 'put', key: '/saw-present', value: 'yes' }],
        },
      ],
      failure: [],
    };
    const r = ok(s.txn(req));
    expect(r.responses[1]).toMatchObject({ type: 'txn', succeeded: true, header: { revision: 2 } });
    expect(keysOf(ok(s.range({ key: '/', prefix: true })).kvs)).toEqual(['/a', '/saw-missing']);
  });

  it('validates the chosen branch before writing anything', () => {
    const s = new MvccStore();
    s.put({ key: '/a', value: '1' });
    const r = s.txn({
      compare: [],
      success: [
        { type: 'put', key: '/b', value: '1' },
        { type: 'put', key: '/c', value: '1', lease: 99 },
      ],
      failure: [],
    });
    expectError(r, 'ErrLeaseNotFound');
    expect(get(s, '/b')).toBeUndefined();
    expect(s.revision).toBe(2);
    expectError(s.txn({ compare: [], success: [{ type: 'range', key: '/a', revision: 9 }], failure: [] }), 'ErrFutureRev');
    expectError(s.txn({ compare: [], success: [{ type: 'put', key: '/zz', value: '', ignoreValue: true }], failure: [] }), 'ErrKeyNotFound');
    // The branch not taken is not checked against state.
    const unchosen = ok(s.txn({ compare: [], success: [], failure: [{ type: 'put', key: '/c', value: '1', lease: 99 }] }));
    expect(unchosen.succeeded).toBe(true);
  });

  describe('duplicate keys', () => {
    const dup = (success: RequestOp[]) => {
      const s = new MvccStore();
      s.put({ key: '/a', value: '1' });
      const r = s.txn({ compare: [], success, failure: [] });
      expect(s.revision).toBe(2);
      return r;
    };
    const put = (key: string): RequestOp => ({ type: 'put', key, value: 'v' });
    const del = (key: string, prefix = false): RequestOp => ({ type: 'deleteRange', key, prefix });
    const nested = (success: RequestOp[], failure: RequestOp[] = []): RequestOp => ({ type: 'txn', compare: [], success, failure });

    it('rejects put+put and put+delete of one key, at any nesting level', () => {
      expectError(dup([put('/a'), put('/a')]), 'ErrDuplicateKey');
      expectError(dup([put('/p/x'), del('/p/', true)]), 'ErrDuplicateKey');
      expectError(dup([del('/a'), put('/a')]), 'ErrDuplicateKey');
      expectError(dup([put('/a'), nested([put('/a')])]), 'ErrDuplicateKey');
      expectError(dup([nested([del('/a')]), put('/a')]), 'ErrDuplicateKey');
      // etcd's checkIntervals misses this order; we reject it so a key changes once per revision.
      expectError(dup([nested([put('/a')]), nested([del('/a')])]), 'ErrDuplicateKey');
    });

    it('allows the same key in opposite branches of one nested txn, and overlapping deletes', () => {
      const s = new MvccStore();
      s.put({ key: '/a', value: '1' });
      const r = ok(s.txn({ compare: [], success: [nested([put('/a')], [put('/a')])], failure: [] }));
      expect(r.header.revision).toBe(3);
      expect(get(s, '/a')).toMatchObject({ value: 'v', version: 2 });
      const d = ok(s.txn({ compare: [], success: [del('/a'), del('/', true)], failure: [] }));
      expect(d.responses.map((x) => (x.type === 'deleteRange' ? x.deleted : -1))).toEqual([1, 0]);
    });

    it('checks both top-level branches even though only one runs', () => {
      const s = new MvccStore();
      expectError(s.txn({ compare: [], success: [], failure: [put('/a'), put('/a')] }), 'ErrDuplicateKey');
    });
  });

  it('rejects more than maxTxnOps operations', () => {
    const s = new MvccStore({ maxTxnOps: 2 });
    const put = (key: string): RequestOp => ({ type: 'put', key, value: 'v' });
    expectError(s.txn({ compare: [], success: [put('/a'), put('/b'), put('/c')], failure: [] }), 'ErrTooManyOps');
    expect(ok(s.txn({ compare: [], success: [put('/a'), put('/b')], failure: [] })).header.revision).toBe(2);
  });
});
