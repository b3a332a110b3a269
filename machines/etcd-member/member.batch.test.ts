import { describe, expect, test } from 'vitest';
import type { KvRequest } from '../../src/etcd/protocol.ts';
import { CLIENT, TestCluster } from './test-support/cluster.ts';

type Answered = { ok: true; result: unknown } | { ok: false; error: { code: string } };

function commandEntries(c: TestCluster, member: string, requestId: string): number {
  return c.context(member)!.raft.log.view().filter((e) => e.data.kind === 'command' && e.data.requestId === requestId).length;
}

describe('pipelined client requests (etcd.requestBatch)', () => {
  test('a batch of writes: one message in, answers in etcd.responseBatch messages, one entry and revision per write', () => {
    const c = new TestCluster({ seed: 'batch-writes' });
    const leader = c.awaitLeader();
    const ids = c.requestBatch(leader, Array.from({ length: 50 }, (_, i): KvRequest => ({ op: 'put', key: `k${i % 7}`, value: `v${i}` })));
    expect(c.runUntilTrue(() => ids.every((id) => c.responses.has(id)), 2_000)).toBe(true);
    const answers = ids.map((id) => c.responses.get(id)!);
    expect(answers.every((a) => a.ok && a.from === leader)).toBe(true);
    expect(ids.some((id) => c.answeredAlone.has(id))).toBe(false);
    // Far fewer messages than answers: a ready cycle's commits go back together.
    expect(c.responseBatches.length).toBeLessThan(10);
    // Every put is its own entry, applied on every member: 50 distinct, consecutive revisions.
    const revisions = answers.map((a) => (a as { result: { header: { revision: number } } }).result.header.revision);
    expect(new Set(revisions).size).toBe(50);
    expect(Math.max(...revisions) - Math.min(...revisions)).toBe(49);
    c.runFor(500);
    for (const m of c.members) {
      expect(c.status(m)!.kvRevision).toBe(Math.max(...revisions));
      const r = c.get(m, 'k6', true);
      c.await(r);
      expect(c.valueOf(r)).toBe('v48');
    }
    expect(c.finish()).toEqual([]);
  });

  test('each request of a batch is routed as a single request would be; a follower forwards the writes in one message', () => {
    const c = new TestCluster({ seed: 'batch-mixed' });
    const leader = c.awaitLeader();
    c.await(c.put(leader, 'pre', 'p'));
    c.runFor(200);
    const follower = c.followers()[0];
    const proposes: string[] = [];
    c.sim.bus.tap.subscribe((e) => {
      if (e.kind === 'send' && e.envelope.type === 'raft.propose' && e.envelope.from === follower) proposes.push(e.envelope.type);
    });
    const dup: KvRequest = { op: 'put', key: 'dup', value: 'once' };
    const ids = c.requestBatch(follower, [
      { requestId: 'put', request: { op: 'put', key: 'a', value: '1' } },
      { requestId: 'dup', request: dup },
      { requestId: 'dup', request: dup }, // a duplicate inside the batch: proposed once, answered once
      { requestId: 'linearizable', request: { op: 'range', key: 'pre' } },
      { requestId: 'serializable', request: { op: 'range', key: 'pre', serializable: true } },
      { requestId: 'status', request: { op: 'status' } },
      {
        requestId: 'txn',
        request: { op: 'txn', compare: [{ key: 'pre', target: 'VALUE', result: 'EQUAL', operand: 'p' }], success: [{ op: 'put', key: 'b', value: '2' }], failure: [] },
      },
      { requestId: 'future-compact', request: { op: 'compact', revision: 10_000 } },
      { requestId: 'lease', request: { op: 'leaseGrant', ttlSeconds: 60 } },
    ]);
    expect(c.runUntilTrue(() => ids.every((id) => c.responses.has(id)), 2_000)).toBe(true);
    c.runFor(500);
    const answer = (id: string) => c.responses.get(id)! as Answered & { from: string };
    for (const id of ids) {
      expect(answer(id).from).toBe(follower);
      expect(c.answeredAlone.has(id)).toBe(false);
    }
    expect(answer('put').ok).toBe(true);
    expect(answer('dup').ok).toBe(true);
    expect(c.responseBatches.flatMap((b) => b.responses).filter((r) => r.requestId === 'dup')).toHaveLength(1);
    expect(commandEntries(c, leader, 'dup')).toBe(1);
    expect(c.valueOf('linearizable')).toBe('p');
    expect(c.valueOf('serializable')).toBe('p');
    expect(answer('status').ok && answer('status').ok && (answer('status') as { result: { leader: string } }).result.leader).toBe(leader);
    expect(answer('txn').ok && (answer('txn') as { result: { succeeded: boolean } }).result.succeeded).toBe(true);
    expect(!answer('future-compact').ok && (answer('future-compact') as { error: { code: string } }).error.code).toBe('FutureRevision');
    expect(answer('lease').ok).toBe(true);
    // The batch's five proposals (put, dup, txn, compact, leaseGrant) went to the leader in one message.
    expect(proposes).toHaveLength(1);
    expect(c.finish()).toEqual([]);
  });

  test('single requests keep their own etcd.response while batches are in flight from the same client', () => {
    const c = new TestCluster({ seed: 'batch-and-single' });
    const leader = c.awaitLeader();
    const batched = c.requestBatch(leader, [{ op: 'put', key: 'x', value: '1' }, { op: 'range', key: 'x' }]);
    const single = c.put(leader, 'y', '2');
    const singleRead = c.get(leader, 'y');
    expect(c.runUntilTrue(() => [...batched, single, singleRead].every((id) => c.responses.has(id)), 2_000)).toBe(true);
    expect(c.answeredAlone.has(single) && c.answeredAlone.has(singleRead)).toBe(true);
    expect(batched.some((id) => c.answeredAlone.has(id))).toBe(false);
    expect(c.responseBatches.flatMap((b) => b.responses.map((r) => r.requestId)).sort()).toEqual([...batched].sort());
    expect(c.finish()).toEqual([]);
  });

  test('a duplicated delivery of a whole batch proposes each write once', () => {
    const c = new TestCluster({ seed: 'batch-duplicated', link: { duplicate: 1 } });
    const leader = c.awaitLeader();
    const ids = c.requestBatch(leader, Array.from({ length: 10 }, (_, i): KvRequest => ({ op: 'put', key: `d${i}`, value: 'v' })));
    expect(c.runUntilTrue(() => ids.every((id) => c.responses.has(id)), 2_000)).toBe(true);
    c.runFor(300);
    for (const id of ids) expect(commandEntries(c, leader, id)).toBe(1);
    expect(c.finish()).toEqual([]);
  });

  test('without a leader, batched requests wait and then fail with NoLeader, in an etcd.responseBatch', () => {
    const c = new TestCluster({ seed: 'batch-no-leader' });
    const leader = c.awaitLeader();
    c.await(c.put(leader, 'k', 'v'));
    c.runFor(300);
    const [a, b] = c.followers();
    c.sim.crash(a);
    c.sim.crash(b);
    c.runFor(2_500);
    expect(c.leader()).toBeUndefined();
    const ids = c.requestBatch(leader, [{ op: 'put', key: 'k', value: 'w' }, { op: 'range', key: 'k' }, { op: 'range', key: 'k', serializable: true }]);
    expect(c.runUntilTrue(() => ids.every((id) => c.responses.has(id)), 3_000)).toBe(true);
    const [write, linearizable, serializable] = ids.map((id) => c.responses.get(id)! as Answered);
    expect(!write.ok && write.error.code).toBe('NoLeader');
    expect(!linearizable.ok && linearizable.error.code).toBe('NoLeader');
    expect(serializable.ok).toBe(true);
    expect(ids.some((id) => c.answeredAlone.has(id))).toBe(false);
    expect(c.finish()).toEqual([]);
  });

  test('batched requests that waited for a leader go through once one is elected, still answered in batch form', () => {
    // Without CheckQuorum a restarted member grants votes at once, so the election ends within the stall.
    const c = new TestCluster({ seed: 'batch-stalled', config: { checkQuorum: false } });
    const leader = c.awaitLeader();
    c.await(c.put(leader, 'pre', 'p'));
    c.runFor(200);
    const [waiting, other] = c.followers();
    c.sim.crash(leader);
    c.sim.crash(other);
    // The moment `waiting` gives up on the old leader (its election timer fired), it knows no leader.
    expect(c.stepUntil(() => c.status(waiting)!.leader === null, 5_000)).toBe(true);
    const ids = c.requestBatch(waiting, [{ op: 'put', key: 's1', value: '1' }, { op: 'range', key: 'pre' }, { op: 'put', key: 's2', value: '2' }]);
    c.runFor(5);
    expect(ids.some((id) => c.responses.has(id))).toBe(false); // stalled, not refused
    c.sim.restart(other);
    expect(c.runUntilTrue(() => ids.every((id) => c.responses.has(id)), 5_000)).toBe(true);
    for (const id of ids) {
      expect(c.responses.get(id)!.ok).toBe(true);
      expect(c.answeredAlone.has(id)).toBe(false);
    }
    expect(c.valueOf(ids[1])).toBe('p');
    expect(c.finish()).toEqual([]);
  });

  test('a removed member answers every request of a batch with Stopped', () => {
    const c = new TestCluster({ seed: 'batch-removed' });
    const leader = c.awaitLeader();
    const old = c.followers()[0];
    c.await(c.request(leader, { op: 'memberRemove', member: old }));
    c.runFor(1_000);
    expect(c.status(old)!.role).toBe('removed');
    const ids = c.requestBatch(old, [{ op: 'put', key: 'x', value: 'y' }, { op: 'range', key: 'x' }]);
    c.runFor(100);
    for (const id of ids) {
      const r = c.responses.get(id)! as Answered;
      expect(!r.ok && r.error.code).toBe('Stopped');
      expect(c.answeredAlone.has(id)).toBe(false);
    }
    expect(c.sim.bus.isListening(CLIENT)).toBe(true);
  });
});
