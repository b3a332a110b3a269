import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { EtcdErrorCode } from '../../src/etcd/protocol.ts';
import { ETCD_ERRORS } from '../../src/etcd/protocol.ts';
import type { ReviewModule } from '../../src/review/review-module.ts';
import { parseWireId, wireId } from './client-logic.ts';
import type { EtcdClientContext } from './types.ts';

/**
 * Review sample for the etcd client: three members, one write and one read to invoke, one watch to open.
 * Member answers are built from the snapshot (the wire ids carry the attempt, which the client chose), so
 * every answer kind is tried on every pending operation or open watch: success, a retryable error with a
 * leader hint, an error whose outcome is unknown for a write, a definite error, a late answer to an
 * abandoned attempt; for watches: the next response, a gap in `seq`, and both kinds of cancellation.
 */
const MEMBERS = ['etcd-1', 'etcd-2', 'etcd-3'];

export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'client-0',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { members: MEMBERS },
});

const ctx = (snapshot: AnyMachineSnapshot) => snapshot.context as EtcdClientContext;

/** Which operations and watches are outstanding decides every guard, so it is part of the state. */
export const reviewSerializeState: ReviewModule['reviewSerializeState'] = (snapshot) =>
  JSON.stringify([snapshot.value, [...ctx(snapshot).pending.keys()].sort(), [...ctx(snapshot).watches.keys()].sort()]);

/** `pending` is mutated in place, so every snapshot `transition` returns would share it: explore by replay. */
export const reviewExploration: ReviewModule['reviewExploration'] = 'replay';

const error = (code: EtcdErrorCode, leaderHint?: string) => ({ code, message: ETCD_ERRORS[code], ...(leaderHint ? { leaderHint } : {}) });
const header = (revision: number) => ({ revision, raftTerm: 2, memberId: 'etcd-2' });

function responsesTo(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const answers: AnyEventObject[] = [...ctx(snapshot).pending.values()].flatMap((op) => {
    const reply = (fields: object) => ({ type: 'etcd.response', from: op.target, requestId: op.requestId, ...fields });
    return [
      reply({ ok: true, result: { header: header(5) } }),
      reply({ ok: false, error: error('NotLeader', 'etcd-2') }),
      reply({ ok: false, error: error('Unavailable') }),
      reply({ ok: false, error: error('Compacted') }),
      // An answer to an attempt the client already abandoned is ignored.
      { type: 'etcd.response', from: op.target, requestId: wireId(op.opId, op.attempt + 1), ok: true, result: {} },
    ];
  });
  return [...answers, { type: 'etcd.response', from: 'etcd-1', requestId: 'op-unknown#0', ok: true, result: {} }];
}

function watchResponsesTo(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const answers: AnyEventObject[] = [...ctx(snapshot).watches.values()].flatMap((watch) => {
    const response = (fields: object) => ({
      type: 'etcd.watch.response', from: watch.target, watchId: watch.streamId, header: header(7), events: [], ...fields,
    });
    const put = { type: 'PUT', kv: { key: '/registry/pods/a', value: 'v', createRevision: 7, modRevision: 7, version: 1, lease: 0 } };
    return [
      response({ seq: watch.nextSeq, created: watch.nextSeq === 0, events: [put] }),
      response({ seq: watch.nextSeq + 1 }),
      response({ seq: watch.nextSeq, canceled: true, compactRevision: 3 }),
      response({ seq: watch.nextSeq, canceled: true, cancelReason: 'etcdserver: server stopped' }),
    ];
  });
  return [...answers, { type: 'etcd.watch.response', from: 'etcd-1', watchId: 'w-unknown#0', header: header(7), events: [] }];
}

/** Answers to each connection's ping: from the incarnation it knows (alive), and from a restarted member (reset). */
function pongsTo(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  return [...ctx(snapshot).connections].flatMap(([member, connection]) => {
    const id = connection.probe?.id ?? 'client-0:keepalive:0';
    const incarnation = connection.incarnation ?? 0;
    return [
      { type: 'health.ok', from: member, id, incarnation },
      { type: 'health.ok', from: member, id, incarnation: incarnation + 1 },
    ];
  });
}

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'etcd.client.invoke': [
    { type: 'etcd.client.invoke', opId: 'op-put', request: { op: 'put', key: '/registry/pods/a', value: 'v1' }, replyTo: 'apiserver-0' },
    { type: 'etcd.client.invoke', opId: 'op-get', request: { op: 'range', key: '/registry/pods/a' } },
  ],
  'etcd.client.watch': [{ type: 'etcd.client.watch', watchId: 'w', request: { key: '/registry/', prefix: true }, replyTo: 'apiserver-0' }],
  'etcd.client.unwatch': [{ type: 'etcd.client.unwatch', watchId: 'w' }],
  'etcd.client.watch.progress': [{ type: 'etcd.client.watch.progress', watchId: 'w' }],
  'etcd.response': responsesTo,
  'etcd.watch.response': watchResponsesTo,
  'health.ok': pongsTo,
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  idle: (snapshot) =>
    ctx(snapshot).pending.size === 0 && ctx(snapshot).watches.size === 0
      ? null
      : 'idle with an operation or a watch outstanding',
  busy: (snapshot) =>
    ctx(snapshot).pending.size > 0 || ctx(snapshot).watches.size > 0
      ? null
      : 'busy with nothing outstanding (the timer would never stop)',
  '*': (snapshot) => {
    const { pending, watches, members, connections, timer } = ctx(snapshot);
    // Settled in busy, the timer is armed no later than every deadline noted since (else one would be missed).
    if (snapshot.matches('busy') && timer.earliest < timer.at) return `timer armed for ${timer.at} but ${timer.earliest} is due first`;
    for (const [member, connection] of connections) {
      if (!members.includes(member)) return `a connection to ${member}, not a member`;
      if (connection.probe && connection.probe.deadline < timer.at && snapshot.matches('busy')) {
        return `the ping to ${member} times out at ${connection.probe.deadline}, before the timer (${timer.at})`;
      }
    }
    for (const op of pending.values()) {
      // Late answers are recognised by the attempt in the wire id; a mismatch would accept them.
      const wire = parseWireId(op.requestId);
      if (wire.id !== op.opId || wire.attempt !== op.attempt) return `${op.opId} waits for ${op.requestId}, not its attempt ${op.attempt}`;
      if (!members.includes(op.target)) return `${op.opId} is sent to ${op.target}, not a member`;
      if (!connections.has(op.target)) return `${op.opId} waits on ${op.target} without a connection (no keepalive watches it)`;
    }
    for (const watch of watches.values()) {
      if (watch.streamId !== wireId(watch.watchId, watch.resumes)) return `watch ${watch.watchId} listens on ${watch.streamId} after ${watch.resumes} resumes`;
      if (!members.includes(watch.target)) return `watch ${watch.watchId} is on ${watch.target}, not a member`;
      if (!connections.has(watch.target)) return `watch ${watch.watchId} is on ${watch.target} without a connection (no keepalive watches it)`;
    }
    return null;
  },
};
