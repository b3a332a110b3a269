// A built cluster, driven from code: run it in virtual time, act on it as kubectl would (every request
// goes through an apiserver actor on the bus), and read objects and events back.
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Subscription } from 'rxjs';
import type { Address } from '../bus/envelope.ts';
import { hostOf } from '../bus/envelope.ts';
import type { ApiRequest } from '../apiserver/protocol.ts';
import type { Simulation } from '../host/simulation.ts';
import { EVENTS, type Delta, type KubeObject } from '../client/index.ts';
import { VirtualClock } from '../sim/clock.ts';
import { parseTimestamp } from '../kubelet/format.ts';
import { ClientInformer } from './client-informer.ts';
import { applyObjects, describeApply, parseManifest, type ApplyOptions, type ApplyResult, type ManifestObject } from './kubectl/apply.ts';
import { listQuery, namespaceFor, parseTarget, request, resolveResource } from './kubectl/resources.ts';
import { deleteObjects, rolloutUndo, scale, setImage, type DeleteOptions } from './kubectl/verbs.ts';
import type { ResolvedClusterSpec } from './spec.ts';
import { ApiError, UserClient, bodyOf } from './user-client.ts';

/** Where each component lives on the bus. */
export interface ClusterLayout {
  etcdMembers: Address[];
  apiservers: Address[];
  controllerManager: Address;
  /** Undefined while the cluster runs without a scheduler. */
  scheduler?: Address;
  /** Every kube-controller-manager replica (`controllerManager` is the first). */
  controllerManagers?: Address[];
  /** Every kube-scheduler replica (`scheduler` is the first). */
  schedulers?: Address[];
  /** The apiserver load balancer the nodes talk to (only with more than one apiserver). */
  loadBalancer?: Address;
  nodes: string[];
  /** True when the nodes have kubelets (they register and run pods). */
  kubelets: boolean;
  kubeProxies: Address[];
  /** CoreDNS, when the cluster runs it. */
  coredns?: Address;
  /** The cloud-controller-manager and the simulated cloud's API, when the cluster runs them. */
  cloudControllerManager?: Address;
  cloud?: Address;
}

/** An event as the cluster's event watch delivered it (`kubectl get events --watch`). */
export interface ObservedEvent {
  /** Virtual ms when it reached the watcher. */
  at: number;
  /** `added` the first time, `updated` when its count/lastTimestamp changed. */
  change: 'added' | 'updated';
  event: Event;
}

/** One or more documents failed to apply; `results` says what happened to each. */
export class ApplyError extends Error {
  constructor(readonly results: ApplyResult[]) {
    super(results.filter((r) => r.action === 'failed').map(describeApply).join('\n'));
    this.name = 'ApplyError';
  }
}

export interface ListOptions {
  /** Undefined: every namespace (`kubectl get -A`). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const WRITE_VERBS = new Set<ApiRequest['verb']>(['create', 'update', 'patch', 'delete', 'deletecollection']);
/** Heartbeats never stop; they do not count against "quiet". */
const HEARTBEAT_RESOURCES = new Set(['leases']);

export class Cluster {
  readonly client: UserClient;
  /** Every event the event watch has delivered, in order (see `watchEvents`). */
  readonly eventLog: ObservedEvent[] = [];
  private eventInformer: ClientInformer<Event> | undefined;
  private readonly eventHandlers = new Set<(observed: ObservedEvent) => void>();

  constructor(
    readonly sim: Simulation,
    readonly spec: ResolvedClusterSpec,
    readonly layout: ClusterLayout,
  ) {
    this.client = new UserClient(sim, layout.apiservers);
  }

  get apiservers(): Address[] {
    return this.layout.apiservers;
  }

  get nodes(): string[] {
    return this.layout.nodes;
  }

  get etcdMembers(): Address[] {
    return this.layout.etcdMembers;
  }

  /** Every kube-controller-manager replica's address (kcm-0…). */
  get controllerManagers(): Address[] {
    return this.layout.controllerManagers ?? [this.layout.controllerManager];
  }

  /** Every kube-scheduler replica's address (scheduler-0…). */
  get schedulers(): Address[] {
    return this.layout.schedulers ?? (this.layout.scheduler ? [this.layout.scheduler] : []);
  }

  /** The apiserver load balancer's address, when the cluster has several apiservers. */
  get loadBalancer(): Address | undefined {
    return this.layout.loadBalancer;
  }

  get now(): number {
    return this.sim.now;
  }

  // ---- running ---------------------------------------------------------------------------------------

  /**
   * Runs until the cluster is ready — every apiserver serving, the system namespaces there, every node
   * registered and Ready — as `kubeadm init` + `join` and `kubectl wait --for=condition=Ready nodes --all`
   * would. Starts the event watch first (unless `recordEvents: false`) so no event is missed.
   */
  start(opts: { timeoutMs?: number; recordEvents?: boolean } = {}): this {
    this.requireVirtualClock('start');
    const deadline = this.now + (opts.timeoutMs ?? 120_000);
    if (opts.recordEvents !== false) this.watchEvents();
    const serving = () => this.apiservers.every((a) => this.sim.host(a).snapshot()?.matches('serving') ?? false);
    if (!this.sim.runUntilTrue(serving, deadline - this.now)) throw new Error(`cluster did not start: apiservers not serving after ${(opts.timeoutMs ?? 120_000) / 1000}s`);
    for (;;) {
      const waiting = this.notReady();
      if (waiting.length === 0) return this;
      if (this.now >= deadline) throw new Error(`cluster did not start: not ready after ${(opts.timeoutMs ?? 120_000) / 1000}s: ${waiting.join('; ')}`);
      this.sim.runFor(Math.min(500, deadline - this.now));
    }
  }

  /** What keeps the cluster from being ready (empty when it is), read through the API. */
  notReady(): string[] {
    const problems: string[] = [];
    const ns = this.client.call(request(resolveResource('namespaces'), 'get', { name: 'default' }), 5_000);
    if (ns.code !== 200) problems.push('namespace "default" not there yet');
    const nodes = this.client.call(request(resolveResource('nodes'), 'list'), 5_000);
    if (nodes.code !== 200) return [...problems, `listing nodes: HTTP ${nodes.code}`];
    const items = (nodes.body as { items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] }).items;
    problems.push(...this.leaderless());
    if (!this.layout.kubelets) return problems;
    for (const name of this.nodes) {
      const node = items.find((n) => n.metadata.name === name);
      if (!node) problems.push(`node ${name} not registered`);
      else if (!node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) problems.push(`node ${name} not Ready`);
    }
    return problems;
  }

  /**
   * The leader-elected components with no leader yet: their Lease has no holder (with --leader-elect, a
   * kube-scheduler or kube-controller-manager does nothing until it holds the Lease).
   */
  private leaderless(): string[] {
    const { scheduler, controllerManager } = this.spec.components;
    const elected = [
      ...(this.schedulers.length > 0 && (scheduler?.leaderElection as { leaderElect?: boolean } | undefined)?.leaderElect !== false ? ['kube-scheduler'] : []),
      ...(controllerManager?.leaderElection?.leaderElect !== false ? ['kube-controller-manager'] : []),
    ];
    return elected.flatMap((name) => {
      const lease = this.client.call(request(resolveResource('leases'), 'get', { name, namespace: 'kube-system' }), 5_000);
      const holder = lease.code === 200 ? (lease.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity : undefined;
      return holder ? [] : [`no ${name} leader yet`];
    });
  }

  runFor(ms: number): void {
    this.sim.runFor(ms);
  }

  /** Runs to virtual time `time` (ms since the run began). */
  runUntilTime(time: number): void {
    this.sim.runUntil(Math.max(time, this.now));
  }

  /** Runs until `predicate` holds (checked after every timer) or `timeoutMs` pass; true when it held. */
  runUntil(predicate: () => boolean, timeoutMs: number): boolean {
    return this.sim.runUntilTrue(predicate, timeoutMs);
  }

  /**
   * Runs until no component has written anything through the API (leases aside) for `quietMs`, or
   * `timeoutMs` pass; true when it settled. A crash-looping pod never settles.
   */
  runUntilSettled(opts: { quietMs?: number; timeoutMs?: number } = {}): boolean {
    const quietMs = opts.quietMs ?? 10_000;
    let lastWrite = this.now;
    const tap: Subscription = this.sim.bus.tap.subscribe((event) => {
      if (event.kind !== 'send' || event.envelope.type !== 'api.request') return;
      const req = (event.envelope.message as unknown as { request: ApiRequest }).request;
      if (WRITE_VERBS.has(req.verb) && !HEARTBEAT_RESOURCES.has(req.resource)) lastWrite = event.at;
    });
    try {
      return this.sim.runUntilTrue(() => this.now - lastWrite >= quietMs, opts.timeoutMs ?? 600_000);
    } finally {
      tap.unsubscribe();
    }
  }

  // ---- kubectl -------------------------------------------------------------------------------------

  /** `kubectl apply -f`: YAML/JSON text (multi-document) or objects. Throws ApplyError if any failed. */
  apply(manifest: string | ManifestObject | ManifestObject[], opts: ApplyOptions = {}): ApplyResult[] {
    const results = this.applyAll(manifest, opts);
    if (results.some((r) => r.action === 'failed')) throw new ApplyError(results);
    return results;
  }

  /** Like `apply`, but reports failures in the results instead of throwing (syntax errors still throw). */
  applyAll(manifest: string | ManifestObject | ManifestObject[], opts: ApplyOptions = {}): ApplyResult[] {
    this.requireVirtualClock('apply');
    const objects = typeof manifest === 'string' ? parseManifest(manifest, opts.source) : Array.isArray(manifest) ? manifest : [manifest];
    return applyObjects(this.client, objects, opts);
  }

  /** `kubectl get <resource> <name>`; undefined when not found. */
  get<T extends KubeObject = KubeObject>(resource: string, name: string, namespace?: string): T | undefined {
    this.requireVirtualClock('get');
    const info = resolveResource(resource);
    const response = this.client.call(request(info, 'get', { namespace: namespaceFor(info, namespace), name }));
    if (response.code === 404) return undefined;
    return bodyOf<T>(response);
  }

  /** `kubectl get <resource>` (every namespace unless one is given). */
  list<T extends KubeObject = KubeObject>(resource: string, opts: ListOptions = {}): T[] {
    this.requireVirtualClock('list');
    const info = resolveResource(resource);
    const response = this.client.call(request(info, 'list', {
      namespace: info.namespaced ? opts.namespace : undefined, query: listQuery(opts),
    }));
    return bodyOf<{ items: T[] }>(response).items;
  }

  /** `kubectl delete <resource> <name>` or, with no name, `-l <selector>`; returns kubectl's lines. */
  delete(resource: string, name?: string, opts: DeleteOptions = {}): string[] {
    this.requireVirtualClock('delete');
    if (name === undefined && !opts.labelSelector) throw new Error('delete: give a name or a label selector');
    return deleteObjects(this.client, resolveResource(resource), name, opts).lines;
  }

  /** `kubectl scale deployment/web --replicas=N`. */
  scale(target: string, replicas: number, namespace?: string): string {
    this.requireVirtualClock('scale');
    const { resource, name } = parseTarget(target);
    return scale(this.client, resource, name, replicas, namespace);
  }

  /** `kubectl set image deployment/web nginx=nginx:1.26` (`*` = every container). */
  setImage(target: string, images: Record<string, string>, namespace?: string): string {
    this.requireVirtualClock('setImage');
    const { resource, name } = parseTarget(target);
    return setImage(this.client, resource, name, images, namespace);
  }

  /** `kubectl rollout undo deployment/web [--to-revision=N]`. */
  rolloutUndo(target: string, toRevision = 0, namespace = 'default'): string {
    this.requireVirtualClock('rolloutUndo');
    const { resource, name } = parseTarget(target);
    if (resource.kind !== 'Deployment') throw new Error(`error: no rollbacker has been implemented for "${resource.kind}"`);
    return rolloutUndo(this.client, name, toRevision, namespace);
  }

  /** Every Event in the cluster, oldest first (by first occurrence), read through the API. */
  events(namespace?: string): Event[] {
    return this.list<Event & KubeObject>('events', { namespace }).sort((a, b) => eventTime(a) - eventTime(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  /**
   * `kubectl get events -A --watch`, kept alive: starts the cluster's event watch (once) and calls
   * `handler` for every event from now on. Everything it delivers is also kept in `eventLog`.
   * Returns a function that removes the handler.
   */
  watchEvents(handler?: (observed: ObservedEvent) => void): () => void {
    if (handler) this.eventHandlers.add(handler);
    if (!this.eventInformer) {
      this.eventInformer = new ClientInformer<Event & KubeObject>(
        this.sim, 'user/events-watch', { name: 'events', resource: EVENTS }, () => this.runningApiserver(), (delta) => this.onEventDelta(delta),
      ).start();
    }
    return () => { if (handler) this.eventHandlers.delete(handler); };
  }

  private onEventDelta(delta: Delta<Event & KubeObject>): void {
    if (delta.type === 'deleted') return;
    // A relist re-delivers what did not change; a watch delivers only changes.
    if (delta.type === 'updated' && delta.old.metadata?.resourceVersion === delta.object.metadata?.resourceVersion) return;
    const observed: ObservedEvent = { at: this.now, change: delta.type, event: delta.object };
    this.eventLog.push(observed);
    for (const handler of this.eventHandlers) handler(observed);
  }

  private runningApiserver(): Address {
    return this.apiservers.find((a) => this.sim.host(a).status === 'running') ?? this.apiservers[0];
  }

  // ---- faults --------------------------------------------------------------------------------------

  /** Addresses a fault target names: an address (`kcm-0`, `node-2/kubelet`) or a whole host (`node-2`). */
  addressesOf(target: string): Address[] {
    if (this.sim.has(target)) return [target];
    const onHost = this.sim.addresses().filter((a) => hostOf(a) === target && a !== target);
    if (onHost.length === 0) throw new Error(`no component or host named "${target}"`);
    return onHost;
  }

  crash(target: string, opts: { loseUnsynced?: boolean } = {}): void {
    for (const address of this.addressesOf(target)) if (this.sim.host(address).status === 'running') this.sim.crash(address, opts);
  }

  restart(target: string): void {
    for (const address of this.addressesOf(target)) if (this.sim.host(address).status !== 'running') this.sim.restart(address);
  }

  /** Stops the event watch and every component (end of a run). */
  stop(): void {
    this.eventInformer?.stop();
    this.client.close();
    this.sim.stopAll();
  }

  private requireVirtualClock(what: string): void {
    if (!(this.sim.clock instanceof VirtualClock)) {
      throw new Error(`cluster.${what}() drives virtual time; on a real-time clock send requests with cluster.client.request()`);
    }
  }
}

function eventTime(e: Event): number {
  const stamp = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
  try {
    return stamp ? parseTimestamp(stamp) : 0;
  } catch {
    return 0;
  }
}

export { ApiError };
