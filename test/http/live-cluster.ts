import { etcdMemberMachine } from '../../machines/etcd-member/index.ts';
import { hostApiServer } from '../../src/apiserver/host.ts';
import { Simulation } from '../../src/host/simulation.ts';
import { startFrontDoor, type FrontDoor, type FrontDoorOptions } from '../../src/http/index.ts';
import { KUBESIM_EPOCH_MS } from '../../src/kubelet/format.ts';
import { RealTimeClock } from '../../src/sim/clock.ts';

/**
 * A live control plane for front-door tests: 3 etcd members and N apiservers on the real-time clock (so
 * timestamps are wall time, as under `kubesim up`), and the front door on a free port of 127.0.0.1.
 */
export interface LiveCluster {
  sim: Simulation;
  clock: RealTimeClock;
  door: FrontDoor;
  url: string;
  apiservers: string[];
  /** GET/POST/... against the front door. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

const MEMBERS = ['etcd-1', 'etcd-2', 'etcd-3'];

export async function startLiveCluster(
  options: { apiservers?: number; door?: Partial<FrontDoorOptions>; apiserverConfig?: Record<string, unknown> } = {},
): Promise<LiveCluster> {
  const clock = new RealTimeClock({ startMs: Date.now() - KUBESIM_EPOCH_MS });
  const sim = new Simulation({ seed: 1, clock, link: { latency: { kind: 'constant', ms: 0 } } });
  for (const m of MEMBERS) sim.add(m, etcdMemberMachine, { members: MEMBERS, electionTimeoutMs: 300, heartbeatIntervalMs: 50 });
  const apiservers = Array.from({ length: options.apiservers ?? 1 }, (_, i) => `apiserver-${i}`);
  for (const a of apiservers) {
    hostApiServer(sim, a, { etcdMembers: MEMBERS, etcdClient: { attemptTimeoutMs: 500, requestTimeoutMs: 3_000 }, config: { ...options.apiserverConfig } });
  }
  const door = await startFrontDoor({
    bus: sim.bus,
    apiservers,
    now: () => clock.now(),
    port: 0,
    liveness: (a) => (sim.has(a) && sim.host(a).status === 'running' ? sim.host(a).incarnation : undefined),
    ...options.door,
  });
  const fetchAt = (path: string, init?: RequestInit): Promise<Response> => fetch(`${door.url}${path}`, init);
  const cluster: LiveCluster = {
    sim, clock, door, url: door.url, apiservers,
    fetch: fetchAt,
    async json(path, init) {
      const response = await fetchAt(path, init);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body, headers: response.headers };
    },
    async stop() {
      await door.close();
      sim.stopAll();
      clock.dispose();
    },
  };
  await waitFor(async () => (await fetchAt('/readyz')).status === 200, 20_000);
  return cluster;
}

export async function waitFor(predicate: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

export function configMap(name: string, data: Record<string, string> = {}, labels?: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

export const JSON_HEADERS = { 'Content-Type': 'application/json' };

export interface WatchStream {
  status: number;
  headers: Headers;
  /** Every event line received so far, parsed. */
  events: { type: string; object: any }[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Waits until `count` events have arrived. */
  waitForEvents(count: number, timeoutMs?: number): Promise<void>;
  abort(): void;
}

/** Opens a watch (GET with a streamed body) and collects its JSON lines as they arrive. */
export async function openWatch(url: string, init: RequestInit = {}): Promise<WatchStream> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const events: { type: string; object: any }[] = [];
  const ended = (async () => {
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line !== '') events.push(JSON.parse(line));
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    events,
    ended,
    waitForEvents: (count, timeoutMs = 10_000) => waitFor(() => events.length >= count, timeoutMs, 20),
    abort: () => controller.abort(),
  };
}
