import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UserInfo } from '../apiserver/protocol.ts';
import type { Bus } from '../bus/bus.ts';
import type { Address } from '../bus/envelope.ts';
import { ApiBusClient, type Liveness } from './bus-client.ts';
import { discoveryResponse } from './discovery/index.ts';
import { internalError, methodNotAllowed, pathNotFound } from './errors.ts';
import { LOG, PING, serveHealth, shutdownCheck, type HealthCheck, type HealthEndpoint } from './health.ts';
import { FrontDoorMetrics } from './metrics.ts';
import { openapiResponse } from './openapi/index.ts';
import { parseResourcePath } from './paths.ts';
import type { HttpReply } from './reply.ts';
import { DEFAULT_MAX_BODY_BYTES } from './request-body.ts';
import { handleResource, wantsPretty, writeBody, writeStatus, type ResourceHandlerEnv } from './resource-handler.ts';
import { SERVED_VERSION, type VersionInfo } from './version.ts';

/**
 * The HTTP front door: kube-apiserver's REST API on 127.0.0.1, translated to and from the bus messages of
 * the apiserver actors (src/apiserver/protocol.ts). Discovery and OpenAPI documents, health, version and
 * metrics are answered here; every resource request goes to an apiserver actor.
 */

export interface FrontDoorOptions {
  bus: Bus;
  /** The apiserver actors to spread requests over (round-robin over those that are up). */
  apiservers: readonly Address[];
  /** Virtual now: `sim.clock.now()` (Table ages). */
  now: () => number;
  /** The front door's own bus address. */
  address?: Address;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxBodyBytes?: number;
  /** How long a request may wait for its answer before a 504 (the apiserver's own limit is 60 s). */
  requestTimeoutMs?: number;
  user?: UserInfo;
  /** `sim.host(a).incarnation` while running: lets the front door notice a crashed or restarted apiserver. */
  liveness?: Liveness;
  /** More checks for /healthz, /livez and /readyz (e.g. the scheduler's), added to the bus checks. */
  healthChecks?: { healthz?: HealthCheck[]; livez?: HealthCheck[]; readyz?: HealthCheck[] };
  /** More Prometheus text appended to /metrics (etcd, scheduler figures). */
  extraMetrics?: () => string;
  version?: VersionInfo;
  /**
   * The front door is the apiservers' own HTTP layer, not another machine: by default its links to and
   * from them carry no latency (set false to keep the bus's default link model).
   */
  loopback?: boolean;
  /** Called with each request line and outcome (the `up` command's access log). */
  onRequest?: (line: { method: string; url: string; code: number; ms: number }) => void;
}

/** kubeadm's admin.conf identity: a client certificate for `kubernetes-admin` in `system:masters`. */
export const ADMIN_USER: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

export const FRONT_DOOR_ADDRESS = 'frontdoor-0';

export interface FrontDoor {
  readonly url: string;
  readonly port: number;
  readonly metrics: FrontDoorMetrics;
  readonly client: ApiBusClient;
  /** Stops accepting, ends watch streams, closes every connection. */
  close(): Promise<void>;
}

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const door = new FrontDoorServer(options);
  await door.listen(options.host ?? '127.0.0.1', options.port ?? 6443);
  return door;
}

class FrontDoorServer implements FrontDoor {
  readonly metrics = new FrontDoorMetrics();
  readonly client: ApiBusClient;
  private readonly server: Server;
  private readonly streams = new Set<() => void>();
  private readonly env: ResourceHandlerEnv;
  private readonly checks: Record<HealthEndpoint, HealthCheck[]>;
  private shuttingDown = false;
  private boundPort = 0;
  private boundHost = '127.0.0.1';

  constructor(private readonly options: FrontDoorOptions) {
    const address = options.address ?? FRONT_DOOR_ADDRESS;
    if (options.loopback !== false) {
      const loopback = { latency: { kind: 'constant', ms: 0 } as const };
      options.bus.network.addLayer(`${address}:loopback-out`, address, '*', loopback);
      options.bus.network.addLayer(`${address}:loopback-in`, '*', address, loopback);
    }
    this.client = new ApiBusClient({
      bus: options.bus,
      address,
      apiservers: options.apiservers,
      requestTimeoutMs: options.requestTimeoutMs ?? 70_000,
      liveness: options.liveness,
    });
    this.env = {
      client: this.client,
      metrics: this.metrics,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      user: options.user ?? ADMIN_USER,
      now: options.now,
      trackStream: (end) => {
        this.streams.add(end);
        return () => this.streams.delete(end);
      },
    };
    const etcd = this.etcdCheck('etcd');
    const extra = options.healthChecks ?? {};
    this.checks = {
      healthz: [PING, LOG, etcd, ...(extra.healthz ?? [])],
      livez: [PING, LOG, etcd, ...(extra.livez ?? [])],
      readyz: [PING, LOG, etcd, this.etcdCheck('etcd-readiness'), this.informerSyncCheck(), shutdownCheck(() => this.shuttingDown), ...(extra.readyz ?? [])],
    };
    this.server = createServer((req, res) => this.handle(req, res));
    // Clients may send bodies slowly and keep watches open for long: no request timeout of node's own.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 30_000;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${this.boundHost}:${this.boundPort}`;
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.boundPort = (this.server.address() as AddressInfo).port;
        this.boundHost = host;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.shuttingDown = true;
    for (const end of [...this.streams]) end();
    this.client.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Etcd reachable with a quorum: a consistent read (from etcd, not the cache) through an apiserver. */
  private etcdCheck(name: string): HealthCheck {
    return {
      name,
      run: async () => {
        const answer = await this.client.request({ verb: 'list', group: '', version: 'v1', resource: 'namespaces', query: { limit: 1 }, user: ADMIN_USER }, 2_000);
        return answer.code === 200 ? undefined : `etcd read answered ${answer.code}`;
      },
    };
  }

  /** The apiserver's watch caches have listed and the system namespaces exist. */
  private informerSyncCheck(): HealthCheck {
    return {
      name: 'informer-sync',
      run: async () => {
        const answer = await this.client.request(
          { verb: 'get', group: '', version: 'v1', resource: 'namespaces', name: 'default', query: { resourceVersion: '0' }, user: ADMIN_USER },
          2_000,
        );
        return answer.code === 200 ? undefined : `cache read answered ${answer.code}`;
      },
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    res.on('finish', () => {
      this.options.onRequest?.({ method: req.method ?? '', url: rawUrl, code: res.statusCode, ms: performance.now() - started });
    });
    this.route(req, res, path, params).catch((error: unknown) => {
      if (!res.headersSent) writeStatus(res, internalError(error instanceof Error ? error.message : String(error)), false);
      else if (!res.writableEnded) res.end();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string, params: URLSearchParams): Promise<void> {
    const pretty = wantsPretty(req, params);
    const resource = parseResourcePath(path);
    if (resource) return handleResource(req, res, resource, params, this.env);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Non-resource paths only answer GET (the apiserver also 405s writes to discovery paths).
      return writeStatus(res, known(path) ? methodNotAllowed() : pathNotFound(), pretty);
    }
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (trimmed === '/version') return writeJson(res, this.options.version ?? SERVED_VERSION, pretty);
    if (trimmed === '/metrics') {
      const extra = this.options.extraMetrics?.() ?? '';
      return writeBody(res, 200, 'text/plain; version=0.0.4; charset=utf-8', this.metrics.render() + extra);
    }
    const health = /^\/(healthz|livez|readyz)(?:\/(.*))?$/.exec(trimmed);
    if (health) {
      const endpoint = health[1] as HealthEndpoint;
      const reply = await serveHealth(endpoint, this.checks[endpoint], health[2] ?? '', params);
      if (!reply) return writeStatus(res, pathNotFound(), pretty);
      return writeBody(res, reply.status, 'text/plain; charset=utf-8', reply.body, { 'X-Content-Type-Options': 'nosniff' });
    }
    if (trimmed === '/' || trimmed === '') return writeJson(res, { paths: ROOT_PATHS }, pretty);
    const document = discoveryResponse(trimmed, req.headers.accept) ?? openapiResponse(trimmed, req.headers.accept);
    if (document) return writeReply(res, document);
    return writeStatus(res, pathNotFound(), pretty);
  }
}

const ROOT_PATHS = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'];

function known(path: string): boolean {
  return ROOT_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

function writeJson(res: ServerResponse, body: unknown, pretty: boolean): void {
  writeBody(res, 200, 'application/json', pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body));
}

function writeReply(res: ServerResponse, reply: HttpReply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Cache-Control': 'no-cache, private' });
  res.end(reply.body);
}
