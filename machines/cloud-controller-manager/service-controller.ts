// The cloud-controller-manager's service controller (k8s.io/cloud-provider/controllers/service) as pure
// functions over one value. It watches Services and Nodes; for every `type: LoadBalancer` Service it adds
// the finalizer service.kubernetes.io/load-balancer-cleanup, asks the cloud to ensure a load balancer
// forwarding the Service's ports to their node ports on every eligible node, and writes the answer's
// address to status.loadBalancer.ingress. When the set of nodes changes it updates every load balancer's
// backends; when such a Service is deleted (or stops being a LoadBalancer) it deletes the load balancer and
// then removes the finalizer. One operation per Service at a time; a failure retries with exponential
// back-off (5 s doubling to 300 s), as the controller's rate-limited work queue does.
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { ApiRequest, ApiResponseMessage, ApiWatchMessage, UserInfo } from '../../src/apiserver/protocol.ts';
import type { HealthOk, HostedEmitted } from '../../src/host/contract.ts';
import {
  DEFAULT_INFORMER_OPTIONS, cancelWatch, failureOf, informerDeadline, mergePatchRequest, newInformer, ownsRequest, receiveResponse,
  receiveWatch, sendRequest, startInformer, storeGet, storeList, tickInformer,
  type Delta, type InformerSpec, type InformerState, type InformerStep, type KubeObject, type ResourceTarget,
  connectionsDeadline, informerConnectionLost, newConnectionHealth, tickConnections, withConnectionRead, withProbeAnswered,
  type ConnectionHealth,
} from '../../src/client/index.ts';
import { loadBalancerName } from '../../src/cloud/cloud.ts';
import type { CloudCall, CloudResponseMessage, LoadBalancerNode, LoadBalancerPort } from '../../src/cloud/protocol.ts';
import { isRecorderRequest, newRecorder, recordEvent, referenceTo, type EventSpec, type RecorderState } from '../controller-manager/events.ts';
import { MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS, resolveCcmConfig, type CloudControllerManagerConfig, type ResolvedCcmConfig } from './config.ts';

export const LOAD_BALANCER_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';
/** Nodes with this label are never load balancer backends. */
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
export const SERVICE_CONTROLLER = 'service-controller';

const SERVICES: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'services' });
const NODES: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'nodes' });
const SPECS = {
  services: Object.freeze({ name: 'services', resource: SERVICES }) as InformerSpec<Service & KubeObject>,
  nodes: Object.freeze({ name: 'nodes', resource: NODES }) as InformerSpec<Node & KubeObject>,
} as const;
type InformerName = keyof typeof SPECS;
const NAMES: readonly InformerName[] = ['services', 'nodes'];

const CCM_USER: UserInfo = Object.freeze({ username: 'system:cloud-controller-manager', groups: ['system:authenticated'] }) as UserInfo;

type Purpose = 'add-finalizer' | 'write-status' | 'remove-finalizer' | 'ensure' | 'update-hosts' | 'delete';

/** The one call in flight for a Service. */
interface Operation {
  readonly purpose: Purpose;
  readonly requestId: string;
  readonly deadline: number;
  /** What an ensure/update was asked for, recorded once it succeeds. */
  readonly ports?: string;
  readonly hosts?: string;
}

/** What the controller last got the cloud to do for a Service. */
interface Ensured {
  readonly name: string;
  readonly ip?: string;
  readonly ports: string;
  readonly hosts: string;
  readonly deleted?: boolean;
}

export interface ServiceControllerState {
  readonly config: ResolvedCcmConfig;
  readonly idPrefix: string;
  readonly seq: number;
  readonly informers: { readonly services: InformerState<Service & KubeObject>; readonly nodes: InformerState<Node & KubeObject> };
  /** The HTTP/2 connection to the apiserver every client of the process shares, and its health pings. */
  readonly connections: ConnectionHealth;
  readonly recorder: RecorderState;
  /** Service keys ("namespace/name") waiting for a sync, in order. */
  readonly queue: readonly string[];
  readonly retries: Readonly<Record<string, { readonly at: number; readonly failures: number }>>;
  readonly ops: Readonly<Record<string, Operation>>;
  readonly ensured: Readonly<Record<string, Ensured>>;
}

export interface Outcome {
  readonly state: ServiceControllerState;
  readonly emits: readonly HostedEmitted[];
}

export function newServiceController(self: Address, incarnation: number, config: CloudControllerManagerConfig, now = 0): ServiceControllerState {
  const resolved = resolveCcmConfig(config);
  const idPrefix = `${self}#${incarnation}`;
  const options = { ...DEFAULT_INFORMER_OPTIONS, apiserver: resolved.apiserver, idPrefix, user: CCM_USER };
  return {
    config: resolved, idPrefix, seq: 0,
    informers: { services: newInformer(SPECS.services, options), nodes: newInformer(SPECS.nodes, options) },
    connections: newConnectionHealth(idPrefix, [resolved.apiserver], now),
    recorder: newRecorder(), queue: [], retries: {}, ops: {}, ensured: {},
  };
}

export function cachesSynced(state: ServiceControllerState): boolean {
  return NAMES.every((n) => state.informers[n].hasSynced);
}

// ---- a transaction over the state --------------------------------------------------------------------

class Tx {
  readonly emits: HostedEmitted[] = [];
  constructor(public state: ServiceControllerState, readonly now: number) {}
  update(patch: Partial<ServiceControllerState>): void {
    this.state = { ...this.state, ...patch };
  }
  send(to: Address, message: { type: string }): void {
    this.emits.push({ type: 'net.send', to, message: { ...message } as never });
  }
  nextId(kind: string): string {
    this.update({ seq: this.state.seq + 1 });
    return `${this.state.idPrefix}/${kind}/${this.state.seq}`;
  }
  event(svc: Service & KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const spec: EventSpec = { type, reason, message, involvedObject: referenceTo(svc, 'v1', 'Service'), component: SERVICE_CONTROLLER };
    const recorded = recordEvent(this.state.recorder, spec, this.now, { apiserver: this.state.config.apiserver, idPrefix: this.state.idPrefix, user: CCM_USER });
    this.update({ recorder: recorded.state });
    for (const o of recorded.sends) this.send(o.to, o.message);
  }
  enqueue(key: string): void {
    if (!this.state.queue.includes(key)) this.update({ queue: [...this.state.queue, key] });
  }
  applyInformer(name: InformerName, step: InformerStep<KubeObject>): void {
    for (const o of step.sends) this.send(o.to, o.message);
    this.update({ informers: { ...this.state.informers, [name]: step.state } });
    for (const delta of step.deltas) this.onDelta(name, delta);
  }
  private onDelta(name: InformerName, delta: Delta<KubeObject>): void {
    if (name === 'services') {
      const svc = delta.object as Service & KubeObject;
      const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
      if (wantsLoadBalancer(svc) || hasFinalizer(svc) || this.state.ensured[key]) this.enqueue(key);
      if (delta.type === 'deleted') {
        const { [key]: _gone, ...ensured } = this.state.ensured;
        this.update({ ensured });
      }
      return;
    }
    // A node came, went or changed: every load balancer whose backends differ gets synced.
    const hosts = hostsKey(eligibleNodes(this.state));
    for (const [key, e] of Object.entries(this.state.ensured)) if (!e.deleted && e.hosts !== hosts) this.enqueue(key);
  }
  done(): Outcome {
    return { state: this.state, emits: this.emits };
  }
}

// ---- what a Service wants ----------------------------------------------------------------------------

function wantsLoadBalancer(svc: Service & KubeObject): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.metadata?.deletionTimestamp;
}

function hasFinalizer(svc: Service & KubeObject): boolean {
  return svc.metadata?.finalizers?.includes(LOAD_BALANCER_CLEANUP_FINALIZER) ?? false;
}

function lbPorts(svc: Service): LoadBalancerPort[] {
  return (svc.spec?.ports ?? []).filter((p) => p.nodePort !== undefined).map((p) => ({
    ...(p.name ? { name: p.name } : {}), protocol: p.protocol ?? 'TCP', port: p.port, nodePort: p.nodePort!,
  }));
}

/** Backends: every node not being deleted and not labelled out (StableLoadBalancerNodeSet: readiness does not matter). */
export function eligibleNodes(state: ServiceControllerState): LoadBalancerNode[] {
  return storeList(state.informers.nodes.store)
    .filter((n) => !n.metadata?.deletionTimestamp && n.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL] === undefined)
    .map((n) => ({ name: n.metadata?.name ?? '', address: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '' }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const hostsKey = (nodes: readonly LoadBalancerNode[]) => nodes.map((n) => n.name).join(',');

function ingressIP(svc: Service): string | undefined {
  return svc.status?.loadBalancer?.ingress?.[0]?.ip;
}

// ---- syncing one Service -----------------------------------------------------------------------------

function apiCall(tx: Tx, key: string, purpose: Purpose, request: ApiRequest): void {
  const requestId = tx.nextId('svc');
  tx.send(tx.state.config.apiserver, sendRequest(tx.state.config.apiserver, requestId, request).message);
  tx.update({ ops: { ...tx.state.ops, [key]: { purpose, requestId, deadline: tx.now + tx.state.config.apiTimeoutMs } } });
}

function cloudCall(tx: Tx, key: string, purpose: Purpose, call: CloudCall, extra: Pick<Operation, 'ports' | 'hosts'> = {}): void {
  const requestId = tx.nextId('cloud');
  tx.send(tx.state.config.cloud, { type: 'cloud.request', requestId, call } as never);
  tx.update({ ops: { ...tx.state.ops, [key]: { purpose, requestId, deadline: tx.now + tx.state.config.cloudTimeoutMs, ...extra } } });
}

function finalizerPatch(svc: Service & KubeObject, finalizers: string[]): ApiRequest {
  // The resourceVersion makes a concurrent change conflict instead of losing it.
  return mergePatchRequest(SERVICES, svc.metadata!.name!, { metadata: { finalizers: finalizers.length > 0 ? finalizers : null, resourceVersion: svc.metadata?.resourceVersion } }, { namespace: svc.metadata?.namespace, user: CCM_USER });
}

function statusPatch(svc: Service & KubeObject, ip: string | undefined): ApiRequest {
  const loadBalancer = ip ? { ingress: [{ ip, ipMode: 'VIP' }] } : { ingress: null };
  return { ...mergePatchRequest(SERVICES, svc.metadata!.name!, { status: { loadBalancer } }, { namespace: svc.metadata?.namespace, user: CCM_USER }), subresource: 'status' };
}

function syncService(tx: Tx, key: string): void {
  const svc = storeGet(tx.state.informers.services.store, key);
  if (!svc) return;
  const ensured = tx.state.ensured[key];
  const name = loadBalancerName(svc.metadata?.uid ?? '');
  if (wantsLoadBalancer(svc)) {
    if (!hasFinalizer(svc)) return apiCall(tx, key, 'add-finalizer', finalizerPatch(svc, [...(svc.metadata?.finalizers ?? []), LOAD_BALANCER_CLEANUP_FINALIZER]));
    const nodes = eligibleNodes(tx.state);
    const ports = JSON.stringify(lbPorts(svc));
    const hosts = hostsKey(nodes);
    if (ensured && !ensured.deleted && ensured.ports === ports && ensured.hosts !== hosts) {
      return cloudCall(tx, key, 'update-hosts', { op: 'UpdateLoadBalancer', name, nodes }, { ports, hosts });
    }
    if (!ensured || ensured.deleted || ensured.ports !== ports) {
      tx.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      return cloudCall(tx, key, 'ensure', { op: 'EnsureLoadBalancer', name, service: key, ports: lbPorts(svc), nodes }, { ports, hosts });
    }
    if (ingressIP(svc) !== ensured.ip) return apiCall(tx, key, 'write-status', statusPatch(svc, ensured.ip));
    return;
  }
  if (!hasFinalizer(svc)) return;
  if (!ensured?.deleted) {
    tx.event(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
    return cloudCall(tx, key, 'delete', { op: 'EnsureLoadBalancerDeleted', name });
  }
  // A Service that stopped being a LoadBalancer keeps living: clear its status first.
  if (!svc.metadata?.deletionTimestamp && ingressIP(svc) !== undefined) return apiCall(tx, key, 'write-status', statusPatch(svc, undefined));
  apiCall(tx, key, 'remove-finalizer', finalizerPatch(svc, (svc.metadata?.finalizers ?? []).filter((f) => f !== LOAD_BALANCER_CLEANUP_FINALIZER)));
}

function fail(tx: Tx, key: string, reason?: { type: 'Warning'; reason: string; message: string }): void {
  const failures = (tx.state.retries[key]?.failures ?? 0) + 1;
  const delay = Math.min(MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS * 2 ** (failures - 1));
  tx.update({ retries: { ...tx.state.retries, [key]: { at: tx.now + delay, failures } } });
  tx.enqueue(key);
  const svc = storeGet(tx.state.informers.services.store, key);
  if (svc && reason) tx.event(svc, reason.type, reason.reason, reason.message);
}

function succeed(tx: Tx, key: string): void {
  const { [key]: _done, ...retries } = tx.state.retries;
  tx.update({ retries });
  tx.enqueue(key);
}

function endOperation(tx: Tx, key: string): Operation {
  const op = tx.state.ops[key];
  const { [key]: _ended, ...ops } = tx.state.ops;
  tx.update({ ops });
  return op;
}

function onCloudAnswer(tx: Tx, key: string, message: CloudResponseMessage | undefined): void {
  const op = endOperation(tx, key);
  const svc = storeGet(tx.state.informers.services.store, key);
  const name = loadBalancerName(svc?.metadata?.uid ?? '');
  const error = message === undefined ? `cloud provider did not answer within ${tx.state.config.cloudTimeoutMs / 1000}s` : message.ok ? undefined : message.error;
  if (op.purpose === 'delete') {
    if (error) return fail(tx, key, { type: 'Warning', reason: 'SyncLoadBalancerFailed', message: `Error syncing load balancer: failed to delete load balancer: ${error}` });
    tx.update({ ensured: { ...tx.state.ensured, [key]: { name, ports: '', hosts: '', deleted: true } } });
    if (svc) tx.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
    return succeed(tx, key);
  }
  if (op.purpose === 'update-hosts') {
    if (error) {
      return fail(tx, key, { type: 'Warning', reason: 'UpdateLoadBalancerFailed', message: `Error updating load balancer with new hosts [${op.hosts?.split(',').join(' ')}]: ${error}` });
    }
    const prev = tx.state.ensured[key];
    tx.update({ ensured: { ...tx.state.ensured, [key]: { ...prev, hosts: op.hosts ?? '' } } });
    if (svc) tx.event(svc, 'Normal', 'UpdatedLoadBalancer', 'Updated load balancer with new hosts');
    return succeed(tx, key);
  }
  if (error) return fail(tx, key, { type: 'Warning', reason: 'SyncLoadBalancerFailed', message: `Error syncing load balancer: failed to ensure load balancer: ${error}` });
  tx.update({ ensured: { ...tx.state.ensured, [key]: { name, ip: message?.ingress?.ip, ports: op.ports ?? '', hosts: op.hosts ?? '' } } });
  if (svc) tx.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  succeed(tx, key);
}

function onApiAnswer(tx: Tx, key: string, message: ApiResponseMessage | undefined): void {
  endOperation(tx, key);
  const failure = message === undefined ? { code: 504 } : failureOf(message);
  // Gone: its delete event ends the story. Anything else: retry with back-off. A write that went through
  // comes back as a watch event, which queues the Service again for its next step.
  if (failure && failure.code !== 404) return fail(tx, key);
  const { [key]: _done, ...retries } = tx.state.retries;
  tx.update({ retries });
}

/** Starts the syncs that are due: queued keys with nothing in flight and no back-off pending. */
function work(tx: Tx): void {
  if (!cachesSynced(tx.state)) return;
  for (const [key, op] of Object.entries(tx.state.ops)) {
    if (op.deadline <= tx.now) (op.requestId.includes('/cloud/') ? onCloudAnswer : onApiAnswer)(tx, key, undefined);
  }
  for (const key of tx.state.queue) {
    const retry = tx.state.retries[key];
    if (tx.state.ops[key] || (retry && retry.at > tx.now)) continue;
    tx.update({ queue: tx.state.queue.filter((k) => k !== key) });
    syncService(tx, key);
  }
}

// ---- the machine's entry points ----------------------------------------------------------------------

export function start(state: ServiceControllerState, now: number): Outcome {
  const tx = new Tx(state, now);
  for (const n of NAMES) tx.applyInformer(n, startInformer(SPECS[n] as never, state.informers[n] as never, now) as InformerStep<KubeObject>);
  return tx.done();
}

/** Any message from the apiserver is a frame read on the shared connection: it is alive. */
const heard = (state: ServiceControllerState, now: number) => withConnectionRead(state, state.config.apiserver, now);

export function onResponse(previous: ServiceControllerState, message: ApiResponseMessage, now: number): Outcome {
  const state = heard(previous, now);
  const tx = new Tx(state, now);
  const n = NAMES.find((name) => ownsRequest(state.informers[name] as InformerState<KubeObject>, message.requestId));
  if (n) tx.applyInformer(n, receiveResponse(SPECS[n] as never, state.informers[n] as never, message, now) as InformerStep<KubeObject>);
  else if (!isRecorderRequest(message.requestId, state.idPrefix)) {
    const key = Object.keys(state.ops).find((k) => state.ops[k].requestId === message.requestId);
    if (key) onApiAnswer(tx, key, message);
  }
  work(tx);
  return tx.done();
}

export function onWatch(previous: ServiceControllerState, message: ApiWatchMessage, now: number): Outcome {
  const state = heard(previous, now);
  const tx = new Tx(state, now);
  const n = NAMES.find((name) => ownsRequest(state.informers[name] as InformerState<KubeObject>, message.requestId));
  if (n) tx.applyInformer(n, receiveWatch(SPECS[n] as never, state.informers[n] as never, message, now) as InformerStep<KubeObject>);
  else if (!message.closed) tx.send(state.config.apiserver, cancelWatch(state.config.apiserver, message.requestId).message);
  work(tx);
  return tx.done();
}

export function onCloudResponse(state: ServiceControllerState, message: CloudResponseMessage, now: number): Outcome {
  const tx = new Tx(state, now);
  const key = Object.keys(state.ops).find((k) => state.ops[k].requestId === message.requestId);
  if (key) onCloudAnswer(tx, key, message);
  work(tx);
  return tx.done();
}

/** The apiserver answered the connection's health ping. */
export function onHealthOk(state: ServiceControllerState, message: HealthOk, now: number): Outcome {
  return { state: withProbeAnswered(state, message.id, now), emits: [] };
}

export function onTimers(state: ServiceControllerState, now: number): Outcome {
  const tx = new Tx(state, now);
  // Ping the connection when idle; a ping unanswered closes it, and both informers relist.
  const checked = tickConnections(state.connections, now);
  tx.update({ connections: checked.state });
  for (const o of checked.probes) tx.send(o.to, o.message);
  for (const apiserver of checked.lost) {
    for (const n of NAMES) tx.applyInformer(n, informerConnectionLost(tx.state.informers[n] as InformerState<KubeObject>, apiserver, now));
  }
  for (const n of NAMES) tx.applyInformer(n, tickInformer(SPECS[n] as never, tx.state.informers[n] as never, now) as InformerStep<KubeObject>);
  work(tx);
  return tx.done();
}

/** When something is next due: an informer's timer, a call's deadline, a back-off's end. */
export function nextDeadline(state: ServiceControllerState): number | undefined {
  const times: number[] = [];
  const ping = connectionsDeadline(state.connections);
  if (ping !== undefined) times.push(ping);
  for (const n of NAMES) {
    const at = informerDeadline(state.informers[n] as InformerState<KubeObject>);
    if (at !== undefined) times.push(at);
  }
  for (const op of Object.values(state.ops)) times.push(op.deadline);
  for (const key of state.queue) {
    const retry = state.retries[key];
    if (retry && !state.ops[key]) times.push(retry.at);
  }
  return times.length > 0 ? Math.min(...times) : undefined;
}
