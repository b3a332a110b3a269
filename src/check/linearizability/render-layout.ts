// Shared layout for the renderers: which operations to show, and in which lane and row.
import type { CheckFailure } from './checker.ts';
import type { Operation } from './history.ts';
import { describeKvOperation } from './describe.ts';

export interface TimelineOp {
  readonly op: Operation;
  readonly description: string;
  /** Where the bar starts: the call, or the left edge of the timeline if it was called earlier. */
  readonly start: number;
  /** The return time, or the end of the timeline for an operation with unknown outcome. */
  readonly end: number;
  /** Called before the timeline's left edge. */
  readonly clipped: boolean;
  readonly pending: boolean;
  readonly inWindow: boolean;
  readonly failing: boolean;
  /** Row within its client's lane, so overlapping operations of one client do not collide. */
  readonly row: number;
}

export interface Lane {
  readonly client: string;
  readonly rows: number;
  readonly ops: TimelineOp[];
}

export interface TimelineLayout {
  readonly from: number;
  readonly to: number;
  readonly lanes: Lane[];
  readonly ops: TimelineOp[];
}

export interface LayoutOptions {
  /** The full history: operations on the failing keys that overlap the window are shown as context. */
  history?: readonly Operation[];
  /** Cap on context operations. Default 200. */
  maxContext?: number;
}

function touches(op: Operation, keys: readonly string[]): boolean {
  const { input } = op;
  if (input.op === 'range') return keys.some((key) => key.startsWith(input.prefix));
  return keys.includes(input.key);
}

/**
 * The timeline spans the illegal window with a small margin. Operations called earlier (lost
 * writes that may still take effect, long-running calls) are clipped at the left edge; unknown
 * outcomes run to the right edge. Context: other operations on the same keys overlapping the
 * window, except reads with unknown outcome, which constrain nothing.
 */
export function layoutFailure(failure: CheckFailure, options: LayoutOptions = {}): TimelineLayout {
  const windowIds = new Set(failure.window.map((op) => op.id));
  const completedCalls = failure.window.filter((op) => op.return !== undefined).map((op) => op.call);
  const windowFrom = Number.isFinite(failure.windowTime.from)
    ? failure.windowTime.from
    : Math.min(...(completedCalls.length > 0 ? completedCalls : failure.window.map((op) => op.call)));
  const windowTo = failure.windowTime.to;
  const margin = Math.max(1, Math.round((windowTo - windowFrom) * 0.05));
  const from = windowFrom - margin;
  const context = (options.history ?? [])
    .filter((op) => !windowIds.has(op.id) && touches(op, failure.keys))
    .filter((op) => op.return !== undefined || (op.input.op !== 'get' && op.input.op !== 'range'))
    .filter((op) => op.call <= windowTo && (op.return ?? Number.POSITIVE_INFINITY) >= from)
    .slice(0, options.maxContext ?? 200);
  const shown = [...failure.window, ...context].sort((a, b) => a.call - b.call || a.id - b.id);
  const lastEnd = Math.max(windowTo, ...shown.map((op) => op.return ?? op.call));
  const to = lastEnd + margin;

  const lanesByClient = new Map<string, { rowEnds: number[]; ops: TimelineOp[] }>();
  const ops: TimelineOp[] = [];
  for (const op of shown) {
    const pending = op.return === undefined;
    const start = Math.max(op.call, from);
    const end = op.return ?? to;
    let lane = lanesByClient.get(op.client);
    if (!lane) lanesByClient.set(op.client, (lane = { rowEnds: [], ops: [] }));
    let row = lane.rowEnds.findIndex((rowEnd) => rowEnd < start);
    if (row < 0) row = lane.rowEnds.push(end) - 1;
    else lane.rowEnds[row] = end;
    const placed: TimelineOp = {
      op,
      description: describeKvOperation(op.input, op.output),
      start,
      end,
      clipped: start > op.call,
      pending,
      inWindow: windowIds.has(op.id),
      failing: failure.failingOp?.id === op.id,
      row,
    };
    lane.ops.push(placed);
    ops.push(placed);
  }
  const lanes = [...lanesByClient]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([client, lane]) => ({ client, rows: lane.rowEnds.length, ops: lane.ops }));
  return { from, to, lanes, ops };
}
