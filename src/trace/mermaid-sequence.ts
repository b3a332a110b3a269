import { nameMatcher } from './address-pattern.ts';
import { noteAddresses, type MessageFlow, type TraceItem, type TraceNote } from './message-flow.ts';

export interface SequenceOptions {
  /**
   * Periodic message types: repeats of one between the same two addresses are drawn as one arrow with a
   * count for as long as nothing but periodic traffic happens in between. Default: types with `heartbeat`.
   */
  periodic?: RegExp;
  /** At most this many arrows; the middle of a longer diagram is elided with a note. Default 150. */
  maxArrows?: number;
  /** Observation types (names or globs, e.g. `obs.raft.leader`) to draw as notes; none by default. */
  observations?: readonly string[];
  /** Prefix labels with the virtual time in ms (default true). */
  times?: boolean;
}

interface Arrow {
  kind: 'arrow';
  flow: MessageFlow;
  count: number;
  lastAt: number;
}

interface Note {
  kind: 'note';
  at: number;
  over: string[];
  text: string;
  /** The elision note carries its own time range. */
  untimed?: boolean;
}

type Entry = Arrow | Note;

const DEFAULT_PERIODIC = /heartbeat/i;
const DEFAULT_MAX_ARROWS = 150;

/**
 * Renders trace items as a Mermaid `sequenceDiagram`: one participant per address (in order of first
 * appearance), an arrow per message from sender to receiver labelled with its type (`-x` with the reason
 * when dropped, `-)` when still in flight), notes for crashes, restarts, failures and faults.
 */
export function renderSequenceDiagram(items: readonly TraceItem[], options: SequenceOptions = {}): string {
  const entries = elide(collapse(items, options), options.maxArrows ?? DEFAULT_MAX_ARROWS);
  const ids = participantIds(entries);
  const time = (entry: Entry) => (options.times === false || (entry.kind === 'note' && entry.untimed) ? '' : `${timeLabel(entry)} `);
  const lines = ['sequenceDiagram'];
  for (const [address, id] of ids) lines.push(`  participant ${id} as ${escapeText(address)}`);
  for (const entry of entries) {
    if (entry.kind === 'arrow') {
      const { flow } = entry;
      lines.push(`  ${ids.get(flow.from)}${arrowOf(flow)}${ids.get(flow.to)}: ${escapeText(`${time(entry)}${arrowLabel(entry)}`)}`);
    } else {
      const over = noteSpan(entry.over.length > 0 ? entry.over : [...ids.keys()], ids);
      lines.push(`  Note over ${over}: ${escapeText(`${time(entry)}${entry.text}`)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The diagram as a Markdown fenced block (GitHub renders it). */
export function sequenceMarkdown(diagram: string): string {
  return `\`\`\`mermaid\n${diagram}\`\`\`\n`;
}

/** Groups repeats (see `periodic`) and turns notes into entries; other items stay one entry each. */
function collapse(items: readonly TraceItem[], options: SequenceOptions): Entry[] {
  const periodic = options.periodic ?? DEFAULT_PERIODIC;
  const observed = options.observations && options.observations.length > 0 ? nameMatcher(options.observations) : () => false;
  const entries: Entry[] = [];
  const open = new Map<string, Arrow>();
  for (const item of items) {
    if (item.kind === 'note') {
      const note = noteEntry(item, observed);
      if (!note) continue;
      open.clear();
      entries.push(note);
      continue;
    }
    const key = arrowKey(item);
    const group = open.get(key);
    if (group) {
      group.count++;
      group.lastAt = item.sentAt;
      continue;
    }
    if (!periodic.test(item.type)) open.clear();
    const arrow: Arrow = { kind: 'arrow', flow: item, count: 1, lastAt: item.sentAt };
    open.set(key, arrow);
    entries.push(arrow);
  }
  return entries;
}

function arrowKey(flow: MessageFlow): string {
  const outcome = flow.outcome.kind === 'drop' ? `drop:${flow.outcome.reason}` : flow.outcome.kind;
  return `${flow.from}\u0000${flow.to}\u0000${flow.type}\u0000${outcome}\u0000${flow.copy > 0 ? 'dup' : ''}`;
}

function noteEntry(note: TraceNote, observed: (type: string) => boolean): Note | undefined {
  const line = note.line;
  const over = noteAddresses(note);
  const entry = (text: string): Note => ({ kind: 'note', at: note.t, over, text });
  switch (line.k) {
    case 'crash':
      return entry(line.lost ? `crash (${line.lost} unsynced writes lost)` : 'crash');
    case 'start':
      // Every component starts at t=0; only a restart is news.
      return line.incarnation ? entry(`restart (incarnation ${line.incarnation})`) : undefined;
    case 'failure':
      return entry(`failure: ${line.reason ?? ''}`);
    case 'observe':
      return line.type !== undefined && observed(line.type) ? entry(line.type) : undefined;
    case 'fault':
      return faultNote(line.fault, entry);
    default:
      return undefined;
  }
}

/** Crash and restart faults are drawn from the components' own crash and start lines, not twice. */
function faultNote(fault: unknown, entry: (text: string) => Note): Note | undefined {
  const f = fault as Record<string, unknown> & { kind?: string };
  const list = (value: unknown) => (Array.isArray(value) ? value.join(', ') : String(value));
  switch (f.kind) {
    case 'partition':
      return entry(`partition ${f.id}: ${list(f.from)} ${f.oneWay ? '→' : '|'} ${list(f.to)}`);
    case 'heal':
      return entry(f.id === undefined ? 'heal (all partitions)' : `heal ${f.id}`);
    case 'degrade':
      return entry(`degrade ${f.id}: ${f.from} → ${f.to} for ${f.durationMs} ms ${JSON.stringify(f.link)}`);
    default:
      return undefined;
  }
}

/** Keeps the first and last halves of the arrows; what lies between becomes one note. */
function elide(entries: Entry[], maxArrows: number): Entry[] {
  const arrowAt = entries.flatMap((entry, index) => (entry.kind === 'arrow' ? [index] : []));
  const limit = Math.max(1, maxArrows);
  if (arrowAt.length <= limit) return entries;
  const head = Math.ceil(limit / 2);
  const tail = limit - head;
  const cutFrom = arrowAt[head];
  const cutTo = tail > 0 ? arrowAt[arrowAt.length - tail] : entries.length;
  const hidden = entries.slice(cutFrom, cutTo);
  const messages = hidden.reduce((sum, entry) => sum + (entry.kind === 'arrow' ? entry.count : 0), 0);
  const notes = hidden.length - hidden.filter((entry) => entry.kind === 'arrow').length;
  const first = entryStart(hidden[0]);
  const last = Math.max(...hidden.map(entryEnd));
  const text = `… ${messages} messages${notes > 0 ? ` and ${notes} notes` : ''} not shown (${formatMs(first)}–${formatMs(last)} ms)`;
  return [...entries.slice(0, cutFrom), { kind: 'note', at: first, over: [], text, untimed: true }, ...entries.slice(cutTo)];
}

function entryStart(entry: Entry): number {
  return entry.kind === 'arrow' ? entry.flow.sentAt : entry.at;
}

function entryEnd(entry: Entry): number {
  return entry.kind === 'arrow' ? entry.lastAt : entry.at;
}

/** Mermaid ids for addresses (`etcd-1` → `etcd_1`), in order of first appearance. */
function participantIds(entries: readonly Entry[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  const add = (address: string) => {
    if (ids.has(address)) return;
    let id = address.replace(/[^A-Za-z0-9_]/g, '_');
    if (/^\d/.test(id) || RESERVED.has(id.toLowerCase())) id = `p_${id}`;
    let unique = id;
    for (let n = 2; used.has(unique); n++) unique = `${id}_${n}`;
    used.add(unique);
    ids.set(address, unique);
  };
  for (const entry of entries) {
    if (entry.kind === 'arrow') {
      add(entry.flow.from);
      add(entry.flow.to);
    } else {
      entry.over.forEach(add);
    }
  }
  return ids;
}

const RESERVED = new Set([
  'participant', 'actor', 'note', 'loop', 'alt', 'else', 'opt', 'par', 'and', 'end', 'rect', 'critical', 'break', 'box',
  'activate', 'deactivate', 'autonumber', 'title', 'links', 'link', 'properties', 'details', 'create', 'destroy',
]);

/** `Note over a,b` spans from the leftmost to the rightmost of the named participants. */
function noteSpan(addresses: readonly string[], ids: Map<string, string>): string {
  const order = [...ids.keys()];
  const positions = addresses.map((address) => order.indexOf(address)).filter((index) => index >= 0).sort((a, b) => a - b);
  if (positions.length === 0) return ids.values().next().value ?? 'nobody';
  const first = ids.get(order[positions[0]])!;
  const last = ids.get(order[positions[positions.length - 1]])!;
  return first === last ? first : `${first},${last}`;
}

function arrowOf(flow: MessageFlow): string {
  return flow.outcome.kind === 'deliver' ? '->>' : flow.outcome.kind === 'drop' ? '-x' : '-)';
}

function arrowLabel(arrow: Arrow): string {
  const { flow } = arrow;
  const count = arrow.count > 1 ? ` ×${arrow.count}` : '';
  const copy = flow.copy > 0 ? ' (duplicate)' : '';
  const outcome = flow.outcome.kind === 'drop' ? ` (dropped: ${flow.outcome.reason})` : flow.outcome.kind === 'inflight' ? ' (in flight)' : '';
  return `${flow.type}${count}${copy}${outcome}`;
}

function timeLabel(entry: Entry): string {
  if (entry.kind === 'note') return formatMs(entry.at);
  const first = formatMs(entry.flow.sentAt);
  const last = formatMs(entry.lastAt);
  return first === last ? first : `${first}–${last}`;
}

/** Virtual ms with at most three decimals (`12.5`, `1000`). */
export function formatMs(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

/** Mermaid reads `;` as a statement end and `#…;` as an entity; newlines would end the line. */
function escapeText(text: string): string {
  return text.replace(/[#;]/g, (char) => (char === '#' ? '#35;' : '#59;')).replace(/[\r\n]+/g, ' ');
}
