// The simulated cloud's load balancer service as pure functions over one value. Each load balancer gets
// an external IP from a pool (by default 203.0.113.10–203.0.113.250 of TEST-NET-3, RFC 5737's range for
// documentation, so it can never clash with a real address), forwards its ports to the node port on every
// backend node, and takes time: provisioning a new one answers after `provisionMs`, changing or deleting
// one after `updateMs`. The load balancers are the cloud's durable state (its disk); answers in flight are
// not (a crashed cloud API answers nothing, and the caller's timeout retries).
import type { HostedEmitted } from '../host/contract.ts';
import { CLOUD_PROVIDER_ADDRESS, type CloudCall, type CloudRequestMessage, type CloudResponseMessage, type LoadBalancerNode, type LoadBalancerPort } from './protocol.ts';

export interface CloudConfig {
  /** First and last external IP handed out (inclusive, one /24). */
  poolStart?: string;
  poolEnd?: string;
  /** Creating a load balancer (default 10 s). */
  provisionMs?: number;
  /** Changing backends or deleting one (default 2 s). */
  updateMs?: number;
}

export const DEFAULT_CLOUD_CONFIG: Required<CloudConfig> = Object.freeze({
  poolStart: '203.0.113.10',
  poolEnd: '203.0.113.250',
  provisionMs: 10_000,
  updateMs: 2_000,
});

export interface LoadBalancer {
  readonly name: string;
  /** The Service it was made for, "namespace/name". */
  readonly service: string;
  readonly ip: string;
  readonly ports: readonly LoadBalancerPort[];
  readonly nodes: readonly LoadBalancerNode[];
  /** When it starts answering (provisioning until then). */
  readonly readyAt: number;
}

interface PendingAnswer {
  readonly at: number;
  readonly to: string;
  readonly message: CloudResponseMessage;
}

export interface CloudState {
  readonly config: Required<CloudConfig>;
  readonly balancers: Readonly<Record<string, LoadBalancer>>;
  readonly pending: readonly PendingAnswer[];
  readonly served: number;
}

export interface CloudOutcome {
  readonly state: CloudState;
  readonly emits: readonly HostedEmitted[];
}

export const CLOUD_STATE_KEY = 'load-balancers';

export function newCloud(config: CloudConfig = {}, disk: ReadonlyMap<string, unknown> = new Map()): CloudState {
  const saved = disk.get(CLOUD_STATE_KEY) as Record<string, LoadBalancer> | undefined;
  return { config: { ...DEFAULT_CLOUD_CONFIG, ...config }, balancers: saved ?? {}, pending: [], served: 0 };
}

const octets = (ip: string) => ip.split('.').map(Number);

/** The lowest free address of the pool, or undefined when every one is taken. */
export function allocateIP(state: CloudState): string | undefined {
  const [a, b, c, first] = octets(state.config.poolStart);
  const last = octets(state.config.poolEnd)[3];
  const taken = new Set(Object.values(state.balancers).map((lb) => lb.ip));
  for (let d = first; d <= last; d++) {
    const ip = `${a}.${b}.${c}.${d}`;
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}

function persist(balancers: Record<string, LoadBalancer>): HostedEmitted[] {
  return [{ type: 'disk.write', key: CLOUD_STATE_KEY, value: balancers }, { type: 'disk.sync' }];
}

function answer(state: CloudState, at: number, to: string, message: CloudResponseMessage): CloudState {
  return { ...state, pending: [...state.pending, { at, to, message }] };
}

/** One API call: the state after it, and what to write to disk now; the answer waits in `pending`. */
export function serveCall(state: CloudState, from: string, message: CloudRequestMessage, now: number): CloudOutcome {
  const { requestId } = message;
  const call: CloudCall = message.call;
  const served = { ...state, served: state.served + 1 };
  const existing = served.balancers[call.name];
  const reply = (at: number, fields: Omit<CloudResponseMessage, 'type' | 'requestId'>) =>
    answer(served, at, from, { type: 'cloud.response', requestId, ...fields });
  switch (call.op) {
    case 'GetLoadBalancer':
      return { state: reply(now, { ok: true, ...(existing && existing.readyAt <= now ? { ingress: { ip: existing.ip } } : {}) }), emits: [] };
    case 'EnsureLoadBalancer': {
      if (existing) {
        // Still provisioning: the answer comes when it is up. Up: reconfigure (ports, backends).
        const balancers = { ...served.balancers, [call.name]: { ...existing, ports: call.ports, nodes: call.nodes } };
        const at = existing.readyAt > now ? existing.readyAt : now + served.config.updateMs;
        return { state: { ...reply(at, { ok: true, ingress: { ip: existing.ip } }), balancers }, emits: persist(balancers) };
      }
      const ip = allocateIP(served);
      if (ip === undefined) {
        return { state: reply(now, { ok: false, error: `no free external IP address in ${served.config.poolStart}-${served.config.poolEnd}` }), emits: [] };
      }
      const lb: LoadBalancer = { name: call.name, service: call.service, ip, ports: call.ports, nodes: call.nodes, readyAt: now + served.config.provisionMs };
      const balancers = { ...served.balancers, [call.name]: lb };
      return { state: { ...reply(lb.readyAt, { ok: true, ingress: { ip } }), balancers }, emits: persist(balancers) };
    }
    case 'UpdateLoadBalancer': {
      if (!existing) return { state: reply(now, { ok: false, error: `load balancer ${call.name} not found` }), emits: [] };
      const balancers = { ...served.balancers, [call.name]: { ...existing, nodes: call.nodes } };
      return { state: { ...reply(Math.max(existing.readyAt, now + served.config.updateMs), { ok: true }), balancers }, emits: persist(balancers) };
    }
    case 'EnsureLoadBalancerDeleted': {
      if (!existing) return { state: reply(now, { ok: true }), emits: [] };
      const { [call.name]: _gone, ...balancers } = served.balancers;
      return { state: { ...reply(now + served.config.updateMs, { ok: true }), balancers }, emits: persist(balancers) };
    }
  }
}

/** Sends every answer that is due. */
export function sendDue(state: CloudState, now: number): CloudOutcome {
  const due = state.pending.filter((p) => p.at <= now);
  if (due.length === 0) return { state, emits: [] };
  return {
    state: { ...state, pending: state.pending.filter((p) => p.at > now) },
    emits: due.map((p) => ({ type: 'net.send', to: p.to, message: { ...p.message } })),
  };
}

export function nextAnswerAt(state: CloudState): number | undefined {
  return state.pending.length === 0 ? undefined : Math.min(...state.pending.map((p) => p.at));
}

/** Upstream's cloudprovider.DefaultLoadBalancerName: "a" + the Service's UID without dashes, at most 32 characters. */
export function loadBalancerName(uid: string): string {
  return `a${uid.replace(/-/g, '')}`.slice(0, 32);
}

export { CLOUD_PROVIDER_ADDRESS };
