// The request flow of `kubectl apply -f deployment.yaml`, drawn from a real run: a one-node cluster (three
// etcd members) is traced with payloads while a one-replica Deployment goes from apply to a Running pod,
// then the messages about that Deployment, its ReplicaSet and its Pod are rendered as a Mermaid sequence
// diagram (src/trace), each arrow labelled with what it carries. Left out: event writes, leases, node
// heartbeats, informer lists, the controllers' status updates, etcd reads, and replication to the
// second follower (it mirrors the first).
// docs/cluster.md shows the output: `node bin/run-ts.mjs src/cluster/apply-flow.ts`.
import { traceItems, type MessageFlow, type TraceItem } from '../trace/message-flow.ts';
import { renderSequenceDiagram } from '../trace/mermaid-sequence.ts';
import { TraceRecorder, type TraceLine } from '../trace/recorder.ts';
import { buildCluster } from './build.ts';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: nginx, image: "nginx:1.25" }] }
`;

const WORKLOAD = ['deployments', 'replicasets', 'pods'];
const WORKLOAD_KINDS = ['Deployment', 'ReplicaSet', 'Pod'];
const WORKLOAD_KEY = /\/registry\/(deployments|replicasets|pods)\/default\/web[^"]*/;
const CRI_METHODS = ['PullImage', 'RunPodSandbox', 'CreateContainer', 'StartContainer'];
const HTTP_METHOD: Record<string, string> = { get: 'GET', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE' };

type Payload = Record<string, any>;

/** Picks the messages of the flow and gives each a label that says what it carries. */
class FlowFilter {
  private readonly requests = new Map<string, string>();
  /** Objects (`pods/web-…`, or `pods/` for a create) with a kept request not yet answered. */
  private readonly writing = new Map<string, number>();
  /** Kept etcd ops: op id → key, until committed. */
  private readonly ops = new Map<string, string>();
  private readonly criCalls = new Map<string, string>();

  constructor(private readonly follower: string | undefined) {}

  /** The label to draw, or undefined to leave the message out. */
  label(flow: MessageFlow): string | undefined {
    const p = (flow.payload ?? {}) as Payload;
    switch (flow.type) {
      case 'api.request': {
        const r = p.request;
        if (!WORKLOAD.includes(r.resource) || !(r.verb in HTTP_METHOD)) return undefined;
        // kubectl's GET, and every write; not the controllers' status bookkeeping.
        if (r.verb === 'get' && flow.from !== 'user/kubectl') return undefined;
        if (r.subresource === 'status' && flow.from !== 'node-1/kubelet') return undefined;
        const what = `${r.resource}${r.name ? `/${r.name}` : ''}${r.subresource ? `/${r.subresource}` : ''}`;
        const object = `${r.resource}/${r.name ?? ''}`;
        this.requests.set(`${flow.from}|${p.requestId}`, object);
        this.writing.set(object, (this.writing.get(object) ?? 0) + 1);
        return `${HTTP_METHOD[r.verb]} ${what}`;
      }
      case 'api.response': {
        const object = this.requests.get(`${flow.to}|${p.requestId}`);
        if (object === undefined) return undefined;
        this.writing.set(object, (this.writing.get(object) ?? 1) - 1);
        const body = p.body as Payload | undefined;
        return `${p.code} ${body?.kind ?? ''}${body?.metadata?.name ? ` ${body.metadata.name}` : ''}`.trim();
      }
      case 'api.watch': {
        const events = ((p.events ?? []) as Payload[]).filter((e) => WORKLOAD_KINDS.includes(e.object?.kind) && String(e.object?.metadata?.name ?? '').startsWith('web'));
        if (events.length === 0) return undefined;
        return `watch: ${events.map((e) => `${e.type} ${e.object.kind} ${e.object.metadata.name}`).join(', ')}`;
      }
      case 'etcd.client.invoke': {
        const request = p.request as Payload;
        const key = WORKLOAD_KEY.exec(JSON.stringify(request))?.[0];
        if (!key || request.op !== 'txn') return undefined;
        // Only the writes of the requests drawn (a create's object has no name in its request yet).
        const [, resource, name] = /\/registry\/(\w+)\/default\/(.*)/.exec(key)!;
        if (!(this.writing.get(`${resource}/${name}`) ?? 0) && !(this.writing.get(`${resource}/`) ?? 0)) return undefined;
        this.ops.set(p.opId, key);
        return `txn ${key}`;
      }
      case 'etcd.client.result': {
        if (!this.ops.has(p.opId)) return undefined;
        this.ops.delete(p.opId);
        const outcome = p.outcome as Payload;
        return outcome.status === 'ok' ? `committed, revision ${outcome.result?.header?.revision ?? '?'}` : outcome.status;
      }
      case 'raft.append': {
        if (flow.to !== this.follower) return undefined;
        const key = WORKLOAD_KEY.exec(JSON.stringify(p))?.[0];
        return key && [...this.ops.values()].includes(key) ? `raft.append ${key}` : undefined;
      }
      case 'cri.request': {
        const method = p.call?.method as string;
        if (!CRI_METHODS.includes(method)) return undefined;
        this.criCalls.set(p.requestId, method);
        return method === 'PullImage' ? `PullImage ${p.call.image}` : method;
      }
      case 'cri.response': {
        const method = this.criCalls.get(p.requestId);
        return method ? `${method} ${p.ok ? 'ok' : 'failed'}` : undefined;
      }
      default:
        return undefined;
    }
  }
}

export interface ApplyFlow {
  mermaid: string;
  /** The kept messages, in order: `from → to: type`. */
  arrows: string[];
}

export function applyFlow(seed = 1): ApplyFlow {
  const cluster = buildCluster({ etcd: { members: 3 }, nodes: { count: 1 } }, { seed });
  cluster.start({ recordEvents: false });
  const lines: TraceLine[] = [];
  const recorder = new TraceRecorder(cluster.sim, { payloads: true, keep: false, sink: (line) => lines.push(JSON.parse(line) as TraceLine) });
  const from = cluster.now;
  cluster.apply(MANIFEST);
  const running = () => {
    const pods = cluster.list<{ status?: { phase?: string } } & { metadata?: object }>('pods', { namespace: 'default', labelSelector: 'app=web' });
    return pods.length === 1 && pods[0].status?.phase === 'Running';
  };
  // Polled through the API (a LIST, left out of the diagram) until the pod runs.
  for (let i = 0; i < 240 && !running(); i++) cluster.runFor(250);
  recorder.stop();
  const leader = lines.find((l) => l.k === 'send' && l.type === 'raft.append')?.from;
  const follower = cluster.etcdMembers.find((m) => m !== leader);
  const filter = new FlowFilter(follower);
  const items: TraceItem[] = [];
  for (const item of traceItems(lines)) {
    if (item.kind !== 'message' || item.sentAt < from) continue;
    const label = filter.label(item);
    if (label !== undefined) items.push({ ...item, type: label });
  }
  const mermaid = renderSequenceDiagram(items, { maxArrows: 120, times: true });
  cluster.stop();
  return { mermaid, arrows: items.map((i) => (i.kind === 'message' ? `${i.from} → ${i.to}: ${i.type}` : '')) };
}

if (process.argv[1]?.endsWith('apply-flow.ts')) process.stdout.write(applyFlow().mermaid);
