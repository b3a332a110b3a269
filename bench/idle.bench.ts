import { buildCluster } from '../src/cluster/index.ts';
import { formatFigures, isMain, type Figures } from './harness.ts';

/**
 * The floor under every campaign figure: the campaign's cluster shape (3 etcd members, 3 apiservers, 10
 * nodes) with nothing to do, for 600 virtual seconds. Everything it sends is periodic — Raft heartbeats,
 * node and leader-election Lease renewals, the kubelets' PLEG relists, watch keep-alives — so its
 * simulated/CPU ratio bounds the campaign's. Prints the messages by type and by sender so a change to
 * the periodic traffic shows up here. `node bin/run-ts.mjs bench/idle.bench.ts [virtual s]`.
 */
const VIRTUAL_S = Number(process.argv[2] && isMain(import.meta.url) ? process.argv[2] : 600);

const senderOf = (address: string) => address.replace(/^node-\d+\//, 'node/').replace(/-\d+(\/|$)/, '-N$1');
const top = (counts: Map<string, number>, n: number) =>
  [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ');

export async function run(): Promise<Figures> {
  const cluster = buildCluster({ etcd: { members: 3 }, apiservers: 3, nodes: { count: 10 } }, { seed: 1 });
  cluster.start({ recordEvents: false });
  const bus = cluster.sim.bus;
  const byType = new Map<string, number>();
  const bySender = new Map<string, number>();
  const send = bus.send.bind(bus);
  bus.send = <M extends { type: string }>(from: string, to: string, message: M): number => {
    byType.set(message.type, (byType.get(message.type) ?? 0) + 1);
    const key = `${senderOf(from)} ${message.type}`;
    bySender.set(key, (bySender.get(key) ?? 0) + 1);
    return send(from, to, message);
  };
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  cluster.sim.runUntil(cluster.now + VIRTUAL_S * 1000);
  const wall = (performance.now() - wallStart) / 1000;
  const used = process.cpuUsage(cpuStart);
  const cpu = (used.user + used.system) / 1e6;
  const messages = [...byType.values()].reduce((a, b) => a + b, 0);
  cluster.stop();
  return {
    'idle 3 etcd / 3 apiservers / 10 nodes: virtual seconds': VIRTUAL_S,
    'idle: simulated / CPU time': Number((VIRTUAL_S / cpu).toFixed(1)),
    'idle: simulated / wall time': Number((VIRTUAL_S / wall).toFixed(1)),
    'idle: bus messages per virtual second': Number((messages / VIRTUAL_S).toFixed(1)),
    'idle: CPU µs per message': Number((cpu * 1e6 / messages).toFixed(1)),
    'idle: messages by type': top(byType, 12),
    'idle: messages by sender': top(bySender, 12),
  };
}

// `node bin/run-ts.mjs bench/idle.bench.ts [virtual s]`
if (isMain(import.meta.url)) process.stdout.write(formatFigures('idle', await run()));
