import type { TraceLine } from './recorder.ts';

/** How a message ended: delivered, dropped (and why), or still in flight when the trace ends. */
export type FlowOutcome =
  | { kind: 'deliver'; at: number }
  | { kind: 'drop'; at: number; reason: string }
  | { kind: 'inflight' };

/** One message copy from its send to its outcome. A duplicated message has a flow per copy. */
export interface MessageFlow {
  kind: 'message';
  /** Position of the send line in the trace: orders flows among the other items. */
  order: number;
  id: number;
  copy: number;
  from: string;
  to: string;
  type: string;
  sentAt: number;
  outcome: FlowOutcome;
  payload?: unknown;
}

/** Anything else the trace records at one address or for the whole run (lifecycle, faults, observations). */
export interface TraceNote {
  kind: 'note';
  order: number;
  t: number;
  line: TraceLine;
}

export type TraceItem = MessageFlow | TraceNote;

/**
 * Pairs every send with the delivery or drop of each of its copies, in trace order (a message is placed
 * where it was sent; a duplicate right after its original). The other lines become notes.
 */
export function traceItems(lines: readonly TraceLine[]): TraceItem[] {
  const items: TraceItem[] = [];
  const flows = new Map<string, MessageFlow>();
  const key = (id: number, copy: number) => `${id}:${copy}`;
  lines.forEach((line, order) => {
    if (line.k === 'send') {
      const flow: MessageFlow = {
        kind: 'message', order, id: line.id!, copy: 0, from: line.from!, to: line.to!, type: line.type!, sentAt: line.t, outcome: { kind: 'inflight' },
        ...(line.payload !== undefined ? { payload: line.payload } : {}),
      };
      flows.set(key(flow.id, 0), flow);
      items.push(flow);
    } else if (line.k === 'deliver' || line.k === 'drop') {
      const copy = line.copy ?? 0;
      let flow = flows.get(key(line.id!, copy));
      if (!flow) {
        // A duplicate copy has no send line of its own: it shares its original's.
        const original = flows.get(key(line.id!, 0));
        flow = original
          ? { ...original, copy, order: original.order + copy / 10, outcome: { kind: 'inflight' } }
          : { kind: 'message', order, id: line.id!, copy, from: line.from!, to: line.to!, type: line.type!, sentAt: line.t, outcome: { kind: 'inflight' } };
        flows.set(key(line.id!, copy), flow);
        items.push(flow);
      }
      flow.outcome = line.k === 'deliver' ? { kind: 'deliver', at: line.t } : { kind: 'drop', at: line.t, reason: line.reason ?? 'unknown' };
    } else {
      items.push({ kind: 'note', order, t: line.t, line });
    }
  });
  return items.sort((a, b) => a.order - b.order);
}

/** The addresses a note concerns: its component, or every address a fault names. */
export function noteAddresses(note: TraceNote): string[] {
  const line = note.line;
  if (line.address !== undefined) return [line.address];
  const fault = line.fault as { kind?: string; target?: string; from?: unknown; to?: unknown } | undefined;
  if (!fault) return [];
  if (typeof fault.target === 'string') return [fault.target];
  const names = [fault.from, fault.to].flatMap((side) => (Array.isArray(side) ? side : typeof side === 'string' ? [side] : []));
  return names.filter((name): name is string => typeof name === 'string');
}
