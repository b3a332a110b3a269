import { etcdMemberMachine } from '../machines/etcd-member/index.ts';
import { hostApiServer } from '../src/apiserver/host.ts';
import { Simulation } from '../src/host/simulation.ts';
import { startFrontDoor, type FrontDoor } from '../src/http/index.ts';
import { KUBESIM_EPOCH_MS } from '../src/kubelet/format.ts';
import { RealTimeClock } from '../src/sim/clock.ts';
import { formatFigures, isMain, type Figures } from './harness.ts';

/**
 * The HTTP front door over a live control plane (3 etcd members, one apiserver actor, real time):
 *  - `kubectl get pods` as kubectl sends it (Table Accept header, `limit=500` pages followed by
 *    `continue`) with 1,000 pods stored: latency per command, p50 and p99 (target p99 ≤ 100 ms);
 *  - 100 concurrent watchers of one resource while it is written: events written to the streams per
 *    second (bounded by the write rate), and 100 watchers opened at once replaying 90 events each from
 *    the watch cache (the fan-out path alone).
 */

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const MEMBERS = ['etcd-1', 'etcd-2', 'etcd-3'];

interface Plane {
  sim: Simulation;
  clock: RealTimeClock;
  door: FrontDoor;
  stop(): Promise<void>;
}

async function startPlane(): Promise<Plane> {
  const clock = new RealTimeClock({ startMs: Date.now() - KUBESIM_EPOCH_MS });
  const sim = new Simulation({ seed: 1, clock });
  for (const m of MEMBERS) sim.add(m, etcdMemberMachine, { members: MEMBERS });
  hostApiServer(sim, 'apiserver-0', { etcdMembers: MEMBERS });
  const door = await startFrontDoor({ bus: sim.bus, apiservers: ['apiserver-0'], now: () => clock.now(), port: 0 });
  const deadline = Date.now() + 60_000;
  while ((await fetch(`${door.url}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('control plane not ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    sim, clock, door,
    async stop() {
      await door.close();
      sim.stopAll();
      clock.dispose();
    },
  };
}

function pod(i: number): object {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `bench-${String(i).padStart(4, '0')}`, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/**
 * How the list is asked for: as kubectl does by default (`limit=500` pages, resourceVersion unset: 1.31
 * reads paginated consistent lists from etcd), `resourceVersion=0` pages (the first page from the watch
 * cache, continuations from etcd), or unpaginated (`kubectl get pods --chunk-size=0`: a consistent list
 * served by the watch cache once it has caught up with etcd's revision — ConsistentListFromCache).
 */
type ListMode = 'pages' | 'pages-rv0' | 'unpaginated';

/** One `kubectl get pods`: every page of the Table list. Returns the rows seen. */
async function getPods(url: string, mode: ListMode = 'pages'): Promise<number> {
  let rows = 0;
  let token = '';
  do {
    const limit = mode === 'unpaginated' ? '' : 'limit=500';
    const page = token ? `&continue=${encodeURIComponent(token)}` : mode === 'pages-rv0' ? '&resourceVersion=0' : '';
    const res = await fetch(`${url}/api/v1/namespaces/default/pods?${limit}${page}`, {
      headers: { Accept: TABLE_ACCEPT },
    });
    const table = (await res.json()) as { rows?: unknown[]; metadata?: { continue?: string } };
    if (res.status !== 200) throw new Error(`get pods answered ${res.status}`);
    rows += table.rows?.length ?? 0;
    token = table.metadata?.continue ?? '';
  } while (token !== '');
  return rows;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function getPodsLatency(plane: Plane, pods: number, runs: number): Promise<Figures> {
  const url = plane.door.url;
  const started = performance.now();
  await pool(Array.from({ length: pods }, (_, i) => i), 32, async (i) => {
    const res = await fetch(`${url}/api/v1/namespaces/default/pods`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(pod(i)),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`create pod answered ${res.status}`);
  });
  const createSeconds = (performance.now() - started) / 1000;
  let rows = 0;
  for (let i = 0; i < 5; i++) rows = await getPods(url); // warm-up
  /** Latencies sorted, and the bench process's CPU milliseconds per command (server and client share it). */
  const measure = async (mode: ListMode): Promise<{ latencies: number[]; cpuMs: number }> => {
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await getPods(url, mode);
      latencies.push(performance.now() - t);
    }
    const used = process.cpuUsage(cpu);
    return { latencies: latencies.sort((a, b) => a - b), cpuMs: (used.user + used.system) / 1000 / runs };
  };
  const figures: Figures = {
    [`pods created over HTTP (32 in flight), per second`]: Math.round(pods / createSeconds),
    [`kubectl get pods (${pods} pods, Table, limit=500 pages): rows`]: rows,
  };
  const labels: Record<ListMode, string> = {
    pages: 'kubectl get pods (limit=500 pages, from etcd)',
    'pages-rv0': 'same, resourceVersion=0 (first page from the watch cache)',
    unpaginated: 'kubectl get pods --chunk-size=0 (consistent list from the watch cache)',
  };
  for (const mode of ['pages', 'pages-rv0', 'unpaginated'] as const) {
    const { latencies, cpuMs } = await measure(mode);
    figures[`${labels[mode]}: p50 ms`] = Number(percentile(latencies, 50).toFixed(1));
    figures[`${labels[mode]}: p99 ms${mode === 'pages' ? ' (target ≤ 100)' : ''}`] = Number(percentile(latencies, 99).toFixed(1));
    figures[`${labels[mode]}: CPU ms per command`] = Number(cpuMs.toFixed(1));
  }
  return figures;
}

async function watchFanOut(plane: Plane, watchers: number, writes: number): Promise<Figures> {
  const url = plane.door.url;
  const controllers: AbortController[] = [];
  const counts = new Array<number>(watchers).fill(0);
  const rv = ((await (await fetch(`${url}/api/v1/namespaces/default/configmaps`)).json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const streams = await Promise.all(Array.from({ length: watchers }, async (_, w) => {
    const controller = new AbortController();
    controllers.push(controller);
    const res = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`, { signal: controller.signal });
    const reader = res.body!.getReader();
    // Wrapped: an async function returning the reading promise itself would wait for the stream's end.
    return { reading: (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          for (const byte of value) if (byte === 0x0a) counts[w]++;
        }
      } catch {
        // aborted
      }
    })() };
  }));
  const started = performance.now();
  await pool(Array.from({ length: writes }, (_, i) => i), 16, async (i) => {
    const res = await fetch(`${url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fan-${i}` }, data: { i: String(i) } }),
    });
    await res.arrayBuffer();
  });
  const written = performance.now();
  const deadline = Date.now() + 60_000;
  while (counts.some((c) => c < writes) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  const finished = performance.now();
  const elapsed = (finished - started) / 1000;
  const delivered = counts.reduce((a, b) => a + b, 0);
  for (const c of controllers) c.abort();
  await Promise.all(streams.map((s) => s.reading));
  return {
    [`watch fan-out: ${watchers} watchers × ${writes} writes, events delivered`]: delivered,
    'watch fan-out: events written to streams per second': Math.round(delivered / elapsed),
    'watch fan-out: last event after the last write answered, ms': Number((finished - written).toFixed(1)),
  };
}

/** `watchers` watches opened at once from a revision `events` writes back: each replays them from the cache. */
async function watchReplay(plane: Plane, watchers: number, events: number): Promise<Figures> {
  const url = plane.door.url;
  const rv = ((await (await fetch(`${url}/api/v1/namespaces/default/secrets`)).json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  await pool(Array.from({ length: events }, (_, i) => i), 16, async (i) => {
    const res = await fetch(`${url}/api/v1/namespaces/default/secrets`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `replay-${i}` }, stringData: { i: String(i) } }),
    });
    await res.arrayBuffer();
  });
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: watchers }, async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/api/v1/namespaces/default/secrets?watch=1&resourceVersion=${rv}`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let lines = 0;
    while (lines < events) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const byte of value) if (byte === 0x0a) lines++;
    }
    controller.abort();
    return lines;
  }));
  const seconds = (performance.now() - started) / 1000;
  const delivered = counts.reduce((a, b) => a + b, 0);
  return {
    [`watch replay: ${watchers} watchers opened at once, ${events} events each, delivered`]: delivered,
    'watch replay: events streamed per second': Math.round(delivered / seconds),
  };
}

/** `only = 'get-pods'` measures `kubectl get pods` alone. */
export async function run(only?: string): Promise<Figures> {
  const plane = await startPlane();
  try {
    if (only === 'get-pods') return await getPodsLatency(plane, 1_000, 100);
    return {
      ...(await getPodsLatency(plane, 1_000, 50)),
      ...(await watchFanOut(plane, 100, 200)),
      ...(await watchReplay(plane, 100, 90)),
    };
  } finally {
    await plane.stop();
  }
}

if (isMain(import.meta.url)) process.stdout.write(formatFigures('http', await run(process.argv[2])));
