import type { Pod } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, type Cause } from '../../api/validation/causes.ts';
import { invalidStatus } from '../../api/validation/status.ts';
import type { KubeletLogsRequestMessage } from '../../kubelet/log-protocol.ts';
import type { PodLogOptions } from '../../kubelet/logs.ts';
import { badRequest, fail, internalError } from '../errors.ts';
import { decodeFromStorage } from '../objects.ts';
import { notFound, statusError, STATUS_REASONS, type ApiQuery, type Status, type StatusReason } from '../protocol.ts';
import { response, type Effect, type Flow, type KubeletAnswer, type Scope } from './effects.ts';
import { readKey } from './storage.ts';

/**
 * GET pods/<name>/log, as LogREST does: validate the PodLogOptions, read the pod, pick the container, and
 * ask the pod's node's kubelet (GET /containerLogs/<namespace>/<pod>/<container>), relaying its answer —
 * text/plain, or a stream while following. A pod not scheduled yet has no log location: 204, no content.
 */

/** kube-apiserver --kubelet-timeout: how long dialing a kubelet may take. */
export const KUBELET_TIMEOUT_MS = 5_000;
/** The kubelet's port (KubeletPort), in the URLs of error messages. */
const KUBELET_PORT = 10250;

type LogQuery = Pick<ApiQuery, 'container' | 'follow' | 'previous' | 'timestamps' | 'tailLines' | 'sinceSeconds' | 'sinceTime' | 'limitBytes'>;

function integer(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(badRequest(`${field}: Invalid value: ${JSON.stringify(value)}: must be an integer`));
  return value;
}

/** The query as v1.PodLogOptions, checked as ValidatePodLogOptions checks it (422 PodLogOptions "<pod>" is invalid). */
export function podLogOptions(name: string, query: LogQuery): PodLogOptions {
  const tailLines = integer('tailLines', query.tailLines);
  const sinceSeconds = integer('sinceSeconds', query.sinceSeconds);
  const limitBytes = integer('limitBytes', query.limitBytes);
  const sinceTime = query.sinceTime === undefined || query.sinceTime === '' ? undefined : String(query.sinceTime);
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) {
    fail(badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as "2006"`));
  }
  const causes: Cause[] = [];
  if (tailLines !== undefined && tailLines < 0) causes.push(invalid('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) causes.push(invalid('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    causes.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    causes.push(invalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  }
  if (causes.length > 0) fail(invalidStatus('PodLogOptions', name, causes, '') as Status);
  return {
    ...(query.follow === true ? { follow: true } : {}),
    ...(query.previous === true ? { previous: true } : {}),
    ...(query.timestamps === true ? { timestamps: true } : {}),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    ...(sinceTime !== undefined ? { sinceTime } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

/** validateContainer: the named container, or the only one; names listed as VisitContainers orders them. */
export function logContainer(pod: Pod, requested: unknown): string {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec;
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (typeof requested === 'string' && requested !== '') {
    if (!all.includes(requested)) fail(badRequest(`container ${requested} is not valid for pod ${name}`));
    return requested;
  }
  const containers = spec?.containers ?? [];
  if (containers.length === 1) return containers[0].name;
  if (containers.length === 0) fail(badRequest(`a container name must be specified for pod ${name}`));
  fail(badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`));
}

/** The kubelet URL kube-apiserver would GET (for error messages). */
function kubeletUrl(host: string, pod: Pod, container: string, options: PodLogOptions): string {
  const params = new URLSearchParams();
  if (options.follow) params.append('follow', 'true');
  if (options.previous) params.append('previous', 'true');
  if (options.timestamps) params.append('timestamps', 'true');
  if (options.sinceSeconds !== undefined) params.append('sinceSeconds', String(options.sinceSeconds));
  if (options.sinceTime !== undefined) params.append('sinceTime', options.sinceTime);
  if (options.tailLines !== undefined) params.append('tailLines', String(options.tailLines));
  if (options.limitBytes !== undefined) params.append('limitBytes', String(options.limitBytes));
  params.sort(); // url.Values.Encode sorts by key
  const query = params.toString();
  return `https://${host}:${KUBELET_PORT}/containerLogs/${pod.metadata?.namespace}/${pod.metadata?.name}/${container}${query ? `?${query}` : ''}`;
}

/** An error that is not an API status (a failed dial): ErrorToAPIStatus makes it a 500 with no reason. */
function unknownError(message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: '', code: 500 };
}

/** GenericHttpResponseChecker: the kubelet's error answer as the apiserver's Status. */
export function kubeletError(code: number, text: string, name: string): Status {
  if (code === 400) return badRequest(text);
  if (code === 500) return internalError(text);
  const reason = (Object.keys(STATUS_REASONS) as StatusReason[]).find((r) => STATUS_REASONS[r] === code);
  const generic = reason === 'NotFound' ? 'the server could not find the requested resource' : `the server responded with the status code ${code} but did not return more information`;
  return { ...statusError(reason ?? 'InternalError', `${generic} ( pods/log ${name})`, { name, group: '', kind: 'pods/log' }), reason: reason ?? '', code };
}

export function* logsFlow(s: Scope): Flow {
  const name = s.target.name!;
  const query = (s.request.query ?? {}) as LogQuery;
  const options = podLogOptions(name, query);
  const kv = yield* readKey(s.target.key!);
  const pod = kv ? (decodeFromStorage(kv.value, kv.modRevision) as Pod | undefined) : undefined;
  if (!pod) fail(notFound('', 'pods', name));
  const container = logContainer(pod, query.container);
  const node = pod.spec?.nodeName;
  // No node, no location: the apiserver streams nothing (204).
  if (!node) return response(204, null);
  const message: Omit<KubeletLogsRequestMessage, 'requestId'> = {
    type: 'kubelet.logs', namespace: pod.metadata?.namespace ?? s.target.namespace ?? 'default', pod: name, container, options,
  };
  const effect: Effect = { type: 'kubelet', node, message: { ...message }, timeoutMs: KUBELET_TIMEOUT_MS };
  const answer = (yield effect) as KubeletAnswer;
  const reply = answer.reply;
  if (!reply) {
    const host = pod.status?.hostIP || node;
    fail(unknownError(`Get "${kubeletUrl(host, pod, container, options)}": dial tcp ${host}:${KUBELET_PORT}: i/o timeout`));
  }
  if (reply.code !== undefined && reply.code !== 200) fail(kubeletError(reply.code, String(reply.data ?? ''), name));
  const text = typeof reply.data === 'string' ? reply.data : '';
  if (reply.closed) return { kind: 'response', code: 200, body: text, contentType: 'text/plain' };
  return { kind: 'stream', stream: { kubelet: `${node}/kubelet`, kubeletRequestId: answer.requestId, first: text } };
}
