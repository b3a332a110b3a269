// One health check per connection, as client-go's HTTP/2 transport does it. Every client of a process
// (its informers, its leader elector, its controllers' writes) shares one connection per apiserver
// (client-go's transport cache), and golang.org/x/net/http2 pings that connection when no frame has been
// read on it for ReadIdleTimeout (30 s); no ping ack within PingTimeout (15 s) and the connection is closed
// ("http2: client connection lost"), which ends every watch and request on it. Pure data and functions:
// a component keeps one `ConnectionHealth` beside its informers, feeds it every message read from an
// apiserver (`connectionRead`) and the `health.ok` answers, ticks it with its timers, and hands each
// `lost` address to its informers (`informerConnectionLost`).
import type { Address } from '../bus/envelope.ts';
import type { HealthProbe } from '../host/contract.ts';
import type { Outgoing } from './requests.ts';

export interface LivenessOptions {
  /** No frame read for this long: ping (ReadIdleTimeout). */
  readonly idleMs: number;
  /** No ping ack within this long: the connection is dead (PingTimeout). */
  readonly timeoutMs: number;
}

/** client-go's transport defaults for the HTTP/2 health pings (rest.Config → http2.ConfigureTransports). */
export const WATCH_LIVENESS: LivenessOptions = Object.freeze({ idleMs: 30_000, timeoutMs: 15_000 });

export interface ConnectionState {
  /** The last frame read on it (or when it was opened). */
  readonly lastReadAt: number;
  /** An unanswered ping: its id, and when the connection is given up. */
  readonly probe?: { readonly id: string; readonly deadline: number };
}

export interface ConnectionHealth {
  readonly options: LivenessOptions;
  /** Makes probe ids unique per host and incarnation (e.g. "kcm-0#1"). */
  readonly idPrefix: string;
  readonly seq: number;
  /** By apiserver address (one connection each). */
  readonly connections: Readonly<Record<Address, ConnectionState>>;
  /** Connections given up so far (for tests and traces). */
  readonly lost: number;
}

export interface ConnectionHealthStep {
  readonly state: ConnectionHealth;
  /** `health.probe`s to send. */
  readonly probes: readonly Outgoing<HealthProbe>[];
  /** Connections found dead: every informer (and request) on them fails. */
  readonly lost: readonly Address[];
}

/** The connections a process opens at `now` (one per apiserver it talks to). */
export function newConnectionHealth(idPrefix: string, apiservers: readonly Address[], now: number, options: LivenessOptions = WATCH_LIVENESS): ConnectionHealth {
  const connections: Record<Address, ConnectionState> = {};
  for (const a of apiservers) connections[a] = { lastReadAt: now };
  return { options, idPrefix, seq: 0, connections, lost: 0 };
}

/**
 * A frame read from `from`: the connection is alive. An outstanding ping is settled too: over TCP its ack
 * could not be lost while later frames arrive.
 */
export function connectionRead(state: ConnectionHealth, from: Address, now: number): ConnectionHealth {
  const c = state.connections[from];
  if (c === undefined || (c.lastReadAt === now && c.probe === undefined)) return state;
  return { ...state, connections: { ...state.connections, [from]: { lastReadAt: now } } };
}

/** True when `id` is one of these connections' pings (the holder routes `health.ok` here). */
export function ownsConnectionProbe(state: ConnectionHealth, id: string): boolean {
  for (const c of Object.values(state.connections)) if (c.probe?.id === id) return true;
  return false;
}

/** A ping ack (`health.ok`): a read on that connection. */
export function connectionProbeAnswered(state: ConnectionHealth, id: string, now: number): ConnectionHealth {
  for (const [address, c] of Object.entries(state.connections)) {
    if (c.probe?.id === id) return { ...state, connections: { ...state.connections, [address]: { lastReadAt: now } } };
  }
  return state;
}

/** A holder of a process's connections (a component's state), updated immutably. */
interface HoldsConnections {
  readonly connections: ConnectionHealth;
}

/** `holder` after a frame read from `from` (`connectionRead`): the same object when nothing changed. */
export function withConnectionRead<S extends HoldsConnections>(holder: S, from: Address, now: number): S {
  const connections = connectionRead(holder.connections, from, now);
  return connections === holder.connections ? holder : { ...holder, connections };
}

/** `holder` after a `health.ok` (`connectionProbeAnswered`): the same object when the ping is not its own. */
export function withProbeAnswered<S extends HoldsConnections>(holder: S, id: string, now: number): S {
  const connections = connectionProbeAnswered(holder.connections, id, now);
  return connections === holder.connections ? holder : { ...holder, connections };
}

/** Pings idle connections; gives up those whose ping went unanswered. A lost connection is redialled at once. */
export function tickConnections(state: ConnectionHealth, now: number): ConnectionHealthStep {
  let current = state;
  const probes: Outgoing<HealthProbe>[] = [];
  const lost: Address[] = [];
  for (const [address, c] of Object.entries(state.connections)) {
    if (c.probe) {
      if (now < c.probe.deadline) continue;
      // closeForLostPing: the next request dials a new connection, whose idle clock starts now.
      lost.push(address);
      current = { ...current, lost: current.lost + 1, connections: { ...current.connections, [address]: { lastReadAt: now } } };
    } else if (now >= c.lastReadAt + state.options.idleMs) {
      const seq = current.seq + 1;
      const id = `${state.idPrefix}/conn/${address}/ping-${seq}`;
      probes.push({ to: address, message: { type: 'health.probe', id } });
      current = { ...current, seq, connections: { ...current.connections, [address]: { lastReadAt: c.lastReadAt, probe: { id, deadline: now + state.options.timeoutMs } } } };
    }
  }
  return { state: current, probes, lost };
}

/** When `tickConnections` next has something to do. */
export function connectionsDeadline(state: ConnectionHealth): number | undefined {
  let next = Infinity;
  for (const c of Object.values(state.connections)) next = Math.min(next, c.probe ? c.probe.deadline : c.lastReadAt + state.options.idleMs);
  return next === Infinity ? undefined : next;
}

/** The id of an unanswered ping, if any (review samples answer it). */
export function pendingProbe(state: ConnectionHealth): string | undefined {
  for (const c of Object.values(state.connections)) if (c.probe) return c.probe.id;
  return undefined;
}
