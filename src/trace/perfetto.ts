import { hostOf } from '../bus/envelope.ts';
import { noteAddresses, type MessageFlow, type TraceItem, type TraceNote } from './message-flow.ts';

/** One Chrome trace event (the legacy JSON format Perfetto and chrome://tracing open). */
export interface TraceEvent {
  name: string;
  ph: 'M' | 'i' | 's' | 'f' | 'X';
  pid: number;
  tid: number;
  ts?: number;
  cat?: string;
  s?: 't';
  dur?: number;
  id?: number;
  bp?: 'e';
  args?: Record<string, unknown>;
}

export interface PerfettoTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

/**
 * Faults get a process of their own, apart from every component. Hosts are pids 2…; thread ids start at
 * 1000 so no address's track is mistaken for a process's implicit main thread (tid = pid).
 */
const FAULTS_PID = 1;
const FIRST_TID = 1000;

/**
 * Converts trace items to the Chrome trace-event format, so a run opens in Perfetto's timeline
 * (ui.perfetto.dev → Open trace file): a process per host and a thread (track) per address; instant events
 * for every send, delivery and drop, joined by a flow arrow from send to outcome; a `down` slice from each
 * crash to the restart (or the end of the trace); partitions and degraded links as slices on a `faults`
 * track. Virtual milliseconds become trace microseconds (1 ms of the run reads as 1 ms).
 */
export function toPerfetto(items: readonly TraceItem[], options: { endAt?: number } = {}): PerfettoTrace {
  const tracks = new TrackTable();
  const events: TraceEvent[] = [];
  const endAt = options.endAt ?? lastTime(items);
  const downSince = new Map<string, { at: number; incarnation?: number; lost?: number }>();
  const partitions = new Map<string, { at: number; fault: Record<string, unknown> }>();
  let flowId = 0;
  for (const item of items) {
    if (item.kind === 'message') {
      flowId++;
      events.push(...messageEvents(item, flowId, tracks));
      continue;
    }
    const line = item.line;
    if (line.k === 'crash' && line.address) {
      downSince.set(line.address, { at: item.t, incarnation: line.incarnation, lost: line.lost });
    } else if (line.k === 'start' && line.address) {
      const down = downSince.get(line.address);
      if (down) events.push(downtime(line.address, down, item.t, tracks));
      downSince.delete(line.address);
    }
    if (line.k === 'fault') events.push(...faultEvents(item, partitions, tracks));
    else events.push(noteInstant(item, tracks));
  }
  for (const [address, down] of downSince) events.push(downtime(address, down, endAt, tracks));
  for (const [id, open] of partitions) events.push(slice(`partition ${id}`, 'fault', tracks.faults(), open.at, endAt, open.fault));
  // In time order; the sort is stable, so each flow event stays right after the instant it binds to.
  events.sort((a, b) => a.ts! - b.ts!);
  return {
    traceEvents: [...tracks.metadata(), ...events],
    displayTimeUnit: 'ms',
    otherData: { source: 'kubesim trace (virtual time)' },
  };
}

function messageEvents(flow: MessageFlow, id: number, tracks: TrackTable): TraceEvent[] {
  const sender = tracks.of(flow.from);
  const receiver = tracks.of(flow.to);
  const args = { id: flow.id, from: flow.from, to: flow.to, ...(flow.copy > 0 ? { copy: flow.copy } : {}), ...(flow.payload !== undefined ? { payload: flow.payload } : {}) };
  const sendAt = micros(flow.sentAt);
  // Each flow event directly follows the instant it binds to, on the same track at the same time.
  const out: TraceEvent[] = [
    { name: flow.type, cat: 'send', ph: 'i', s: 't', ts: sendAt, ...sender, args },
    { name: 'message', cat: 'message', ph: 's', id, ts: sendAt, ...sender },
  ];
  if (flow.outcome.kind === 'inflight') return out;
  const at = micros(flow.outcome.at);
  const outcome: TraceEvent = flow.outcome.kind === 'deliver'
    ? { name: flow.type, cat: 'deliver', ph: 'i', s: 't', ts: at, ...receiver, args }
    : { name: `${flow.type} ✕ ${flow.outcome.reason}`, cat: 'drop', ph: 'i', s: 't', ts: at, ...receiver, args: { ...args, reason: flow.outcome.reason } };
  out.push(outcome, { name: 'message', cat: 'message', ph: 'f', bp: 'e', id, ts: at, ...receiver });
  return out;
}

function downtime(address: string, down: { at: number; incarnation?: number; lost?: number }, until: number, tracks: TrackTable): TraceEvent {
  return slice('down', 'lifecycle', tracks.of(address), down.at, until, { incarnation: down.incarnation, lostWrites: down.lost ?? 0 });
}

function faultEvents(note: TraceNote, partitions: Map<string, { at: number; fault: Record<string, unknown> }>, tracks: TrackTable): TraceEvent[] {
  const fault = (note.line.fault ?? {}) as Record<string, unknown> & { kind?: string; id?: string; durationMs?: number };
  const instant = { name: String(fault.kind ?? 'fault'), cat: 'fault', ph: 'i' as const, s: 't' as const, ts: micros(note.t), ...tracks.faults(), args: { fault, addresses: noteAddresses(note) } };
  if (fault.kind === 'partition' && fault.id !== undefined) {
    partitions.set(fault.id, { at: note.t, fault });
    return [instant];
  }
  if (fault.kind === 'heal') {
    const healed = fault.id === undefined ? [...partitions.keys()] : [fault.id];
    const closed = healed.flatMap((id) => {
      const open = partitions.get(id);
      partitions.delete(id);
      return open ? [slice(`partition ${id}`, 'fault', tracks.faults(), open.at, note.t, open.fault)] : [];
    });
    return [instant, ...closed];
  }
  if (fault.kind === 'degrade') return [instant, slice(`degrade ${fault.id}`, 'fault', tracks.faults(), note.t, note.t + (fault.durationMs ?? 0), fault)];
  return [instant];
}

function noteInstant(note: TraceNote, tracks: TrackTable): TraceEvent {
  const line = note.line;
  const track = line.address !== undefined ? tracks.of(line.address) : tracks.faults();
  const name = line.k === 'observe' ? String(line.type) : line.k === 'start' ? `start #${line.incarnation ?? 0}` : line.k;
  const { t: _t, k: _k, address: _address, ...args } = line;
  return { name, cat: line.k === 'observe' ? 'observe' : 'lifecycle', ph: 'i', s: 't', ts: micros(note.t), ...track, args };
}

function slice(name: string, cat: string, track: { pid: number; tid: number }, from: number, to: number, args: Record<string, unknown>): TraceEvent {
  return { name, cat, ph: 'X', ts: micros(from), dur: micros(Math.max(0, to - from)), ...track, args };
}

/** Virtual ms → trace µs, rounded to whole nanoseconds so float noise does not show. */
function micros(ms: number): number {
  return Math.round(ms * 1_000_000) / 1000;
}

function lastTime(items: readonly TraceItem[]): number {
  let last = 0;
  for (const item of items) {
    const t = item.kind === 'note' ? item.t : item.outcome.kind === 'inflight' ? item.sentAt : item.outcome.at;
    if (t > last) last = t;
  }
  return last;
}

/** pid per host, tid per address, numbered in order of first appearance (stable for one trace). */
class TrackTable {
  private readonly pids = new Map<string, number>();
  private readonly tids = new Map<string, { pid: number; tid: number }>();
  private usedFaults = false;

  of(address: string): { pid: number; tid: number } {
    let track = this.tids.get(address);
    if (!track) {
      const host = hostOf(address);
      let pid = this.pids.get(host);
      if (pid === undefined) this.pids.set(host, (pid = FAULTS_PID + 1 + this.pids.size));
      track = { pid, tid: FIRST_TID + this.tids.size };
      this.tids.set(address, track);
    }
    return track;
  }

  faults(): { pid: number; tid: number } {
    this.usedFaults = true;
    return { pid: FAULTS_PID, tid: FAULTS_PID };
  }

  metadata(): TraceEvent[] {
    const named = (kind: 'process' | 'thread', pid: number, tid: number, name: string, index: number): TraceEvent[] => [
      { name: `${kind}_name`, ph: 'M', pid, tid, args: { name } },
      { name: `${kind}_sort_index`, ph: 'M', pid, tid, args: { sort_index: index } },
    ];
    const out: TraceEvent[] = [];
    if (this.usedFaults) out.push(...named('process', FAULTS_PID, FAULTS_PID, 'faults', 0), ...named('thread', FAULTS_PID, FAULTS_PID, 'faults', 0));
    for (const [host, pid] of this.pids) out.push(...named('process', pid, pid, host, pid));
    for (const [address, { pid, tid }] of this.tids) out.push(...named('thread', pid, tid, address, tid));
    return out;
  }
}
