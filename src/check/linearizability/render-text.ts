// Plain-text rendering of a linearizability failure: a timeline with one lane per client.
import type { CheckFailure } from './checker.ts';
import { describeKvOperation } from './describe.ts';
import type { LayoutOptions, TimelineOp } from './render-layout.ts';
import { layoutFailure } from './render-layout.ts';

export interface TextRenderOptions extends LayoutOptions {
  /** Columns for the time axis. Default 72. */
  width?: number;
}

const LEGEND =
  'Legend: [==] in the illegal window, [!!] the response that cannot be explained, [--] other ops on these keys, ' +
  '< called earlier, > unknown outcome (may take effect any time after its call)';

function bar(op: TimelineOp, startCol: number, endCol: number): string {
  const fill: string = op.failing ? '!' : op.inWindow ? '=' : '-';
  const length = Math.max(2, endCol - startCol + 1);
  const chars = Array.from({ length }, () => fill);
  chars[0] = op.clipped ? '<' : '[';
  chars[length - 1] = op.pending ? '>' : ']';
  const label = `#${op.op.id}`;
  if (label.length <= length - 2) {
    const at = 1 + Math.floor((length - 2 - label.length) / 2);
    for (let i = 0; i < label.length; i++) chars[at + i] = label[i];
  }
  return chars.join('');
}

export function renderFailureText(failure: CheckFailure, options: TextRenderOptions = {}): string {
  const layout = layoutFailure(failure, options);
  const width = Math.max(20, options.width ?? 72);
  const span = Math.max(1, layout.to - layout.from);
  const col = (t: number) => Math.round(((t - layout.from) / span) * (width - 1));
  const laneWidth = Math.max(6, ...layout.lanes.map((lane) => lane.client.length)) + 1;

  const out: string[] = [];
  out.push(`LINEARIZABILITY VIOLATION (${failure.kind}) on ${failure.partition}`);
  out.push(failure.message);
  out.push('');
  const fromLabel = Number.isFinite(failure.windowTime.from) ? `t=${failure.windowTime.from}` : 'the initial empty store';
  out.push(`Illegal window: ${failure.window.length} operations, from ${fromLabel} to t=${failure.windowTime.to}.`);
  out.push(LEGEND);
  out.push('');

  const axisStart = `t=${layout.from}`;
  const axisEnd = `t=${layout.to}`;
  out.push(`${''.padEnd(laneWidth)}  ${axisStart}${axisEnd.padStart(Math.max(1, width - axisStart.length))}`);
  for (const lane of layout.lanes) {
    for (let row = 0; row < lane.rows; row++) {
      const line = Array.from({ length: width + 2 }, () => ' ');
      for (const op of lane.ops.filter((o) => o.row === row)) {
        const drawn = bar(op, col(op.start), col(op.end));
        for (let i = 0; i < drawn.length && col(op.start) + i < line.length; i++) line[col(op.start) + i] = drawn[i];
      }
      const name = row === 0 ? lane.client : '';
      out.push(`${name.padEnd(laneWidth)} |${line.join('').trimEnd()}`);
    }
  }

  out.push('');
  out.push('Operations:');
  for (const op of [...layout.ops].sort((a, b) => a.op.call - b.op.call || a.op.id - b.op.id)) {
    const ret = op.pending ? '?' : String(op.op.return);
    const mark = op.failing ? '  <== FAILING' : op.inWindow ? '  (window)' : '';
    out.push(`  ${op.op.client.padEnd(laneWidth)} #${String(op.op.id).padEnd(6)} [${op.op.call} → ${ret}]  ${op.description}${mark}`);
  }

  const [longest] = failure.partialLinearization;
  if (longest) {
    out.push('');
    out.push(`Longest partial linearization (${longest.length} of ${failure.window.length} window operations):`);
    longest.forEach((op, i) => out.push(`  ${String(i + 1).padStart(3)}. #${op.id} ${op.client}: ${describeKvOperation(op.input, op.output)}`));
    const linearized = new Set(longest.map((op) => op.id));
    const rest = failure.window.filter((op) => !linearized.has(op.id));
    const stuck = rest.filter((op) => op.return !== undefined);
    const optional = rest.filter((op) => op.return === undefined);
    if (stuck.length > 0) out.push(`  cannot be added: ${stuck.map((op) => `#${op.id}`).join(', ')}`);
    if (optional.length > 0) out.push(`  left out (unknown outcome, may never take effect): ${optional.map((op) => `#${op.id}`).join(', ')}`);
  }
  return out.join('\n') + '\n';
}
