import { nameMatcher } from './address-pattern.ts';
import { noteAddresses, type MessageFlow, type TraceItem } from './message-flow.ts';

/** Which part of a trace to show. Every field is optional; together they narrow (logical and). */
export interface TraceSelection {
  /** Virtual-time window, inclusive, in ms. */
  from?: number;
  to?: number;
  /** Addresses (names or globs, e.g. `etcd-1`, `node-*`): messages from or to one, and its notes. */
  addresses?: readonly string[];
  /** Message types (names or globs, e.g. `raft.*`). Notes are not filtered by type. */
  types?: readonly string[];
  /** Only messages whose recorded payload contains this text (a key, an object name); needs payloads. */
  object?: string;
}

/** The items of a trace the selection keeps, in trace order. */
export function selectItems(items: readonly TraceItem[], selection: TraceSelection): TraceItem[] {
  const from = selection.from ?? Number.NEGATIVE_INFINITY;
  const to = selection.to ?? Number.POSITIVE_INFINITY;
  const inWindow = (t: number) => t >= from && t <= to;
  const address = selection.addresses && selection.addresses.length > 0 ? nameMatcher(selection.addresses) : undefined;
  const type = selection.types && selection.types.length > 0 ? nameMatcher(selection.types) : undefined;
  return items.filter((item) => {
    if (item.kind === 'note') {
      if (!inWindow(item.t)) return false;
      // A fault that names no address (a heal of every partition) concerns everyone.
      const names = noteAddresses(item);
      return !address || names.length === 0 || names.some(address);
    }
    // A message belongs to the window if it was sent or ended in it (so one in flight across `from` shows).
    const ended = item.outcome.kind === 'inflight' ? item.sentAt : item.outcome.at;
    if (!inWindow(item.sentAt) && !inWindow(ended)) return false;
    if (address && !address(item.from) && !address(item.to)) return false;
    if (type && !type(item.type)) return false;
    if (selection.object !== undefined && !mentions(item, selection.object)) return false;
    return true;
  });
}

function mentions(flow: MessageFlow, text: string): boolean {
  return flow.payload !== undefined && JSON.stringify(flow.payload).includes(text);
}
