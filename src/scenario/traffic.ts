// The `traffic` condition: new connections from a pod on a node to a service, resolved by the cluster's
// dataplane as it is now (CoreDNS's caches, the origin node's kernel rules as its kube-proxy last wrote
// them), and where they land. Something answers at an endpoint when a Running, not terminating pod has
// that IP; `ok: true` wants every connection on a Running and Ready one.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Cluster } from '../cluster/cluster.ts';
import { InputError, boolean, join, object, onlyKeys, optionalInteger, optionalString, string } from '../cluster/input-check.ts';
import type { KubeObject } from '../client/index.ts';
import { matches as selectorMatches, parseSelector } from '../api/labels.ts';
import { ServiceTraffic, type RequestOutcome } from '../network/request.ts';
import type { TrafficQuery } from './format.ts';

const DEFAULT_REQUESTS = 20;
const ERRORS = ['i/o timeout', 'connection refused', 'no such host'];

export function parseTrafficQuery(value: unknown, path: string): TrafficQuery {
  const o = object(value, path);
  onlyKeys(o, ['from', 'to', 'namespace', 'requests', 'ok', 'error', 'selector'], path);
  const to = string(o.to, join(path, 'to'));
  if (!/:\d+$/.test(to)) throw new InputError(join(path, 'to'), `needs a port, e.g. "${to}:80"`);
  const ok = o.ok === undefined ? true : boolean(o.ok, join(path, 'ok'));
  const error = optionalString(o, 'error', path);
  if (error !== undefined && ok) throw new InputError(join(path, 'error'), 'an expected error needs ok: false');
  if (error !== undefined && !ERRORS.includes(error)) throw new InputError(join(path, 'error'), `must be one of: ${ERRORS.join(', ')}`);
  const namespace = optionalString(o, 'namespace', path);
  const selector = optionalString(o, 'selector', path);
  if (selector !== undefined) {
    try {
      parseSelector(selector);
    } catch (e) {
      throw new InputError(join(path, 'selector'), `not a label selector: ${(e as Error).message}`);
    }
  }
  return {
    ...(selector !== undefined ? { selector } : {}),
    from: string(o.from, join(path, 'from')), to, requests: optionalInteger(o, 'requests', path, 1) ?? DEFAULT_REQUESTS, ok,
    ...(namespace !== undefined ? { namespace } : {}), ...(error !== undefined ? { error } : {}),
  };
}

export function describeTraffic(q: TrafficQuery): string {
  const pod = q.selector ? `a ready ${q.selector} pod` : 'a ready pod';
  const outcome = q.ok ? `all reach ${pod}` : q.error ? `all fail (${q.error})` : `none reaches ${pod}`;
  return `traffic from a pod on ${q.from} to ${q.to}: ${q.requests} requests ${outcome}`;
}

interface Live {
  /** IP → pod name, for Running pods not being deleted. */
  running: Map<string, string>;
  labels: Map<string, Record<string, string>>;
  ready: Set<string>;
}

/** One ServiceTraffic per cluster, so kernel state (IPVS cursors, affinity) carries across steps. */
const trafficOf = new WeakMap<Cluster, { traffic: ServiceTraffic; live: Live }>();

function trafficFor(cluster: Cluster): { traffic: ServiceTraffic; live: Live } {
  let entry = trafficOf.get(cluster);
  if (!entry) {
    const live: Live = { running: new Map(), ready: new Set(), labels: new Map() };
    const traffic = new ServiceTraffic(cluster.sim, { listening: (endpoint) => live.running.has(ipOf(endpoint)) });
    entry = { traffic, live };
    trafficOf.set(cluster, entry);
  }
  return entry;
}

const ipOf = (endpoint: string) => endpoint.slice(0, endpoint.lastIndexOf(':'));

function refresh(cluster: Cluster, live: Live): void {
  live.running.clear();
  live.ready.clear();
  live.labels.clear();
  for (const pod of cluster.list<Pod & KubeObject>('pods')) {
    const ip = pod.status?.podIP;
    if (!ip || pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') continue;
    live.running.set(ip, pod.metadata?.name ?? '?');
    live.labels.set(ip, pod.metadata?.labels ?? {});
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) live.ready.add(ip);
  }
}

/** A client pod's IP on the node: the last usable address of its pod CIDR. */
function clientIP(cluster: Cluster, node: string): string | undefined {
  const cidr = cluster.get<Node & KubeObject>('nodes', node)?.spec?.podCIDR;
  const m = cidr ? /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr) : null;
  return m ? `${m[1]}.250` : undefined;
}

export function evaluateTraffic(cluster: Cluster, q: TrafficQuery): { ok: boolean; detail: string } {
  if (!cluster.nodes.includes(q.from)) return { ok: false, detail: `no node ${q.from}` };
  const { traffic, live } = trafficFor(cluster);
  refresh(cluster, live);
  const podIP = clientIP(cluster, q.from);
  const outcomes: RequestOutcome[] = [];
  for (let i = 0; i < q.requests; i++) {
    outcomes.push(traffic.request({ from: { node: q.from, ...(podIP ? { podIP } : {}), namespace: q.namespace ?? 'default' }, to: q.to }));
  }
  // Tally: "10.244.2.3:80 (web-…) ×7", "i/o timeout ×3: <reason>".
  const tally = new Map<string, number>();
  for (const r of outcomes) {
    const key = r.ok ? `${r.endpoint} (${live.running.get(ipOf(r.endpoint)) ?? 'no pod'}${live.ready.has(ipOf(r.endpoint)) ? '' : ', not ready'})` : `${r.error}: ${r.reason}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const seen = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ×${n}`).join(', ');
  const selector = q.selector ? parseSelector(q.selector) : undefined;
  const reached = (r: RequestOutcome) => r.ok && live.ready.has(ipOf(r.endpoint)) && (!selector || selectorMatches(selector, live.labels.get(ipOf(r.endpoint)) ?? {}));
  const good = outcomes.filter((r) => (q.ok ? reached(r) : q.error !== undefined ? !r.ok && r.error === q.error : !reached(r)));
  return { ok: good.length === outcomes.length, detail: `${good.length}/${outcomes.length} as expected: ${seen}` };
}
