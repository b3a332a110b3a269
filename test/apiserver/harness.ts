import type { ApiRequest, ApiResponseMessage, ApiWatchMessage, Status, WatchEventBody } from '../../src/apiserver/protocol.ts';
import type { ApiServerConfig } from '../../src/apiserver/config.ts';
import { hostApiServer, type HostedApiServer } from '../../src/apiserver/host.ts';
import type { HostEvent } from '../../src/host/component-host.ts';
import { Simulation } from '../../src/host/simulation.ts';
import { fakeEtcdMachine } from './fake-etcd.ts';

export const APISERVER = 'apiserver-0';
export const CLIENT = 'client';

/**
 * An apiserver on a simulated bus with a client address that records every answer and watch message.
 * `etcd: 'fake'` (default) hosts the single-member test double; a list of addresses expects real members
 * added by the caller before `start()`.
 */
export class ApiHarness {
  readonly sim: Simulation;
  readonly responses = new Map<string, ApiResponseMessage & { at: number }>();
  readonly watches = new Map<string, (ApiWatchMessage & { at: number })[]>();
  readonly observations: HostEvent[] = [];
  hosted!: HostedApiServer;
  private next = 0;

  constructor(readonly options: { seed?: number; config?: ApiServerConfig; etcdMembers?: string[]; etcdClient?: { attemptTimeoutMs?: number; requestTimeoutMs?: number } } = {}) {
    this.sim = new Simulation({ seed: options.seed ?? 1, link: { latency: { kind: 'constant', ms: 1 } } });
    this.sim.bus.inbox(CLIENT).subscribe((envelope) => {
      const message = envelope.message as unknown as ApiResponseMessage | ApiWatchMessage;
      if (message.type === 'api.response') this.responses.set(message.requestId, { ...(message as ApiResponseMessage), at: this.sim.now });
      if (message.type === 'api.watch') {
        const list = this.watches.get(message.requestId) ?? [];
        list.push({ ...(message as ApiWatchMessage), at: this.sim.now });
        this.watches.set(message.requestId, list);
      }
    });
    this.sim.events.subscribe((e) => {
      if (e.kind === 'observe' || e.kind === 'failure') this.observations.push(e);
    });
  }

  /** Hosts the fake etcd (unless real members were named) and the apiserver, and waits until it serves. */
  start(): this {
    this.host();
    this.awaitServing();
    return this;
  }

  /** Hosts without waiting. */
  host(): this {
    const members = this.options.etcdMembers ?? ['etcd-0'];
    if (!this.options.etcdMembers) this.sim.add('etcd-0', fakeEtcdMachine, {});
    this.hosted = hostApiServer(this.sim, APISERVER, { etcdMembers: members, config: this.options.config, etcdClient: this.options.etcdClient });
    return this;
  }

  awaitServing(timeoutMs = 30_000): void {
    const ok = this.sim.runUntilTrue(() => this.serving() && this.namespacesBootstrapped(), timeoutMs);
    if (!ok) throw new Error('apiserver did not start serving');
  }

  serving(): boolean {
    return this.hosted.apiserver.snapshot()?.matches('serving') ?? false;
  }

  private namespacesBootstrapped(): boolean {
    const ctx = this.hosted.apiserver.snapshot()?.context as { inflight: Map<string, unknown> } | undefined;
    return ctx !== undefined && ctx.inflight.size === 0;
  }

  /** Sends a request; returns its id. */
  send(request: ApiRequest, requestId = `r${this.next++}`): string {
    this.sim.bus.send(CLIENT, APISERVER, { type: 'api.request', from: CLIENT, requestId, request });
    return requestId;
  }

  cancelWatch(requestId: string): void {
    this.sim.bus.send(CLIENT, APISERVER, { type: 'api.watch.cancel', from: CLIENT, requestId });
  }

  /** Sends a request and runs until its answer arrives. */
  call(request: ApiRequest, timeoutMs = 120_000): ApiResponseMessage {
    const id = this.send(request);
    return this.await(id, timeoutMs);
  }

  await(requestId: string, timeoutMs = 120_000): ApiResponseMessage {
    this.sim.runUntilTrue(() => this.responses.has(requestId), timeoutMs);
    const response = this.responses.get(requestId);
    if (!response) throw new Error(`no response to ${requestId} within ${timeoutMs} ms`);
    return response;
  }

  /** Every event received on a watch so far, flattened. */
  watchEvents(requestId: string): WatchEventBody[] {
    return (this.watches.get(requestId) ?? []).flatMap((m) => m.events);
  }

  watchClosed(requestId: string): boolean {
    return (this.watches.get(requestId) ?? []).some((m) => m.closed === true);
  }

  run(ms: number): void {
    this.sim.runFor(ms);
  }

  failures(): HostEvent[] {
    return this.observations.filter((e) => e.kind === 'failure');
  }
}

// ---- request builders --------------------------------------------------------------------------

type Query = ApiRequest['query'];

export const core = (resource: string) => ({ group: '', version: 'v1', resource });
export const apps = (resource: string) => ({ group: 'apps', version: 'v1', resource });

export function create(target: { group: string; version: string; resource: string }, namespace: string | undefined, body: unknown, extra: Partial<ApiRequest> = {}): ApiRequest {
  return { verb: 'create', ...target, namespace, body, ...extra };
}

export function get(target: { group: string; version: string; resource: string }, namespace: string | undefined, name: string, query?: Query): ApiRequest {
  return { verb: 'get', ...target, namespace, name, query };
}

export function list(target: { group: string; version: string; resource: string }, namespace?: string, query?: Query): ApiRequest {
  return { verb: 'list', ...target, namespace, query };
}

export function watch(target: { group: string; version: string; resource: string }, namespace?: string, query?: Query): ApiRequest {
  return { verb: 'watch', ...target, namespace, query };
}

export function update(target: { group: string; version: string; resource: string }, namespace: string | undefined, name: string, body: unknown, subresource?: ApiRequest['subresource']): ApiRequest {
  return { verb: 'update', ...target, namespace, name, body, subresource };
}

export function patch(target: { group: string; version: string; resource: string }, namespace: string | undefined, name: string, patchType: ApiRequest['patchType'], body: unknown, subresource?: ApiRequest['subresource']): ApiRequest {
  return { verb: 'patch', ...target, namespace, name, patchType, body, subresource };
}

export function del(target: { group: string; version: string; resource: string }, namespace: string | undefined, name: string, query?: Query, body?: unknown): ApiRequest {
  return { verb: 'delete', ...target, namespace, name, query, body };
}

// ---- objects -------------------------------------------------------------------------------------

export function pod(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { labels, ...rest } = extra as { labels?: Record<string, string> };
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] }, ...rest,
  };
}

export function configMap(name: string, data: Record<string, string> = {}, labels?: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

export function namespace(name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function deployment(name: string, replicas = 1): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    },
  };
}

export function status(response: ApiResponseMessage): Status {
  return response.body as Status;
}

export type Obj = { metadata: Record<string, any>; spec?: any; status?: any; [k: string]: any };

export function obj(response: ApiResponseMessage): Obj {
  return response.body as Obj;
}
