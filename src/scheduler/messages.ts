// Texts the scheduler writes: FitError.Error() (the FailedScheduling event and PodScheduled
// condition message), the Scheduled event, and the event note truncation.
//
// FailedScheduling format (1.30): "0/<all nodes> nodes are available:" then either the PreFilter
// message or the histogram of filter reasons — each reason counted over nodes as "<n> <reason>",
// sorted as strings (Go sort.Strings: so "10 x" sorts before "2 y") and joined by ", " — each
// followed by "."; then the PostFilter (preemption) message, also followed by ".". Preemption's own
// message ends in "." already, hence the upstream double period:
//   0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..
import type { Pod } from 'kubernetes-types/core/v1.js';

export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
/** validation.NoteLengthLimit: events carry at most 1024 bytes of message. */
export const NOTE_LENGTH_LIMIT = 1024;

export interface FitErrorParts {
  readonly nodeToStatus: ReadonlyMap<string, { readonly reasons: readonly string[] }>;
  readonly preFilterMsg?: string;
  readonly postFilterMsg?: string;
}

// Go compares strings bytewise; for the ASCII reasons the scheduler produces, code-unit order is the same.
const goStringLess = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The "<n> <reason>, ..." histogram, sorted as upstream. */
export function reasonHistogram(nodeToStatus: FitErrorParts['nodeToStatus']): string[] {
  const counts = new Map<string, number>();
  for (const status of nodeToStatus.values()) for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort(goStringLess);
}

/** FitError.Error(). */
export function formatFitError(numAllNodes: number, d: FitErrorParts): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const histogram = reasonHistogram(d.nodeToStatus);
    if (histogram.length > 0) msg += ` ${histogram.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}.`;
  return msg;
}

/** truncateMessage: over 1024 bytes, cut and end with " ...". */
export function truncateMessage(message: string): string {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= NOTE_LENGTH_LIMIT) return message;
  const suffix = ' ...';
  return bytes.subarray(0, NOTE_LENGTH_LIMIT - suffix.length).toString('utf8') + suffix;
}

export interface SchedulerEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: 'Scheduled' | 'FailedScheduling';
  /** events.k8s.io action. */
  readonly action: 'Binding' | 'Scheduling';
  readonly note: string;
}

function podRef(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

/** "Successfully assigned default/web-7d4b8c6f5-x2p9k to node-2". */
export function scheduledMessage(pod: Pod, nodeName: string): string {
  return `Successfully assigned ${podRef(pod)} to ${nodeName}`;
}

export function scheduledEvent(pod: Pod, nodeName: string): SchedulerEvent {
  return { type: 'Normal', reason: 'Scheduled', action: 'Binding', note: scheduledMessage(pod, nodeName) };
}

export function failedSchedulingEvent(message: string): SchedulerEvent {
  return { type: 'Warning', reason: 'FailedScheduling', action: 'Scheduling', note: truncateMessage(message) };
}

/** The PodScheduled=False condition handleSchedulingFailure writes. */
export function unschedulableCondition(message: string, unschedulable: boolean): { type: 'PodScheduled'; status: 'False'; reason: string; message: string } {
  return { type: 'PodScheduled', status: 'False', reason: unschedulable ? 'Unschedulable' : 'SchedulerError', message };
}
