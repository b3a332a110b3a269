import { describe, expect, it } from 'vitest';
import { enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import { Simulation } from '../../src/host/simulation.ts';
import type { KvRequest, KvRequestMessage, WatchRequestMessage } from '../../src/etcd/protocol.ts';
import { EtcdHistoryRecorder } from '../../src/etcd/history.ts';
import { etcdClientMachine } from './etcd-client.machine.ts';
import type { OpOutcome } from './types.ts';

/**
 * A scripted stand-in for an etcd member: `leader` answers from a map; `follower` answers NotLeader with a
 * hint; `slow` never answers. Watches: all but `slow` confirm a create; the leader sends one event per put to every open stream.
 */
type FakeConfig = { role: 'leader' | 'follower' | 'slow'; leader: string };
const fakeMember = setup({
  types: {
    input: {} as HostedInput<FakeConfig>,
    context: {} as { role: FakeConfig['role']; leader: string; data: Record<string, string>; rev: number; watchers: Record<string, string> },
    events: {} as (KvRequestMessage | WatchRequestMessage) & { from: string },
    emitted: {} as HostedEmitted,
  },
  actions: {
    answer: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.request' || context.role === 'slow') return;
      const reply = (body: object) => enqueue.emit({ type: 'net.send', to: event.from, message: { type: 'etcd.response', requestId: event.requestId, ...body } });
      if (context.role === 'follower') return reply({ ok: false, error: { code: 'NotLeader', message: 'etcdserver: not leader', leaderHint: context.leader } });
      const header = { revision: context.rev, raftTerm: 1, memberId: 'x' };
      const r = event.request;
      if (r.op === 'put') {
        const rev = context.rev + 1;
        enqueue.assign({ data: { ...context.data, [r.key]: r.value }, rev });
        for (const [streamId, watcher] of Object.entries(context.watchers)) {
          enqueue.emit({ type: 'net.send', to: watcher, message: {
            type: 'etcd.watch.response', watchId: streamId, header: { ...header, revision: rev },
            events: [{ type: 'PUT', kv: { key: r.key, value: r.value, createRevision: rev, modRevision: rev, version: 1, lease: 0 } }],
          } });
        }
        return reply({ ok: true, result: { header: { ...header, revision: rev } } });
      }
      if (r.op === 'range') {
        const value = context.data[r.key];
        const kvs = value === undefined ? [] : [{ key: r.key, value, createRevision: 1, modRevision: 1, version: 1, lease: 0 }];
        return reply({ ok: true, result: { header, kvs, count: kvs.length, more: false } });
      }
    }),
    trackWatch: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'etcd.watch.create' || context.role === 'slow') return;
      if (context.role === 'leader') enqueue.assign({ watchers: { ...context.watchers, [event.watchId]: event.from } });
      enqueue.emit({ type: 'net.send', to: event.from, message: {
        type: 'etcd.watch.response', watchId: event.watchId, header: { revision: context.rev, raftTerm: 1, memberId: 'x' }, events: [], created: true,
      } });
    }),
  },
}).createMachine({
  context: ({ input }) => ({ role: input.config.role, leader: input.config.leader, data: {}, rev: 1, watchers: {} }),
  on: { 'etcd.request': { actions: 'answer' }, 'etcd.watch.create': { actions: 'trackWatch' } },
});

function cluster(roles: FakeConfig['role'][]) {
  const sim = new Simulation({ seed: 1, link: { latency: { kind: 'constant', ms: 2 } } });
  const members = roles.map((_, i) => `etcd-${i}`);
  const leader = members[roles.indexOf('leader')] ?? members[0];
  roles.forEach((role, i) => sim.add(members[i], fakeMember, { role, leader }));
  const client = sim.add('client', etcdClientMachine, { members, attemptTimeoutMs: 100, requestTimeoutMs: 1_000 });
  const recorder = new EtcdHistoryRecorder(sim);
  const outcomes: Record<string, OpOutcome> = {};
  sim.events.subscribe((e) => {
    if (e.kind === 'observe' && e.observation.type === 'obs.etcd.complete') outcomes[e.observation.opId as string] = e.observation.outcome as OpOutcome;
  });
  const invoke = (opId: string, request: KvRequest) => client.send({ type: 'etcd.client.invoke', opId, request });
  return { sim, client, recorder, outcomes, invoke };
}

function watchCreates(sim: Simulation) {
  const creates: { to: string; watchId: string; startRevision?: number }[] = [];
  sim.bus.tap.subscribe((e) => {
    if (e.kind === 'send' && e.envelope.type === 'etcd.watch.create') {
      creates.push({ to: e.envelope.to, watchId: e.envelope.message.watchId as string, startRevision: (e.envelope.message.request as { startRevision?: number }).startRevision });
    }
  });
  return creates;
}

/** Messages the client sends, by type (and to whom). */
function clientSends(sim: Simulation) {
  const sends: { type: string; to: string; at: number }[] = [];
  sim.bus.tap.subscribe((e) => {
    if (e.kind === 'send' && e.envelope.from === 'client') sends.push({ type: e.envelope.type, to: e.envelope.to, at: e.at });
  });
  return sends;
}

describe('etcd client', () => {
  it('follows a NotLeader hint to the leader and remembers it', () => {
    const { sim, invoke, outcomes, recorder } = cluster(['follower', 'leader', 'follower']);
    invoke('w1', { op: 'put', key: '/a', value: '1' });
    sim.runFor(50);
    expect(outcomes.w1).toMatchObject({ status: 'ok' });
    invoke('r1', { op: 'range', key: '/a' });
    sim.runFor(50);
    expect(outcomes.r1).toMatchObject({ status: 'ok', result: { kvs: [{ value: '1' }] } });
    const history = recorder.history();
    expect(history.map((op) => [op.input.op, op.output?.ok])).toEqual([['put', true], ['get', true]]);
    expect(history[1].output).toMatchObject({ value: '1' });
  });

  it('reports a write whose attempt timed out as unknown and never sends it twice', () => {
    const { sim, invoke, outcomes, recorder } = cluster(['slow', 'leader']);
    let sends = 0;
    sim.bus.tap.subscribe((e) => { if (e.kind === 'send' && e.envelope.type === 'etcd.request') sends++; });
    invoke('w1', { op: 'put', key: '/a', value: '1' });
    sim.runFor(500);
    expect(outcomes.w1).toEqual({ status: 'unknown', reason: 'context deadline exceeded' });
    expect(sends).toBe(1);
    expect(recorder.history()[0].return).toBeUndefined();
  });

  it('retries a read on another member when an attempt times out', () => {
    const { sim, invoke, outcomes } = cluster(['slow', 'leader']);
    invoke('r1', { op: 'range', key: '/missing' });
    sim.runFor(500);
    expect(outcomes.r1).toMatchObject({ status: 'ok', result: { kvs: [] } });
  });

  it('gives a read up as unknown once the whole request budget is spent', () => {
    const { sim, invoke, outcomes } = cluster(['slow', 'slow']);
    invoke('r1', { op: 'range', key: '/a' });
    sim.runFor(2_000);
    expect(outcomes.r1).toMatchObject({ status: 'unknown' });
  });

  it('resumes the watches of a crashed member elsewhere after keepalive time + timeout, from the last revision seen + 1', () => {
    const { sim, client, invoke } = cluster(['leader', 'follower']);
    const creates = watchCreates(sim);
    client.send({ type: 'etcd.client.watch', watchId: 'w', request: { key: '/a', prefix: true } });
    sim.runFor(20);
    invoke('p1', { op: 'put', key: '/a/1', value: 'x' });
    sim.runFor(50);
    sim.crash('etcd-0');
    sim.runFor(30_000);
    expect(creates).toHaveLength(1); // quiet is not dead: nothing is known before the ping goes unanswered
    sim.runFor(10_100);
    expect(creates).toEqual([
      { to: 'etcd-0', watchId: 'w#0', startRevision: undefined },
      { to: 'etcd-1', watchId: 'w#1', startRevision: 3 },
    ]);
  });

  it('treats a gap in a watch stream\'s sequence as a broken stream and resumes after the last revision', () => {
    const { sim, client } = cluster(['slow', 'follower']); // etcd-0's answers are scripted below
    const creates = watchCreates(sim);
    client.send({ type: 'etcd.client.watch', watchId: 'w', request: { key: '/a', prefix: true } });
    sim.runFor(10);
    const header = { revision: 4, raftTerm: 1, memberId: 'x' };
    const kv = (rev: number) => ({ key: '/a/x', value: 'v', createRevision: rev, modRevision: rev, version: 1, lease: 0 });
    const respond = (seq: number, rev: number) =>
      client.send({ type: 'etcd.watch.response', from: 'etcd-0', watchId: 'w#0', seq, header: { ...header, revision: rev }, events: [{ type: 'PUT', kv: kv(rev) }] });
    respond(0, 4);
    respond(2, 6); // seq 1 (revision 5) was lost on the network
    sim.runFor(10);
    expect(creates).toEqual([
      { to: 'etcd-0', watchId: 'w#0', startRevision: undefined },
      { to: 'etcd-1', watchId: 'w#1', startRevision: 5 },
    ]);
  });

  it('pings a quiet healthy connection once per keepalive time, however many watches it carries, and asks for no progress', () => {
    const { sim, client } = cluster(['leader']);
    const sends = clientSends(sim);
    for (const id of ['w1', 'w2', 'w3', 'w4']) client.send({ type: 'etcd.client.watch', watchId: id, request: { key: `/${id}`, prefix: true } });
    sim.runFor(95_000);
    const pings = sends.filter((s) => s.type === 'health.probe');
    // the dial's handshake, then one ping per 30 s of quiet: at 30 s, 60 s, 90 s
    expect(pings.map((p) => Math.round(p.at / 1_000))).toEqual([0, 30, 60, 90]);
    expect(sends.filter((s) => s.type === 'etcd.watch.progress')).toEqual([]);
    expect(sends.filter((s) => s.type === 'etcd.watch.create')).toHaveLength(4);
  });

  it('fails a partitioned member\'s watches over after keepalive time + timeout, and not before', () => {
    const { sim, client } = cluster(['leader', 'follower']);
    const creates = watchCreates(sim);
    client.send({ type: 'etcd.client.watch', watchId: 'w1', request: { key: '/a', prefix: true } });
    client.send({ type: 'etcd.client.watch', watchId: 'w2', request: { key: '/b', prefix: true } });
    sim.runFor(1_000); // both streams confirmed at ~4 ms: the last the client hears from etcd-0
    const start = sim.now - 1_000;
    sim.partition({ id: 'cut', from: ['client'], to: ['etcd-0'], oneWay: false });
    sim.runUntil(start + 39_900); // the ping went out at 30 s of quiet and is not yet overdue
    expect(creates.map((c) => c.to)).toEqual(['etcd-0', 'etcd-1']); // round robin: w1 on etcd-0, w2 on etcd-1
    sim.runUntil(start + 40_100);
    expect(creates.map((c) => c.to)).toEqual(['etcd-0', 'etcd-1', 'etcd-1']); // only w1 moves
  });

  it('takes a member answering from a new incarnation as a reset connection and resumes its watches', () => {
    const { sim, client } = cluster(['leader', 'follower']);
    const creates = watchCreates(sim);
    client.send({ type: 'etcd.client.watch', watchId: 'w', request: { key: '/a', prefix: true } });
    sim.runFor(1_000);
    sim.crash('etcd-0');
    sim.runFor(500);
    sim.restart('etcd-0');
    sim.runFor(28_000);
    expect(creates).toHaveLength(1);
    sim.runFor(1_000); // the next ping (at 30 s of quiet) is answered by incarnation 1
    expect(creates.map((c) => c.to)).toEqual(['etcd-0', 'etcd-1']);
  });

  it('resumes a watch whose creation is never confirmed after the keepalive timeout', () => {
    const { sim, client } = cluster(['slow', 'leader']);
    const creates = watchCreates(sim);
    // The fake `slow` member never answers a create (nor does any fake member but the leader).
    client.send({ type: 'etcd.client.watch', watchId: 'w', request: { key: '/a', prefix: true } });
    sim.runFor(9_900);
    expect(creates).toHaveLength(1);
    sim.runFor(200);
    expect(creates.map((c) => c.to)).toEqual(['etcd-0', 'etcd-1']);
  });
});
