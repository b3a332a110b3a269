// Node helpers shared by the node lifecycle, taint eviction and DaemonSet controllers: the well-known
// node taints (v1.Taint* constants), taint matching (Taint.MatchTaint: key and effect), node conditions,
// and the taint patch every taint change goes through.
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { mergePatchRequest, type KubeObject } from '../../src/client/index.ts';
import type { ResolvedConfig } from './config.ts';
import { NODES } from './informers.ts';
import { objectKeyOf, type CallTag, type PlannedCall } from './jobs.ts';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** NotReadyTaintTemplate / UnreachableTaintTemplate: the NoExecute taints that trigger eviction. */
export const NOT_READY_NO_EXECUTE: Taint = Object.freeze({ key: TAINT_NOT_READY, effect: 'NoExecute' });
export const UNREACHABLE_NO_EXECUTE: Taint = Object.freeze({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });

/** Taint.MatchTaint: the same key and effect (value and timeAdded do not matter). */
export const matchTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

export const taintExists = (taints: readonly Taint[] | undefined, taint: Taint): boolean => (taints ?? []).some((t) => matchTaint(t, taint));

export function nodeCondition(node: Node | undefined, type: string): NodeCondition | undefined {
  return node?.status?.conditions?.find((c) => c.type === type);
}

export function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * `taints` minus `remove` plus `add` (replacing a taint with the same key and effect); undefined when
 * that is what the node already has.
 */
export function swappedTaints(node: Node, add: readonly Taint[], remove: readonly Taint[]): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const kept = current.filter((t) => !remove.some((r) => matchTaint(r, t)) && !add.some((a) => matchTaint(a, t)));
  const next = [...kept, ...add];
  const unchanged = remove.every((r) => !taintExists(current, r)) && add.every((a) => taintExists(current, a));
  return unchanged ? undefined : next;
}

/**
 * PatchNodeTaints: the node's whole taint list with its resourceVersion as a precondition (taints have
 * no merge key, so only a conditional write makes removal safe).
 */
export function taintPatch(node: Node, taints: readonly Taint[], tag: CallTag, config: ResolvedConfig): PlannedCall {
  const name = node.metadata?.name ?? '';
  const body = { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: taints.length > 0 ? taints : null } };
  return { request: mergePatchRequest(NODES, name, body, { user: config.user }), tag, objectKey: objectKeyOf('nodes', node as KubeObject), ignoreFailure: true };
}
