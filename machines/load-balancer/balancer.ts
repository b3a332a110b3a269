// The load balancer's logic over its state, mutated in place (it sits on every kubelet's and kube-proxy's
// traffic, so it must cost O(1) per message). Every function returns what to emit, in order.
//
// TCP balancing as HAProxy does it in front of kube-apiservers: a client (an address) sticks to the
// backend it was first given (round robin over the healthy ones) until that backend goes down; then its
// connections are reset — each open watch ends, as the stream would break — and its next request picks a
// healthy backend again. Requests are forwarded under `<client>|<requestId>` so answers route back with
// no table; only open watches are remembered (to end them on a reset).
import type { Address } from '../../src/bus/envelope.ts';
import type { HostedEmitted } from '../../src/host/contract.ts';
import { HEALTH_PROBE } from '../../src/host/contract.ts';
import { resolveLoadBalancerConfig, type LoadBalancerConfig, type ResolvedLoadBalancerConfig } from './config.ts';

export interface BackendHealth {
  up: boolean;
  /** Consecutive missed probes (while up) / answered probes (while down). */
  misses: number;
  answers: number;
  /** The probe awaiting its answer. */
  probe?: string;
}

interface OpenWatch {
  readonly client: Address;
  readonly requestId: string;
  lastSeq: number;
}

export interface BalancerState {
  readonly self: Address;
  readonly config: ResolvedLoadBalancerConfig;
  readonly backends: Map<Address, BackendHealth>;
  /** The stick table: client → backend. */
  readonly sticky: Map<Address, Address>;
  /** Open watches by backend, keyed by the forwarded request id. */
  readonly watches: Map<Address, Map<string, OpenWatch>>;
  /** Round-robin position over the backends. */
  next: number;
  probeSeq: number;
  readonly stats: { forwarded: number; refused: number; resets: number; wentDown: number; cameUp: number };
}

type Message = { type: string; from?: Address; requestId?: string; [field: string]: unknown };

const SEPARATOR = '|';

export function newBalancer(self: Address, config: LoadBalancerConfig): BalancerState {
  const resolved = resolveLoadBalancerConfig(config);
  return {
    self,
    config: resolved,
    // Servers start up (HAProxy's default): checks take them down if they do not answer.
    backends: new Map(resolved.backends.map((b) => [b, { up: true, misses: 0, answers: 0 }])),
    sticky: new Map(),
    watches: new Map(resolved.backends.map((b) => [b, new Map()])),
    next: 0,
    probeSeq: 0,
    stats: { forwarded: 0, refused: 0, resets: 0, wentDown: 0, cameUp: 0 },
  };
}

const send = (to: Address, message: Record<string, unknown> & { type: string }): HostedEmitted => ({ type: 'net.send', to, message });

/** The client's backend: its sticky one while up, else the next healthy one round robin (none: undefined). */
function backendFor(state: BalancerState, client: Address): Address | undefined {
  const stuck = state.sticky.get(client);
  if (stuck !== undefined && state.backends.get(stuck)?.up) return stuck;
  const all = state.config.backends;
  for (let i = 0; i < all.length; i++) {
    const candidate = all[(state.next + i) % all.length];
    if (state.backends.get(candidate)!.up) {
      state.next = (state.next + i + 1) % all.length;
      state.sticky.set(client, candidate);
      return candidate;
    }
  }
  state.sticky.delete(client);
  return undefined;
}

/** 503 with HAProxy's text: no healthy backend to connect to. */
function unavailable(requestId: string): Record<string, unknown> & { type: string } {
  return {
    type: 'api.response', requestId, code: 503,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'ServiceUnavailable', message: 'No server is available to handle this request.', code: 503 },
  };
}

/** client → backend. */
export function forwardRequest(state: BalancerState, message: Message): HostedEmitted[] {
  const client = message.from;
  if (typeof client !== 'string' || typeof message.requestId !== 'string') return [];
  const backend = backendFor(state, client);
  if (backend === undefined) {
    state.stats.refused++;
    return [send(client, unavailable(message.requestId))];
  }
  const wireId = `${client}${SEPARATOR}${message.requestId}`;
  if ((message.request as { verb?: string } | undefined)?.verb === 'watch') {
    state.watches.get(backend)!.set(wireId, { client, requestId: message.requestId, lastSeq: 0 });
  }
  state.stats.forwarded++;
  const { from: _from, ...rest } = message;
  return [send(backend, { ...rest, requestId: wireId })];
}

/** client → backend: the client closed a watch or stream. */
export function forwardCancel(state: BalancerState, message: Message): HostedEmitted[] {
  const client = message.from;
  if (typeof client !== 'string' || typeof message.requestId !== 'string') return [];
  const backend = state.sticky.get(client);
  if (backend === undefined) return [];
  const wireId = `${client}${SEPARATOR}${message.requestId}`;
  state.watches.get(backend)!.delete(wireId);
  return [send(backend, { type: message.type, requestId: wireId })];
}

function split(wireId: string): { client: Address; requestId: string } | undefined {
  const at = wireId.indexOf(SEPARATOR);
  return at < 0 ? undefined : { client: wireId.slice(0, at), requestId: wireId.slice(at + 1) };
}

/** backend → client: an answer, a watch batch or a stream piece, under the client's own request id. */
export function forwardAnswer(state: BalancerState, message: Message): HostedEmitted[] {
  if (typeof message.requestId !== 'string' || typeof message.from !== 'string') return [];
  const route = split(message.requestId);
  if (route === undefined) return [];
  const open = state.watches.get(message.from);
  if (open !== undefined) {
    const watch = open.get(message.requestId);
    if (watch !== undefined) {
      if (message.type === 'api.watch' && typeof message.seq === 'number') watch.lastSeq = Math.max(watch.lastSeq, message.seq);
      // A watch ends when its stream closes, or fails before starting.
      if (message.closed === true || (message.type === 'api.response' && typeof message.code === 'number' && message.code >= 300)) open.delete(message.requestId);
    }
  }
  const { from: _from, ...rest } = message;
  return [send(route.client, { ...rest, requestId: route.requestId })];
}

/** A backend went down: its clients are reset — every open watch ends — and re-balanced on their next request. */
function resetClientsOf(state: BalancerState, backend: Address): HostedEmitted[] {
  const emits: HostedEmitted[] = [];
  const open = state.watches.get(backend)!;
  for (const [wireId, watch] of open) {
    state.stats.resets++;
    emits.push(send(watch.client, { type: 'api.watch', requestId: watch.requestId, events: [], closed: true, seq: watch.lastSeq + 1 }));
    emits.push(send(backend, { type: 'api.watch.cancel', requestId: wireId }));
  }
  open.clear();
  for (const [client, b] of state.sticky) if (b === backend) state.sticky.delete(client);
  return emits;
}

/** Every `inter`: count the probes left unanswered, move backends down, probe every backend again. */
export function runHealthChecks(state: BalancerState): HostedEmitted[] {
  const emits: HostedEmitted[] = [];
  for (const [backend, health] of state.backends) {
    if (health.probe !== undefined) {
      health.answers = 0;
      health.misses++;
      if (health.up && health.misses >= state.config.fall) {
        health.up = false;
        state.stats.wentDown++;
        emits.push({ type: 'obs.lb.backend', backend, up: false });
        emits.push(...resetClientsOf(state, backend));
      }
    }
    state.probeSeq++;
    health.probe = `${state.self}/check-${state.probeSeq}`;
    emits.push(send(backend, { type: HEALTH_PROBE, id: health.probe }));
  }
  return emits;
}

/** A probe's answer (late ones, for an older probe, are ignored as HAProxy's check timeout would). */
export function onHealthOk(state: BalancerState, message: Message): HostedEmitted[] {
  const health = typeof message.from === 'string' ? state.backends.get(message.from) : undefined;
  if (health === undefined || health.probe === undefined || message.id !== health.probe) return [];
  health.probe = undefined;
  health.misses = 0;
  health.answers++;
  if (!health.up && health.answers >= state.config.rise) {
    health.up = true;
    state.stats.cameUp++;
    return [{ type: 'obs.lb.backend', backend: message.from as Address, up: true }];
  }
  return [];
}

export function healthyBackends(state: BalancerState): Address[] {
  return [...state.backends].filter(([, h]) => h.up).map(([b]) => b);
}
