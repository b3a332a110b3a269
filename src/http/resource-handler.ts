import type { IncomingMessage, ServerResponse } from 'node:http';
import { resourceForPlural } from '../api/resources.ts';
import { STATUS_REASONS, statusError, type ApiRequest, type Status, type StatusReason, type UserInfo, type WatchEventBody } from '../apiserver/protocol.ts';
import type { ApiAnswer, ApiBusClient, OpenedWatch, WatchHandlers } from './bus-client.ts';
import { FrontDoorError, isStatus, methodNotAllowed, notAcceptable, refuse } from './errors.ts';
import { checkFields, warningHeader } from './field-validation.ts';
import type { FrontDoorMetrics, RequestLabels } from './metrics.ts';
import { negotiate, PRODUCED_MEDIA_TYPES, type Rendering } from './negotiation.ts';
import { verbOf, type ResourcePath } from './paths.ts';
import { decodeQuery, queryBool } from './query.ts';
import { convert, serialize, type RenderContext } from './render.ts';
import { decodeBody, readBody } from './request-body.ts';
import type { IncludeObject } from './table/index.ts';

/**
 * One request on a resource path, translated: method + path + query + body → an `ApiRequest` on the bus;
 * the apiserver's `api.response` (or its `api.watch` stream) → the HTTP answer. Nothing here decides
 * what the API does: that is the apiserver actor's job.
 */

export interface ResourceHandlerEnv {
  client: ApiBusClient;
  metrics: FrontDoorMetrics;
  maxBodyBytes: number;
  /** Who every request is made as (the kubeconfig has no credentials; kubeadm's admin identity). */
  user: UserInfo;
  /** Virtual now (Table ages). */
  now(): number;
  /** Watch streams end when the server shuts down. */
  trackStream(end: () => void): () => void;
}

const READ_VERBS: ReadonlySet<ApiRequest['verb']> = new Set(['get', 'list', 'watch']);
const WRITE_VERBS: ReadonlySet<ApiRequest['verb']> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const INCLUDE_OBJECT: readonly IncludeObject[] = ['None', 'Metadata', 'Object'];

/** The kind a body posted to this path must be, for the decoder's messages. */
function expectedKind(path: ResourcePath): string {
  switch (path.subresource) {
    case 'scale':
      return 'Scale';
    case 'binding':
      return 'Binding';
    case 'eviction':
      return 'Eviction';
    default:
      return resourceForPlural(path.resource, path.group)?.kind ?? path.resource;
  }
}

/** The verb label of apiserver_request_total. */
function metricVerb(verb: ApiRequest['verb'], patchType: string | undefined): string {
  switch (verb) {
    case 'create':
      return 'POST';
    case 'update':
      return 'PUT';
    case 'patch':
      return patchType === 'application/apply-patch+yaml' ? 'APPLY' : 'PATCH';
    default:
      return verb.toUpperCase();
  }
}

/** curl, wget and browsers get indented JSON, as upstream does for them. */
export function wantsPretty(req: IncomingMessage, params: URLSearchParams): boolean {
  if (params.has('pretty')) return queryBool(params.get('pretty'));
  const agent = req.headers['user-agent'] ?? '';
  return /^(curl|Wget|Mozilla)\//.test(agent);
}

export function writeBody(res: ServerResponse, code: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

export function writeStatus(res: ServerResponse, status: { code: number }, pretty: boolean, headers: Record<string, string> = {}): void {
  const retry = (status as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds;
  const extra = retry ? { 'Retry-After': String(retry), ...headers } : headers;
  writeBody(res, status.code, 'application/json', serialize(status, { rendering: { kind: 'json' }, pretty }, true).text, extra);
}

export async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  path: ResourcePath,
  params: URLSearchParams,
  env: ResourceHandlerEnv,
): Promise<void> {
  const started = performance.now();
  const pretty = wantsPretty(req, params);
  const verb = verbOf(req.method ?? 'GET', path, queryBool(params.get('watch')) && params.has('watch'));
  const labels: RequestLabels = {
    verb: verb ? metricVerb(verb, req.headers['content-type']?.split(';')[0].trim()) : (req.method ?? ''),
    group: path.group, version: path.version, resource: path.resource, subresource: path.subresource ?? '',
    scope: path.name !== undefined ? 'resource' : path.namespace !== undefined ? 'namespace' : 'cluster',
    dryRun: params.getAll('dryRun').includes('All'),
  };
  const endInflight = env.metrics.begin(verb !== undefined && WRITE_VERBS.has(verb));
  let code = 500;
  try {
    if (!verb) refuse(methodNotAllowed());
    const rendering = negotiate(req.headers.accept, READ_VERBS.has(verb));
    if (!rendering) refuse(notAcceptable(PRODUCED_MEDIA_TYPES));
    const query = decodeQuery(params, verb);
    const request: ApiRequest = {
      verb, group: path.group, version: path.version, resource: path.resource,
      ...(path.subresource !== undefined ? { subresource: path.subresource as ApiRequest['subresource'] } : {}),
      ...(path.namespace !== undefined ? { namespace: path.namespace } : {}),
      ...(path.name !== undefined ? { name: path.name } : {}),
      query,
      user: env.user,
    };
    if (WRITE_VERBS.has(verb)) {
      const decoded = decodeBody(await readBody(req, env.maxBodyBytes), req.headers['content-type'], verb, expectedKind(path));
      if (decoded.body !== undefined) request.body = decoded.body;
      if (decoded.patchType) request.patchType = decoded.patchType;
    }
    const warnings = checkFields(request, path);
    const includeObject = params.get('includeObject') as IncludeObject | null;
    const ctx: RenderContext = {
      rendering, pretty, now: env.now(),
      resource: path.group === '' ? path.resource : `${path.resource}.${path.group}`,
      ...(includeObject !== null && INCLUDE_OBJECT.includes(includeObject) ? { includeObject } : {}),
    };
    if (request.subresource === 'log') {
      code = await serveLog(req, res, request, ctx, env);
      return;
    }
    if (verb === 'watch') {
      code = await streamWatch(req, res, request, ctx, env, () => {
        env.metrics.observe(labels, code, (performance.now() - started) / 1000);
        endInflight();
      });
      return;
    }
    const answer = await env.client.request(request);
    code = answer.code;
    if (warnings.length > 0 && answer.code < 400) res.setHeader('Warning', warningHeader(warnings));
    writeAnswer(res, answer.code, answer.body, ctx);
  } catch (error) {
    if (error instanceof FrontDoorError) {
      code = error.status.code;
      // A body that was refused unread leaves the connection in an unknown state: close it after answering.
      const headers = error.status.code === 413 ? { Connection: 'close', ...error.headers } : error.headers;
      writeStatus(res, error.status, pretty, headers);
      if (error.status.code === 413) req.resume();
    } else {
      throw error;
    }
  } finally {
    if (verb !== 'watch' || code !== 200) {
      env.metrics.observe(labels, code, (performance.now() - started) / 1000);
      endInflight();
    }
  }
}

/** An error answer without a Status body (never expected from the actors): a Status for its code. */
function statusForCode(code: number, body: unknown): Status {
  const reason = (Object.keys(STATUS_REASONS) as StatusReason[]).find((r) => STATUS_REASONS[r] === code) ?? 'InternalError';
  return { ...statusError(reason, typeof body === 'string' ? body : `the server answered ${code}`), code };
}

function writeAnswer(res: ServerResponse, code: number, body: unknown, ctx: RenderContext): void {
  if (code >= 400 || isStatus(body)) {
    const status = isStatus(body) ? body : statusForCode(code, body);
    writeStatus(res, { ...status, code }, ctx.pretty);
    return;
  }
  const rendered = serialize(convert(body, ctx), ctx, false);
  writeBody(res, code, rendered.contentType, rendered.text);
}

/** A watch as a chunked stream of JSON lines; resolves with the code it was answered with. */
async function streamWatch(
  req: IncomingMessage,
  res: ServerResponse,
  request: ApiRequest,
  ctx: RenderContext,
  env: ResourceHandlerEnv,
  opened: () => void,
): Promise<number> {
  const watch = await env.client.watch(request);
  if (watch.code !== 200) {
    writeAnswer(res, watch.code, watch.body, { ...ctx, rendering: { kind: 'json' } });
    return watch.code;
  }
  opened();
  return relayStream(req, res, watch, 'application/json', env, (isEnded) => ({
    onEvents: (events) => {
      if (isEnded()) return;
      const now = { ...ctx, now: env.now() };
      res.write(events.map((e) => `${JSON.stringify(eventFor(e, now))}\n`).join(''));
    },
  }));
}

/**
 * Relays an open bus stream (a watch, a followed log) as a chunked HTTP body: headers flushed at once, the
 * stream cancelled upstream when the client hangs up or the server shuts down, the body ended when the
 * apiserver closes the stream.
 */
function relayStream(
  req: IncomingMessage, res: ServerResponse, stream: OpenedWatch, contentType: string, env: ResourceHandlerEnv,
  handlers: (isEnded: () => boolean) => Omit<WatchHandlers, 'onClosed'>,
): number {
  if (res.destroyed || req.destroyed) {
    stream.cancel();
    return 200;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const endLongRunning = env.metrics.beginLongRunning();
  let ended = false;
  const finish = (cancel: boolean): void => {
    if (ended) return;
    ended = true;
    untrack();
    endLongRunning();
    if (cancel) stream.cancel();
    if (!res.destroyed) res.end();
  };
  const untrack = env.trackStream(() => finish(true));
  res.on('close', () => finish(true));
  stream.start({ ...handlers(() => ended), onClosed: () => finish(false) });
  return 200;
}

/**
 * pods/log: the kubelet's text as text/plain (204 with nothing for a pod not on a node yet); with
 * follow=true a chunked body that grows as the container writes, until it stops or the client hangs up.
 */
async function serveLog(req: IncomingMessage, res: ServerResponse, request: ApiRequest, ctx: RenderContext, env: ResourceHandlerEnv): Promise<number> {
  const answered = (answer: ApiAnswer): number => {
    if (answer.code === 204) writeBody(res, 204, 'text/plain', '');
    else if (answer.code < 400 && typeof answer.body === 'string') writeBody(res, answer.code, 'text/plain', answer.body);
    else writeAnswer(res, answer.code, answer.body, { ...ctx, rendering: { kind: 'json' } });
    return answer.code;
  };
  if (request.query?.follow !== true) return answered(await env.client.request(request));
  const stream = await env.client.watch(request);
  if (stream.stream !== true) return answered(stream);
  return relayStream(req, res, stream, 'text/plain', env, (isEnded) => ({
    onEvents: () => {},
    onData: (data) => { if (!isEnded()) res.write(data); },
  }));
}

function eventFor(event: WatchEventBody, ctx: RenderContext): WatchEventBody {
  if (ctx.rendering.kind === 'json' || ctx.rendering.kind === 'yaml') return event;
  if (event.type === 'ERROR' || event.type === 'BOOKMARK') return event;
  return { type: event.type, object: convert(event.object, ctx) };
}
