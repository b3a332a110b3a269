import { etcdMemberMachine, memberStatus } from '../machines/etcd-member/index.ts';
import type { BatchedKvRequest, KvResponseBatchMessage, KvResponseMessage } from '../src/etcd/protocol.ts';
import { Simulation } from '../src/host/simulation.ts';
import { formatFigures, isMain, timeIt, type Figures } from './harness.ts';

interface Load {
  members: number;
  /** Puts outstanding at the leader at any time. */
  inFlight: number;
  /** Puts per client message: 1 sends `etcd.request`s, more sends `etcd.requestBatch`es of that size. */
  perMessage: number;
  virtualMs: number;
}

/**
 * Committed entries per wall-clock second under steady load: a closed-loop client keeps `inFlight` puts
 * outstanding at the leader (each answer makes room for the next), so the leader batches whatever arrives
 * within one ready cycle into one append, as etcd does. Snapshots every 10,000 entries (etcd's default).
 * With `perMessage` 1 every put is its own `etcd.request` (one member event per put); otherwise puts travel
 * `perMessage` to an `etcd.requestBatch` (a client pipelining RPCs on one stream) and the client sends the
 * next batch as soon as `perMessage` answers came back. Every put is its own Raft entry either way, applied
 * on every member, and answered only once committed and applied on the leader.
 */
export function steadyLoad({ members, inFlight, perMessage, virtualMs }: Load): {
  committed: number;
  answered: number;
  perSecond: number;
  perCpuSecond: number;
  ratio: number;
} {
  const sim = new Simulation({ seed: 1, link: { latency: { kind: 'uniform', minMs: 0.2, maxMs: 0.5 } } });
  const names = Array.from({ length: members }, (_, i) => `etcd-${i + 1}`);
  for (const name of names) sim.add(name, etcdMemberMachine, { members: names });
  const roleOf = (n: string) => memberStatus(sim.host(n).snapshot())?.role;
  sim.runUntilTrue(() => names.some((n) => roleOf(n) === 'leader'), 10_000);
  const leader = names.find((n) => roleOf(n) === 'leader');
  if (!leader) throw new Error('no leader elected');
  let sent = 0;
  let answered = 0;
  const nextPut = (): BatchedKvRequest => ({
    requestId: `r${sent}`,
    request: { op: 'put', key: `/registry/pods/default/p${sent++ % 1000}`, value: 'x' },
  });
  const sendOne = () => sim.bus.send('bench', leader, { type: 'etcd.request', from: 'bench', ...nextPut() });
  const sendBatch = () => {
    const requests: BatchedKvRequest[] = new Array(perMessage);
    for (let i = 0; i < perMessage; i++) requests[i] = nextPut();
    sim.bus.send('bench', leader, { type: 'etcd.requestBatch', from: 'bench', requests });
  };
  let owed = 0; // answers received since the last batch went out
  sim.bus.inbox('bench').subscribe((envelope) => {
    const message = envelope.message as KvResponseMessage | KvResponseBatchMessage;
    if (message.type === 'etcd.response') {
      if (!message.ok) throw new Error(`put failed: ${message.error.message}`);
      answered++;
      sendOne();
    } else if (message.type === 'etcd.responseBatch') {
      for (const r of message.responses) if (!r.ok) throw new Error(`put failed: ${r.error.message}`);
      answered += message.responses.length;
      owed += message.responses.length;
      while (owed >= perMessage) {
        owed -= perMessage;
        sendBatch();
      }
    }
  });
  const commitOf = () => memberStatus(sim.host(leader).snapshot())?.commit ?? 0;
  const commitBefore = commitOf();
  if (perMessage === 1) for (let i = 0; i < inFlight; i++) sendOne();
  else for (let i = 0; i < inFlight / perMessage; i++) sendBatch();
  const start = sim.now;
  const cpuBefore = process.cpuUsage();
  const seconds = timeIt(() => sim.runFor(virtualMs));
  const cpu = process.cpuUsage(cpuBefore);
  const committed = commitOf() - commitBefore;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { committed, answered, perSecond: committed / seconds, perCpuSecond: committed / cpuSeconds, ratio: (sim.now - start) / 1000 / seconds };
}

export async function run(): Promise<Figures> {
  steadyLoad({ members: 3, inFlight: 200, perMessage: 1, virtualMs: 20 }); // warm-up
  steadyLoad({ members: 3, inFlight: 200, perMessage: 100, virtualMs: 20 });
  // 1,000 puts in flight commit ~1,000 entries per ~2 ms of virtual time: 100 ms ≈ 50,000 entries.
  const three = steadyLoad({ members: 3, inFlight: 1_000, perMessage: 1, virtualMs: 100 });
  const five = steadyLoad({ members: 5, inFlight: 1_000, perMessage: 1, virtualMs: 100 });
  const threeBatched = steadyLoad({ members: 3, inFlight: 1_000, perMessage: 100, virtualMs: 100 });
  const fiveBatched = steadyLoad({ members: 5, inFlight: 1_000, perMessage: 100, virtualMs: 100 });
  return {
    'committed entries/s, 3 members, 1000 puts in flight, one request per put': Math.round(three.perSecond),
    'committed entries/s, 5 members, 1000 puts in flight, one request per put': Math.round(five.perSecond),
    'committed entries/s, 3 members, 1000 puts in flight, batches of 100 puts': Math.round(threeBatched.perSecond),
    'committed entries/s, 5 members, 1000 puts in flight, batches of 100 puts': Math.round(fiveBatched.perSecond),
    // The same runs per CPU-second of this process (GC threads included): what the wall-clock figures
    // would be on an otherwise idle machine; far above them when other processes compete for the CPUs.
    'committed entries per CPU-second, 3 members (one request per put / batches)': `${Math.round(three.perCpuSecond)} / ${Math.round(threeBatched.perCpuSecond)}`,
    'entries committed per 3-member run (one request per put / batches)': `${three.committed} / ${threeBatched.committed}`,
    'virtual-to-wall time ratio, 3 members (one request per put / batches)': `${three.ratio.toFixed(3)} / ${threeBatched.ratio.toFixed(3)}`,
  };
}

if (isMain(import.meta.url)) process.stdout.write(formatFigures('raft', await run()));
