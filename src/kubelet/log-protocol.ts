// Container logs on the bus: the apiserver asks a node's kubelet (`<node>/kubelet`) for a container's log, as
// kube-apiserver GETs https://<node>:10250/containerLogs/<namespace>/<pod>/<container>?follow=…, and relays
// what comes back to its client (src/apiserver/flows/logs.ts).
import type { PodLogOptions } from './logs.ts';

/** apiserver → kubelet: GET /containerLogs/<namespace>/<pod>/<container>. */
export interface KubeletLogsRequestMessage {
  type: 'kubelet.logs';
  requestId: string;
  namespace: string;
  pod: string;
  container: string;
  options: PodLogOptions;
}

/**
 * kubelet → apiserver: the response, as one HTTP response body in pieces. The first message (`seq` 1)
 * carries the status code — 200 with the first text, or an error code with the error's text — and the last
 * one `closed`. Without `follow` the first message is also the last. The numbering lets the apiserver tell a
 * lost, repeated or overtaken message from a stream (a gap breaks it, as TCP would); while following, an
 * empty message now and then stands for TCP keep-alive, so the apiserver notices a kubelet that went away.
 */
export interface KubeletLogsDataMessage {
  type: 'kubelet.logs.data';
  requestId: string;
  seq: number;
  code?: number;
  data: string;
  closed?: boolean;
}

/** apiserver → kubelet: the client went away; stop following. */
export interface KubeletLogsCancelMessage {
  type: 'kubelet.logs.cancel';
  requestId: string;
}

/** How often a following kubelet sends something on a quiet stream (Go's TCP keep-alive period). */
export const LOG_STREAM_KEEPALIVE_MS = 30_000;
