import type { Address } from '../../src/bus/envelope.ts';
import type { HealthOk, HealthProbe } from '../../src/host/contract.ts';
import type { Connection, EtcdClientContext } from './types.ts';

/**
 * Connection liveness as kube-apiserver's etcd client has it: gRPC keepalive on each client→member
 * transport, not a probe per watch. Upstream (staging/src/k8s.io/apiserver/pkg/storage/storagebackend/
 * factory/etcd3.go) dials with `DialKeepAliveTime: keepaliveTime` (30 s) and `DialKeepAliveTimeout:
 * keepaliveTimeout` (10 s), without PermitWithoutStream: grpc-go pings a transport only while it carries
 * streams and has received nothing for keepaliveTime, and closes it when the ping is not acknowledged within
 * keepaliveTimeout. The ping here is the host's health probe (src/host/contract.ts): a crashed member is
 * silent and a partitioned one unreachable, so both time out.
 *
 * A restarted member's host answers again, but the process holds none of the old streams; upstream the
 * kernel resets the TCP connection at once. Here the client learns it from the incarnation in the answer:
 * the first ping (sent when the connection is made, as the dial's handshake) records it, and a later answer
 * with another one resets the connection like a lost ping.
 */
export const KEEPALIVE_TIME_MS = 30_000;
export const KEEPALIVE_TIMEOUT_MS = 10_000;

/** Records that the timer must fire by `at` (re-armed when `busy` next settles). */
export function noteDeadline(context: EtcdClientContext, at: number): void {
  if (at < context.timer.earliest) context.timer.earliest = at;
}

function ping(context: EtcdClientContext, connection: Connection, now: number): HealthProbe {
  const id = `${context.self}:keepalive:${context.sequence++}`;
  connection.probe = { id, deadline: now + context.keepaliveTimeoutMs };
  noteDeadline(context, connection.probe.deadline);
  return { type: 'health.probe', id };
}

/** The connection to `member`, dialled if there is none: returns the handshake ping to send, if any. */
export function connect(context: EtcdClientContext, member: Address, now: number): HealthProbe | undefined {
  if (context.connections.has(member)) return undefined;
  const connection: Connection = { lastHeardAt: now };
  context.connections.set(member, connection);
  return ping(context, connection, now);
}

/** Anything received from `member` shows its connection alive. */
export function heardFrom(context: EtcdClientContext, member: Address, now: number): void {
  const connection = context.connections.get(member);
  if (connection) connection.lastHeardAt = now;
}

/** A ping's answer: the connection is alive — or, from another incarnation of the member, was reset. */
export function receivePong(context: EtcdClientContext, answer: HealthOk, now: number): 'alive' | 'reset' | 'ignored' {
  const connection = context.connections.get(answer.from);
  if (!connection || !answer.id.startsWith(`${context.self}:keepalive:`)) return 'ignored';
  if (connection.incarnation !== undefined && connection.incarnation !== answer.incarnation) return 'reset';
  connection.incarnation = answer.incarnation;
  connection.lastHeardAt = now;
  if (connection.probe?.id === answer.id) connection.probe = undefined;
  return 'alive';
}

/** Members some open watch or pending operation is on: the connections with streams. */
export function membersInUse(context: EtcdClientContext): Set<Address> {
  const used = new Set<Address>();
  for (const op of context.pending.values()) used.add(op.target);
  for (const watch of context.watches.values()) used.add(watch.target);
  return used;
}

export type KeepaliveDue = { kind: 'ping'; member: Address; probe: HealthProbe } | { kind: 'lost'; member: Address };

/**
 * At `now`: pings for connections quiet for keepaliveTime, and the connections whose ping went unanswered.
 * Connections without streams go dormant (forgotten; the next use dials again), as grpc-go's keepalive does
 * without PermitWithoutStream.
 */
export function dueKeepalives(context: EtcdClientContext, now: number): KeepaliveDue[] {
  const used = membersInUse(context);
  const due: KeepaliveDue[] = [];
  for (const [member, connection] of context.connections) {
    if (!used.has(member)) context.connections.delete(member);
    else if (connection.probe && now >= connection.probe.deadline) due.push({ kind: 'lost', member });
    else if (!connection.probe && now - connection.lastHeardAt >= context.keepaliveTimeMs) {
      due.push({ kind: 'ping', member, probe: ping(context, connection, now) });
    }
  }
  return due;
}

/** The earliest instant anything is due: an attempt or request deadline, a watch's creation, a ping. */
export function nextDeadline(context: EtcdClientContext): number {
  let at = Infinity;
  for (const op of context.pending.values()) at = Math.min(at, op.attemptDeadline, op.deadline);
  for (const watch of context.watches.values()) if (watch.createDeadline > 0) at = Math.min(at, watch.createDeadline);
  for (const connection of context.connections.values()) {
    at = Math.min(at, connection.probe ? connection.probe.deadline : connection.lastHeardAt + context.keepaliveTimeMs);
  }
  return at;
}
