import type { StreamSpec } from '../../src/apiserver/flows/index.ts';
import type { Address } from '../../src/bus/envelope.ts';
import { LOG_STREAM_KEEPALIVE_MS, type KubeletLogsDataMessage } from '../../src/kubelet/log-protocol.ts';
import { send } from './context.ts';
import type { ApiServerContext, Inflight } from './types.ts';

/**
 * Followed pod logs (`kubectl logs -f`): the apiserver proxies the kubelet's response body to its client, as
 * kube-apiserver copies the kubelet's HTTP stream into its own. Kubelet → apiserver messages are numbered;
 * a repeat is ignored and a gap breaks the stream (both ends are told), as a broken TCP connection would.
 * A kubelet heard from for 3 keep-alive periods is taken for gone (the kubelet crashed, or the node is cut
 * off): the client's stream ends. The client closes its stream with `api.watch.cancel`.
 */

/** How long a followed log may stay silent before the apiserver gives up on the kubelet. */
export const LOG_STREAM_IDLE_MS = 3 * LOG_STREAM_KEEPALIVE_MS;

export interface LogRelay {
  /** The client's request (its inflight id: client + request id). */
  id: string;
  client: Address;
  requestId: string;
  kubelet: Address;
  kubeletRequestId: string;
  /** The last message number received from the kubelet. */
  received: number;
  /** Messages sent to the client. */
  sent: number;
  lastHeardAt: number;
}

function deliver(ctx: ApiServerContext, relay: LogRelay, data: string, closed = false): void {
  relay.sent++;
  send(ctx, relay.client, { type: 'api.stream', requestId: relay.requestId, seq: relay.sent, data, ...(closed ? { closed: true } : {}) });
}

function end(ctx: ApiServerContext, relay: LogRelay, cancelKubelet: boolean): void {
  ctx.logStreams.delete(relay.kubeletRequestId);
  deliver(ctx, relay, '', true);
  if (cancelKubelet) send(ctx, relay.kubelet, { type: 'kubelet.logs.cancel', requestId: relay.kubeletRequestId });
}

/** The flow's answer was a stream: open it to the client with what the kubelet sent first. */
export function openLogStream(ctx: ApiServerContext, inf: Inflight, spec: StreamSpec): void {
  const relay: LogRelay = {
    id: inf.id, client: inf.client!, requestId: inf.requestId!, kubelet: spec.kubelet, kubeletRequestId: spec.kubeletRequestId,
    received: 1, sent: 0, lastHeardAt: ctx.now(),
  };
  send(ctx, relay.client, { type: 'api.response', requestId: relay.requestId, code: 200, body: null, contentType: 'text/plain', stream: true });
  ctx.logStreams.set(relay.kubeletRequestId, relay);
  if (spec.first !== '') deliver(ctx, relay, spec.first);
}

/** More of a followed log (the first message went to the flow). Unknown streams are cancelled. */
export function relayLogData(ctx: ApiServerContext, message: KubeletLogsDataMessage & { from?: Address }): void {
  const relay = ctx.logStreams.get(String(message.requestId));
  if (!relay || relay.kubelet !== message.from) {
    if (typeof message.from === 'string' && !message.closed) send(ctx, message.from, { type: 'kubelet.logs.cancel', requestId: message.requestId });
    return;
  }
  const seq = typeof message.seq === 'number' ? message.seq : 0;
  if (seq <= relay.received) return;
  if (seq > relay.received + 1) return end(ctx, relay, true);
  relay.received = seq;
  relay.lastHeardAt = ctx.now();
  const data = typeof message.data === 'string' ? message.data : '';
  if (message.closed) {
    ctx.logStreams.delete(relay.kubeletRequestId);
    deliver(ctx, relay, data, true);
  } else if (data !== '') {
    deliver(ctx, relay, data);
  }
}

/** The client closed its stream (`api.watch.cancel`, keyed as inflight ids are). */
export function cancelLogStream(ctx: ApiServerContext, id: string): boolean {
  for (const relay of ctx.logStreams.values()) {
    if (relay.id !== id) continue;
    ctx.logStreams.delete(relay.kubeletRequestId);
    send(ctx, relay.kubelet, { type: 'kubelet.logs.cancel', requestId: relay.kubeletRequestId });
    return true;
  }
  return false;
}

/** Streams whose kubelet has been silent too long end. */
export function tickLogStreams(ctx: ApiServerContext): void {
  const now = ctx.now();
  for (const relay of [...ctx.logStreams.values()]) {
    if (now - relay.lastHeardAt >= LOG_STREAM_IDLE_MS) end(ctx, relay, true);
  }
}
