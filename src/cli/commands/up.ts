import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { buildCluster, InputError, type Cluster, type ClusterSpec } from '../../cluster/index.ts';
import { startFrontDoor, writeKubeconfig, type FrontDoor } from '../../http/index.ts';
import { KUBESIM_EPOCH_MS } from '../../kubelet/format.ts';
import { startLiveInspection, type LiveInspection } from '../../review/inspection/live-inspection.ts';
import { RealTimeClock } from '../../sim/clock.ts';
import { parseInteger } from '../flags.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `kubesim up`: a cluster on the real-time clock behind the HTTP front door, with a kubeconfig for kubectl.
 * Runs until SIGINT/SIGTERM, then stops every component and closes every connection.
 */

export interface UpOptions {
  port: number;
  host?: string;
  kubeconfig: string;
  spec: ClusterSpec;
  seed: number;
  /** Stately inspector port (live inspection of every actor), if any. */
  inspectPort?: number;
  inspectFilter?: string;
  /** One line per HTTP request on stderr. */
  verbose?: boolean;
  /** How long to wait for /readyz and Ready nodes before returning (default 60 s; 0: do not wait). */
  readyTimeoutMs?: number;
}

export interface RunningCluster {
  cluster: Cluster;
  door: FrontDoor;
  clock: RealTimeClock;
  kubeconfig: string;
  inspection?: LiveInspection;
  /** What was not ready yet when startUp stopped waiting (empty: all ready). */
  notReady?: string[];
  stop(): Promise<void>;
}

export const DEFAULT_KUBECONFIG = resolve(homedir(), '.kube', 'kubesim.yaml');

/** Builds the cluster on wall-clock time, serves it and writes the kubeconfig (used by tests in-process). */
export async function startUp(options: UpOptions): Promise<RunningCluster> {
  // Virtual time is wall time since the model's epoch, so object timestamps (and kubectl's AGE) are real.
  const clock = new RealTimeClock({ startMs: Date.now() - KUBESIM_EPOCH_MS });
  const inspection = options.inspectPort !== undefined
    ? await startLiveInspection({ port: options.inspectPort, filter: options.inspectFilter })
    : undefined;
  let cluster: Cluster;
  try {
    cluster = buildCluster(options.spec, { seed: options.seed, clock, ...(inspection ? { inspect: inspection.inspect } : {}) });
  } catch (error) {
    clock.dispose();
    await inspection?.close();
    if (error instanceof InputError) throw new UsageError(`bad cluster spec: ${error.message}`);
    throw error;
  }
  const sim = cluster.sim;
  let door: FrontDoor;
  try {
    door = await startFrontDoor({
      bus: sim.bus,
      apiservers: cluster.apiservers,
      now: () => clock.now(),
      host: options.host ?? '127.0.0.1',
      port: options.port,
      liveness: (address) => (sim.has(address) && sim.host(address).status === 'running' ? sim.host(address).incarnation : undefined),
      extraMetrics: () => clusterMetrics(cluster),
      ...(options.verbose
        ? { onRequest: (r) => process.stderr.write(`${r.method} ${r.url} ${r.code} ${r.ms.toFixed(1)}ms\n`) }
        : {}),
    });
  } catch (error) {
    sim.stopAll();
    clock.dispose();
    await inspection?.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${options.port} is already in use (try --port 0 or another port)`);
    throw error;
  }
  writeKubeconfig(options.kubeconfig, door.url);
  let stopped = false;
  const running: RunningCluster = {
    cluster, door, clock, kubeconfig: options.kubeconfig, ...(inspection ? { inspection } : {}),
    async stop() {
      if (stopped) return;
      stopped = true;
      await door.close();
      sim.stopAll();
      clock.dispose();
      await inspection?.close();
    },
  };
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  if (readyTimeoutMs > 0) running.notReady = await waitUntilReady(door.url, cluster, readyTimeoutMs);
  return running;
}

/**
 * Waits, through the front door as a client would, until /readyz passes and every node is registered and
 * Ready (`kubectl wait --for=condition=Ready nodes --all`). Returns what was still not ready at the deadline.
 */
async function waitUntilReady(url: string, cluster: Cluster, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let waiting: string[] = ['the API server'];
  while (Date.now() < deadline) {
    waiting = await notReady(url, cluster);
    if (waiting.length === 0) return [];
    await new Promise((resolveTimer) => setTimeout(resolveTimer, 200));
  }
  return waiting;
}

async function notReady(url: string, cluster: Cluster): Promise<string[]> {
  try {
    if ((await fetch(`${url}/readyz`)).status !== 200) return ['the API server (/readyz)'];
    if (!cluster.layout.kubelets) return [];
    const nodes = (await (await fetch(`${url}/api/v1/nodes`)).json()) as {
      items?: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
    };
    const ready = new Set((nodes.items ?? [])
      .filter((n) => n.status?.conditions?.some((cond) => cond.type === 'Ready' && cond.status === 'True'))
      .map((n) => n.metadata.name));
    return cluster.layout.nodes.filter((n) => !ready.has(n)).map((n) => `node ${n}`);
  } catch (error) {
    return [`the API server (${(error as Error).message})`];
  }
}

/** A few cluster-wide figures for /metrics, read from the bus (the components' own metrics come later). */
function clusterMetrics(cluster: Cluster): string {
  const stats = cluster.sim.bus.stats;
  const up = (address: string): number => (cluster.sim.has(address) && cluster.sim.host(address).status === 'running' ? 1 : 0);
  const lines = [
    '# HELP kubesim_bus_messages_total Messages the simulated network carried, by outcome.',
    '# TYPE kubesim_bus_messages_total counter',
    `kubesim_bus_messages_total{outcome="sent"} ${stats.sent}`,
    `kubesim_bus_messages_total{outcome="delivered"} ${stats.delivered}`,
    `kubesim_bus_messages_total{outcome="dropped"} ${stats.dropped}`,
    '# HELP kubesim_component_up Whether a component actor is running (1) or crashed (0).',
    '# TYPE kubesim_component_up gauge',
    ...cluster.sim.addresses().sort().map((a) => `kubesim_component_up{address="${a}"} ${up(a)}`),
  ];
  return `${lines.join('\n')}\n`;
}

type UpFlags = Record<string, string | boolean | undefined>;

/** The spec from --spec (a ClusterSpec, or a scenario file's `cluster:` block) with the flags on top. */
export function specFromFlags(opts: UpFlags): ClusterSpec {
  let spec: Record<string, unknown> = {};
  if (typeof opts.spec === 'string') {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(opts.spec, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read --spec ${opts.spec}: ${(error as Error).message}`);
    }
    if (parsed !== null && typeof parsed !== 'object') throw new UsageError(`--spec ${opts.spec}: expected a mapping`);
    const doc = (parsed ?? {}) as Record<string, unknown>;
    spec = (typeof doc.cluster === 'object' && doc.cluster !== null ? doc.cluster : doc) as Record<string, unknown>;
  }
  if (opts.etcd !== undefined) spec.etcd = { ...(spec.etcd as object), members: parseInteger('--etcd', opts.etcd as string, 1, 7) };
  if (opts.apiservers !== undefined) spec.apiservers = parseInteger('--apiservers', opts.apiservers as string, 1, 9);
  const nodeFlags = opts.nodes !== undefined || opts.nodeCpu !== undefined || opts.nodeMemory !== undefined;
  if (nodeFlags) {
    const current = spec.nodes;
    const pool = current !== undefined && !Array.isArray(current) && typeof current === 'object' ? { ...(current as Record<string, unknown>) } : {};
    if (Array.isArray(current) && opts.nodes === undefined) throw new UsageError('--node-cpu/--node-memory need --nodes when the spec lists its nodes');
    const count = opts.nodes !== undefined ? parseInteger('--nodes', opts.nodes as string, 0, 5_000) : (pool.count as number | undefined) ?? 3;
    const capacity = { ...(pool.capacity as object) } as Record<string, string>;
    if (typeof opts.nodeCpu === 'string') capacity.cpu = opts.nodeCpu;
    if (typeof opts.nodeMemory === 'string') capacity.memory = opts.nodeMemory;
    spec.nodes = { ...pool, count, ...(Object.keys(capacity).length > 0 ? { capacity } : {}) };
  }
  return spec as ClusterSpec;
}

/** kube-system as kubeadm shows it (docs/kube-system.md): `kubesim up` turns it on unless the spec says otherwise. */
export function withKubeadmControlPlane(spec: ClusterSpec): ClusterSpec {
  return spec.controlPlane === undefined ? { ...spec, controlPlane: { staticPods: true, addons: true } } : spec;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function usage(running: RunningCluster, seed: number): string {
  const layout = running.cluster.layout;
  const kc = running.kubeconfig;
  return [
    `kubesim: cluster up (seed ${seed}) — ${count(layout.etcdMembers.length, 'etcd member')}, ${count(layout.apiservers.length, 'kube-apiserver')}, ${count(layout.nodes.length, 'node')}`,
    `API server: ${running.door.url}`,
    `kubeconfig: ${kc}`,
    '',
    `  kubectl --kubeconfig ${kc} get nodes`,
    `  kubectl --kubeconfig ${kc} get pods -n kube-system`,
    `  export KUBECONFIG=${kc}    # then plain \`kubectl get pods -A\``,
    ...(running.notReady && running.notReady.length > 0 ? ['', `warning: not ready yet: ${running.notReady.join(', ')}`] : []),
    ...(running.inspection ? ['', `inspect: open ${running.inspection.pageUrl}`] : []),
    '',
    'Ctrl-C stops the cluster.',
    '',
  ].join('\n');
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolveSignal(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('Start a cluster on the real-time clock and serve the Kubernetes API over HTTP for kubectl')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '6443')
    .option('--kubeconfig <path>', 'where to write the kubeconfig', DEFAULT_KUBECONFIG)
    .option('--nodes <n>', 'worker nodes (default 3)')
    .option('--etcd <n>', 'etcd members (default 3)')
    .option('--apiservers <n>', 'kube-apiservers (default 1)')
    .option('--node-cpu <quantity>', 'CPU capacity of each node (default 4)')
    .option('--node-memory <quantity>', 'memory capacity of each node (default 8Gi)')
    .option('--spec <file>', 'cluster spec (YAML or JSON; a scenario file\'s cluster: block works too)')
    .option('--seed <n>', 'seed of the run', '1')
    .option('--inspect [port]', 'serve the live actors to the Stately inspector on 127.0.0.1 (default port 8080)')
    .option('--inspect-filter <list>', 'with --inspect: only these components (comma list, globs: etcd-*,apiserver-0)')
    .option('-v, --verbose', 'log every HTTP request to stderr')
    .action(async (opts: UpFlags) => {
      const spec = withKubeadmControlPlane(specFromFlags(opts));
      const seed = parseInteger('--seed', opts.seed as string, 0);
      const options: UpOptions = {
        port: parseInteger('--port', opts.port as string, 0, 65_535),
        kubeconfig: resolve(opts.kubeconfig as string),
        spec,
        seed,
        ...(opts.inspect !== undefined
          ? { inspectPort: opts.inspect === true ? 8080 : parseInteger('--inspect', String(opts.inspect), 0, 65_535) }
          : {}),
        ...(typeof opts.inspectFilter === 'string' ? { inspectFilter: opts.inspectFilter } : {}),
        verbose: opts.verbose === true,
      };
      process.stdout.write('kubesim: starting the cluster (waiting for the API server and every node to be Ready)…\n');
      const running = await startUp(options);
      process.stdout.write(usage(running, seed));
      const signal = await untilSignal();
      process.stdout.write(`\nkubesim: ${signal}: stopping the cluster\n`);
      await running.stop();
    });
}
