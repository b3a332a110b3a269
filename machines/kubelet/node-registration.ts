// Node registration (registerWithAPIServer / tryRegisterWithAPIServer) and the node status loop
// (syncNodeStatus every nodeStatusUpdateFrequency, jittered as wait.JitterUntil(…, 0.04, sliding) does,
// so the period counts from the end of the previous sync). Each sync is upstream's updateNodeStatus
// (pkg/kubelet/kubelet_node_status.go): up to nodeStatusUpdateRetry tries of tryUpdateNodeStatus, which GETs
// the Node — the first try with resourceVersion=0 (util.FromApiserverCache: served by the apiserver's watch
// cache), retries from etcd — sets the kubelet's status on that copy, and patches it when
// nodeStatusHasChanged(&originalNode.Status, &node.Status) or nodeStatusReportFrequency has passed since the
// last report. Comparing with the apiserver's copy is what undoes, within one period, a condition someone
// else wrote (the node lifecycle controller's Ready=Unknown after a partition).
import type { Node, NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import type { ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { failureOf, getRequest, isAlreadyExists, mergePatchRequest, createRequest, type ResourceTarget } from '../../src/client/index.ts';
import { NODE_STATUS_UPDATE_FREQUENCY_MS, NODE_STATUS_UPDATE_RETRY, applyNodeStatus, nodeRegistration, nodeStatus, shouldReportNodeStatus } from '../../src/kubelet/node-status.ts';
import { rngNext } from '../../src/sim/random.ts';
import { runtimeDownMessage } from './cri-client.ts';
import type { CallPurpose, NodeRegistration, Tx } from './state.ts';

export const NODES: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'nodes' });

/** registerWithAPIServer's back-off: 100 ms doubling to 7 s. */
export const REGISTER_RETRY_INITIAL_MS = 100;
export const REGISTER_RETRY_MAX_MS = 7_000;
/** wait.JitterUntil's factor for the kubelet's periodic loops (node status, lease). */
export const LOOP_JITTER_FACTOR = 0.04;

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** wait.Jitter(period, 0.04), drawn from the kubelet's own generator. */
export function jittered(tx: Tx, periodMs: number): number {
  const [u, rng] = rngNext(tx.state.rng);
  tx.update({ rng });
  return periodMs * (1 + LOOP_JITTER_FACTOR * u);
}

function setNode(tx: Tx, patch: Partial<NodeRegistration>): void {
  tx.update({ node: { ...tx.state.node, ...patch } });
}

function currentStatus(tx: Tx, previous: NodeStatus | undefined): NodeStatus {
  const notReadyMessage = runtimeDownMessage(tx.state.cri, tx.now);
  return nodeStatus(tx.state.config.node, tx.now, { previous, images: tx.state.core.runtime.images, ...(notReadyMessage ? { notReadyMessage } : {}) });
}

/** initialNode: labels, capacity/allocatable, addresses, conditions, pod CIDR, taints. */
export function initialNode(tx: Tx): Node {
  const { config } = tx.state;
  const node = nodeRegistration(config.node, tx.now, {});
  const taints = [...config.taints];
  if (config.unschedulable && !taints.some((t) => t.key === UNSCHEDULABLE_TAINT.key && t.effect === UNSCHEDULABLE_TAINT.effect)) taints.push(UNSCHEDULABLE_TAINT);
  return {
    ...node,
    spec: { ...node.spec, ...(config.unschedulable ? { unschedulable: true } : {}), ...(taints.length > 0 ? { taints } : {}) },
    status: currentStatus(tx, undefined),
  };
}

/** POST the Node (once the runtime has answered: the node status needs it). */
export function registerNode(tx: Tx): void {
  if (tx.state.node.phase === 'registered' || tx.state.node.inFlight) return;
  const node = initialNode(tx);
  tx.call({ kind: 'node-create' }, createRequest(NODES, node));
  setNode(tx, { phase: 'registering', inFlight: true, retryAt: null, reported: node.status });
}

function registered(tx: Tx, uid: string | undefined, reported: NodeStatus | undefined, lastReportAt: number | null): void {
  setNode(tx, { phase: 'registered', uid, inFlight: false, retryAt: null, retryDelayMs: 0, reported, lastReportAt, nextStatusAt: lastReportAt === null ? tx.now : tx.now + jittered(tx, NODE_STATUS_UPDATE_FREQUENCY_MS) });
  tx.observe('obs.kubelet.registered', { node: tx.state.config.node.name, adopted: lastReportAt === null });
}

function retryRegistration(tx: Tx): void {
  const delay = Math.min(Math.max(tx.state.node.retryDelayMs * 2, REGISTER_RETRY_INITIAL_MS), REGISTER_RETRY_MAX_MS);
  setNode(tx, { phase: 'registering', inFlight: false, retryAt: tx.now + delay, retryDelayMs: delay });
}

/** Answers to node calls (undefined: timed out). */
export function onNodeAnswer(tx: Tx, purpose: CallPurpose, message: ApiResponseMessage | undefined): void {
  const failure = message === undefined ? { code: 504, reason: 'Timeout', message: 'timed out' } : failureOf(message);
  const body = message?.body as Node | undefined;
  switch (purpose.kind) {
    case 'node-create':
      if (!failure) return registered(tx, body?.metadata?.uid, tx.state.node.reported, tx.now);
      if (isAlreadyExists(failure)) {
        // A node of this name exists (a restarted kubelet): adopt it, and post a fresh status at once.
        tx.call({ kind: 'node-get' }, getRequest(NODES, tx.state.config.node.name));
        return;
      }
      return retryRegistration(tx);
    case 'node-get':
      if (!failure) return registered(tx, body?.metadata?.uid, body?.status, null);
      return retryRegistration(tx);
    case 'node-status-get':
      if (failure) return statusTryFailed(tx, purpose.tryNumber);
      return patchIfChanged(tx, body?.status, purpose.tryNumber);
    case 'node-status':
      if (failure) return statusTryFailed(tx, purpose.tryNumber);
      setNode(tx, { reported: purpose.status, lastReportAt: tx.now });
      return statusSyncDone(tx);
    default:
  }
}

/** One tryUpdateNodeStatus: GET the Node, the first try from the apiserver's cache. */
function tryUpdateNodeStatus(tx: Tx, tryNumber: number): void {
  const get = getRequest(NODES, tx.state.config.node.name);
  tx.call({ kind: 'node-status-get', tryNumber }, tryNumber === 0 ? { ...get, query: { resourceVersion: '0' } } : get);
  setNode(tx, { inFlight: true, nextStatusAt: null });
}

/** The kubelet's status set on the apiserver's copy; patched if it changed or the report is due. */
function patchIfChanged(tx: Tx, original: NodeStatus | undefined, tryNumber: number): void {
  const status = applyNodeStatus(original, currentStatus(tx, original));
  if (!shouldReportNodeStatus(original, status, tx.state.node.lastReportAt, tx.now)) return statusSyncDone(tx);
  // The kubelet writes the whole status; a merge patch replaces its lists (conditions, addresses, images).
  tx.call({ kind: 'node-status', status, tryNumber }, { ...mergePatchRequest(NODES, tx.state.config.node.name, { status }), subresource: 'status' });
}

/** updateNodeStatus: a failed try is followed at once by the next, up to nodeStatusUpdateRetry. */
function statusTryFailed(tx: Tx, tryNumber: number): void {
  if (tryNumber + 1 < NODE_STATUS_UPDATE_RETRY) return tryUpdateNodeStatus(tx, tryNumber + 1);
  statusSyncDone(tx);
}

/** The sync is over: the next one a jittered period later (JitterUntil, sliding). */
function statusSyncDone(tx: Tx): void {
  setNode(tx, { inFlight: false, nextStatusAt: tx.now + jittered(tx, NODE_STATUS_UPDATE_FREQUENCY_MS) });
}

/** Registration retries and the periodic node status. */
export function nodeTimers(tx: Tx): void {
  const node = tx.state.node;
  if (node.phase === 'registering' && !node.inFlight && node.retryAt !== null && tx.now >= node.retryAt) registerNode(tx);
  if (node.phase !== 'registered' || node.inFlight || node.nextStatusAt === null || tx.now < node.nextStatusAt) return;
  tryUpdateNodeStatus(tx, 0);
}

export function nodeDeadline(node: NodeRegistration): number {
  if (node.inFlight) return Infinity;
  if (node.phase === 'registering') return node.retryAt ?? Infinity;
  if (node.phase === 'registered') return node.nextStatusAt ?? Infinity;
  return Infinity;
}
