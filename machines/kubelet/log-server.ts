// The kubelet's /containerLogs endpoint on the bus: `kubelet.logs` from an apiserver → `kubelet.logs.data`.
// The log is read from the kubelet's copy of the runtime's state, advanced to now with the runtime's own
// timeline — as the sync's status reads are — because a log file's content is a function of the container
// record (src/kubelet/logs.ts). Upstream the kubelet likewise reads /var/log/pods itself rather than through
// CRI calls. A follower (`follow=true`) gets what its container writes until the container stops running.
import { storeGet } from '../../src/client/index.ts';
import { LOG_STREAM_KEEPALIVE_MS, type KubeletLogsCancelMessage, type KubeletLogsDataMessage, type KubeletLogsRequestMessage } from '../../src/kubelet/log-protocol.ts';
import { readLog, resolveLogTarget } from '../../src/kubelet/log-request.ts';
import { containerLog, formatLines, limitBytes, nextLogLineAt, type PodLogOptions } from '../../src/kubelet/logs.ts';
import { advance, type RuntimeState } from '../../src/kubelet/runtime.ts';
import type { KubeletActorState, LogFollower, Tx } from './state.ts';

const followerKey = (from: string, requestId: string) => `${from}\u0000${requestId}`;

/** The runtime as of now, by the kubelet's copy. */
function runtimeNow(tx: Tx): RuntimeState {
  return advance(tx.state.core.runtime, tx.now).state;
}

function send(tx: Tx, to: string, message: Omit<KubeletLogsDataMessage, 'type'>): void {
  tx.send(to, { type: 'kubelet.logs.data', ...message });
}

function setFollowers(tx: Tx, followers: KubeletActorState['logFollowers']): void {
  tx.update({ logFollowers: followers });
}

function optionsOf(raw: unknown): PodLogOptions {
  return typeof raw === 'object' && raw !== null ? (raw as PodLogOptions) : {};
}

/** GET /containerLogs/<namespace>/<pod>/<container>: the log so far, and a follower when asked to follow. */
export function serveLogRequest(tx: Tx, message: KubeletLogsRequestMessage & { from: string }): void {
  const key = followerKey(message.from, message.requestId);
  if (tx.state.logFollowers[key]) return; // a repeated delivery of a request already being followed
  const options = optionsOf(message.options);
  const pod = storeGet(tx.state.pods.store, `${message.namespace}/${message.pod}`);
  const uid = pod?.metadata?.uid ?? '';
  const runtime = runtimeNow(tx);
  const target = resolveLogTarget(pod, String(message.pod), String(message.container), tx.state.statuses[uid]?.status, runtime, options.previous === true);
  if (!target.ok) {
    send(tx, message.from, { requestId: message.requestId, seq: 1, code: target.code, data: target.message, closed: true });
    return;
  }
  const { text, remainingBytes } = readLog(target.container, options, tx.now);
  const follows = options.follow === true && target.container.state === 'running' && remainingBytes !== 0;
  send(tx, message.from, { requestId: message.requestId, seq: 1, code: 200, data: text, ...(follows ? {} : { closed: true }) });
  if (!follows) return;
  const follower: LogFollower = {
    to: message.from, requestId: message.requestId, containerId: target.container.id, timestamps: options.timestamps === true,
    cursor: tx.now, seq: 1, remainingBytes, lastSentAt: tx.now,
  };
  setFollowers(tx, { ...tx.state.logFollowers, [key]: follower });
}

/** The apiserver's client went away. */
export function cancelLogRequest(tx: Tx, message: KubeletLogsCancelMessage & { from: string }): void {
  const key = followerKey(message.from, message.requestId);
  if (!tx.state.logFollowers[key]) return;
  const { [key]: _gone, ...rest } = tx.state.logFollowers;
  setFollowers(tx, rest);
}

/** Sends followers what their containers wrote since; ends those whose container stopped (or was removed). */
export function pumpLogFollowers(tx: Tx): void {
  const entries = Object.entries(tx.state.logFollowers);
  if (entries.length === 0) return;
  const runtime = runtimeNow(tx);
  const followers: Record<string, LogFollower> = {};
  for (const [key, f] of entries) {
    const c = runtime.containers[f.containerId];
    const fresh = c ? formatLines(containerLog(c, tx.now, f.cursor), { timestamps: f.timestamps }) : '';
    const limited = limitBytes(fresh, f.remainingBytes);
    const ends = !c || c.state !== 'running' || limited.remaining === 0;
    const keepalive = tx.now - f.lastSentAt >= LOG_STREAM_KEEPALIVE_MS;
    if (limited.text === '' && !ends && !keepalive) {
      followers[key] = { ...f, cursor: tx.now };
      continue;
    }
    send(tx, f.to, { requestId: f.requestId, seq: f.seq + 1, data: limited.text, ...(ends ? { closed: true } : {}) });
    if (!ends) followers[key] = { ...f, cursor: tx.now, seq: f.seq + 1, remainingBytes: limited.remaining, lastSentAt: tx.now };
  }
  setFollowers(tx, followers);
}

/** When a follower next has something to send: its container's next line or exit, or a keep-alive. */
export function logFollowersDeadline(state: KubeletActorState): number {
  let at = Infinity;
  for (const f of Object.values(state.logFollowers)) {
    at = Math.min(at, f.lastSentAt + LOG_STREAM_KEEPALIVE_MS);
    const c = state.core.runtime.containers[f.containerId];
    const next = c ? nextLogLineAt(c, f.cursor) : null;
    if (next !== null) at = Math.min(at, next);
  }
  return at;
}
