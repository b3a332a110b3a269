import type { Pod } from 'kubernetes-types/core/v1.js';
import { ClientInformer, buildCluster } from '../src/cluster/index.ts';
import { PODS, type KubeObject } from '../src/client/index.ts';
import { formatFigures, isMain, type Figures } from './harness.ts';

/**
 * End to end, pods scheduled and started per wall-clock second: a cluster of `nodes` nodes (3 etcd
 * members, Raft replication of every write, one apiserver, the controller-manager, the scheduler, a
 * kubelet and a container runtime per node) is started, then Deployments totalling `pods` replicas are
 * applied through the apiserver; the clock runs until every pod is Running and Ready, as an unimpaired
 * watch sees it. The image is the 320 kB pause image with a 100 ms pull (the pull is not what is
 * measured). Also: the simulated-time to wall-time ratio over that stretch. Each load has a wall-clock
 * budget (KUBESIM_BENCH_BUDGET seconds, default 600); a load that runs out reports the pods it got to.
 */
export interface Load {
  nodes: number;
  pods: number;
  /** Replicas per Deployment. */
  perDeployment?: number;
  /** Stop after this many wall seconds of load (the figures are then for the pods that made it). */
  wallBudgetSeconds?: number;
}

export interface LoadFigures {
  wallSeconds: number;
  virtualSeconds: number;
  podsPerSecond: number;
  scheduledPerSecond: number;
  startWallSeconds: number;
  ratio: number;
  messages: number;
  /** Pods Running and Ready when the run ended (all of them unless the wall budget ran out). */
  running: number;
  finished: boolean;
  /** CPU seconds of the process (user + system) over the load. */
  cpuSeconds: number;
  /** Messages sent during the load, by message type and by the kind of component that sent them. */
  messagesByType: Map<string, number>;
  messagesBySender: Map<string, number>;
  /** API requests during the load by verb, resource and subresource. */
  requestsByKind: Map<string, number>;
}

/** The kind of component an address belongs to: `node-7/kubelet` → `kubelet`, `etcd-2` → `etcd`. */
function componentOf(address: string): string {
  const slash = address.lastIndexOf('/');
  const tail = slash >= 0 ? address.slice(slash + 1) : address;
  return slash >= 0 && tail === 'etcd' ? 'etcd-client' : tail.replace(/-\d+$/, '');
}

/** The cluster did not even start within the wall budget. */
export class StartTooSlow extends Error {}

export function endToEnd({ nodes, pods, perDeployment = 1_000, wallBudgetSeconds = Number.POSITIVE_INFINITY }: Load): LoadFigures {
  const startAt = performance.now();
  const cluster = buildCluster({
    nodes: { count: nodes, capacity: { cpu: '32', memory: '128Gi', pods: '110' } },
    registry: { images: { 'registry.k8s.io/pause:3.9': { pullMs: 100 } } },
  }, { seed: 1 });
  // cluster.start(), with the wall budget applied to it too.
  const startDeadline = startAt + wallBudgetSeconds * 1000;
  cluster.runUntil(() => cluster.sim.host('apiserver-0').snapshot()?.matches('serving') ?? false, 60_000);
  for (let waiting = cluster.notReady(); waiting.length > 0; waiting = cluster.notReady()) {
    if (performance.now() > startDeadline) {
      throw new StartTooSlow(`${nodes - waiting.filter((w) => w.startsWith('node ')).length} of ${nodes} nodes Ready after ${wallBudgetSeconds} wall seconds (${(cluster.now / 1000).toFixed(1)} s virtual)`);
    }
    // Half a second of virtual time, or less when the wall budget runs out first.
    const until = cluster.now + 500;
    cluster.runUntil(() => performance.now() > startDeadline, 500);
    if (cluster.now < until && performance.now() <= startDeadline) cluster.runUntilTime(until);
  }
  const startWallSeconds = (performance.now() - startAt) / 1000;

  let running = 0;
  let scheduled = 0;
  const seen = new Map<string, { scheduled: boolean; running: boolean }>();
  const informer = new ClientInformer<Pod & KubeObject>(cluster.sim, 'user/bench', { name: 'pods', resource: PODS }, () => 'apiserver-0', (delta) => {
    const pod = delta.object;
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const before = seen.get(key) ?? { scheduled: false, running: false };
    const now = delta.type === 'deleted' ? { scheduled: false, running: false } : {
      scheduled: !!pod.spec?.nodeName,
      running: pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    };
    scheduled += Number(now.scheduled) - Number(before.scheduled);
    running += Number(now.running) - Number(before.running);
    seen.set(key, now);
  }).start();
  cluster.runUntil(() => informer.synced, 10_000);

  const messagesByType = new Map<string, number>();
  const messagesBySender = new Map<string, number>();
  const requestsByKind = new Map<string, number>();
  const bus = cluster.sim.bus;
  const send = bus.send.bind(bus);
  bus.send = (from, to, message) => {
    messagesByType.set(message.type, (messagesByType.get(message.type) ?? 0) + 1);
    const sender = componentOf(from);
    messagesBySender.set(sender, (messagesBySender.get(sender) ?? 0) + 1);
    if (message.type === 'api.request') {
      const r = (message as { request?: { verb?: string; resource?: string; subresource?: string } }).request;
      const kind = `${r?.verb} ${r?.resource}${r?.subresource ? `/${r.subresource}` : ''}`;
      requestsByKind.set(kind, (requestsByKind.get(kind) ?? 0) + 1);
    }
    return send(from, to, message);
  };
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const virtualStart = cluster.now;
  const sentBefore = cluster.sim.bus.stats.sent;
  let scheduledAt = 0;
  // Every Deployment is POSTed at once (as `kubectl apply -f` of one file per Deployment, in parallel):
  // waiting for each answer would run the cluster under the load with no budget check.
  for (let i = 0; i * perDeployment < pods; i++) {
    const replicas = Math.min(perDeployment, pods - i * perDeployment);
    const name = `load-${i}`;
    cluster.client.send({
      verb: 'create', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default',
      body: {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
        spec: {
          replicas,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
          },
        },
      },
    }, (response) => {
      if (response.code !== 201) throw new Error(`creating ${name}: HTTP ${response.code}`);
    });
  }
  const deadline = wallStart + wallBudgetSeconds * 1000;
  let outOfTime = false;
  const done = cluster.runUntil(() => {
    if (scheduledAt === 0 && scheduled >= pods) scheduledAt = performance.now();
    outOfTime = performance.now() > deadline;
    return running >= pods || outOfTime;
  }, 3_600_000) && !outOfTime;
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const virtualSeconds = (cluster.now - virtualStart) / 1000;
  if (!done && !outOfTime) throw new Error(`only ${running}/${pods} pods running after an hour of virtual time (${scheduled} scheduled)`);
  informer.stop();
  return {
    wallSeconds,
    virtualSeconds,
    podsPerSecond: running / wallSeconds,
    scheduledPerSecond: scheduledAt > 0 ? pods / ((scheduledAt - wallStart) / 1000) : scheduled / wallSeconds,
    running,
    finished: done,
    startWallSeconds,
    ratio: virtualSeconds / wallSeconds,
    messages: cluster.sim.bus.stats.sent - sentBefore,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    messagesByType,
    messagesBySender,
    requestsByKind,
  };
}

function figuresOf(label: string, f: LoadFigures, pods: number): Figures {
  return {
    ...(f.finished ? {} : { [`${label}: NOT FINISHED — pods running when the wall budget ran out`]: `${f.running} of ${pods}` }),
    [`${label}: pods scheduled + started per wall second`]: Math.round(f.podsPerSecond),
    [`${label}: pods scheduled (bound) per wall second`]: Math.round(f.scheduledPerSecond),
    [`${label}: wall seconds (virtual seconds)`]: `${f.wallSeconds.toFixed(1)} (${f.virtualSeconds.toFixed(1)})`,
    [`${label}: simulated / wall time`]: f.ratio.toPrecision(2),
    [`${label}: CPU seconds over the load`]: Number(f.cpuSeconds.toFixed(1)),
    [`${label}: pods running per CPU second`]: Math.round(f.running / f.cpuSeconds),
    [`${label}: bus messages`]: f.messages,
    [`${label}: bus messages per pod`]: Math.round(f.messages / Math.max(1, f.running)),
    [`${label}: CPU µs per bus message`]: Math.round((f.cpuSeconds * 1e6) / Math.max(1, f.messages)),
    [`${label}: messages by sender`]: top(f.messagesBySender, 8),
    [`${label}: messages by type`]: top(f.messagesByType, 10),
    [`${label}: API requests by kind`]: top(f.requestsByKind, 8),
    [`${label}: cluster start, wall seconds`]: Number(f.startWallSeconds.toFixed(1)),
  };
}

/** The `n` largest counts as `name count, …`. */
function top(counts: Map<string, number>, n: number): string {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ');
}

/** Wall seconds a load may take (KUBESIM_BENCH_BUDGET); past it the figures cover the pods that made it. */
const BUDGET_SECONDS = Number(process.env.KUBESIM_BENCH_BUDGET ?? 600);

export async function run(): Promise<Figures> {
  const loads: [string, Load][] = [
    ['100 nodes / 3,000 pods', { nodes: 100, pods: 3_000, wallBudgetSeconds: BUDGET_SECONDS }],
    ['1,000 nodes / 30,000 pods', { nodes: 1_000, pods: 30_000, wallBudgetSeconds: BUDGET_SECONDS }],
  ];
  const figures: Figures = {};
  for (const [label, load] of loads) {
    try {
      Object.assign(figures, figuresOf(label, endToEnd(load), load.pods));
    } catch (error) {
      if (!(error instanceof StartTooSlow)) throw error;
      figures[`${label}: cluster did not start within the budget`] = error.message;
    }
  }
  return figures;
}

// `node bin/run-ts.mjs bench/cluster.bench.ts [nodes] [pods] [budget seconds]`
if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const nodes = Number(args[0] ?? 100);
  const pods = Number(args[1] ?? 3_000);
  const budget = Number(args[2] ?? BUDGET_SECONDS);
  try {
    process.stdout.write(formatFigures('cluster', figuresOf(`${nodes} nodes / ${pods} pods`, endToEnd({ nodes, pods, wallBudgetSeconds: budget }), pods)));
  } catch (error) {
    if (!(error instanceof StartTooSlow)) throw error;
    process.stdout.write(`cluster\n  ${nodes} nodes / ${pods} pods: cluster did not start within the budget: ${error.message}\n`);
  }
}
