// Standalone HTML rendering of a linearizability failure, Porcupine-style: one lane per client, op
// boxes placed by call/return time, hover for details, partial linearizations highlighted.
// No external assets: the CSS and the small script are inlined.
import type { CheckFailure } from './checker.ts';
import type { LayoutOptions, TimelineLayout, TimelineOp } from './render-layout.ts';
import { layoutFailure } from './render-layout.ts';

export interface HtmlRenderOptions extends LayoutOptions {
  title?: string;
}

const ROW_HEIGHT = 30;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe to embed in a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; }
h1 { font-size: 20px; margin: 0 0 8px; }
.message { background: #fff4f4; border-left: 4px solid #c62828; padding: 8px 12px; font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; }
.controls { margin: 16px 0 8px; }
.controls button { margin: 0 4px 4px 0; border: 1px solid #8da2c0; background: #fff; border-radius: 4px; padding: 2px 8px; cursor: pointer; }
.controls button.active { background: #2f5fa5; color: #fff; }
.timeline { border: 1px solid #d6dbe4; border-radius: 6px; padding: 8px; overflow-x: auto; }
.axis, .lane { display: flex; }
.lane { border-top: 1px dashed #e3e7ee; }
.lane-label { width: 90px; flex: none; font-weight: 600; padding-top: 6px; }
.track { position: relative; flex: 1; min-width: 800px; }
.axis .track { height: 20px; font-size: 11px; color: #667; }
.tick { position: absolute; transform: translateX(-50%); }
.band { position: absolute; top: 0; bottom: 0; background: rgba(255, 193, 7, 0.12); border-left: 1px solid #f0b400; border-right: 1px solid #f0b400; }
.op { position: absolute; height: ${ROW_HEIGHT - 6}px; box-sizing: border-box; border: 1px solid #9aa7b8; background: #eef1f5; border-radius: 4px; font-size: 11px; line-height: ${ROW_HEIGHT - 8}px; padding: 0 4px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; cursor: default; }
.op.window { border-color: #2f5fa5; background: #dce8fb; }
.op.clipped { border-left: 3px dotted #667; }
.op.pending { border-right: 3px dotted #667; background-image: linear-gradient(to right, transparent 70%, rgba(255,255,255,0.9)); }
.op.linearized { background: #d7f2dc; border-color: #2e7d32; }
.op.stuck { background: #ffe9c2; border-color: #e69500; }
.op.failing { background: #ffd6d6; border: 2px solid #c62828; }
.op .order { display: inline-block; min-width: 14px; margin-right: 4px; border-radius: 7px; background: #2e7d32; color: #fff; text-align: center; font-size: 10px; line-height: 14px; }
.op .order:empty { display: none; }
.op:hover { outline: 2px solid #1d2330; z-index: 2; }
#details { margin-top: 12px; min-height: 48px; padding: 8px 12px; background: #f6f8fb; border-radius: 6px; font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; }
table { border-collapse: collapse; margin-top: 16px; font-size: 12px; }
td, th { border-bottom: 1px solid #e3e7ee; padding: 2px 8px; text-align: left; }
td.desc { font-family: ui-monospace, monospace; }
tr.failing td { color: #c62828; font-weight: 600; }
.legend span { display: inline-block; margin-right: 12px; }
.legend i { display: inline-block; width: 14px; height: 10px; border: 1px solid; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
`;

const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('failure-data').textContent);
  var details = document.getElementById('details');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.op'));
  var buttons = Array.prototype.slice.call(document.querySelectorAll('.controls button'));
  function select(index) {
    var order = {};
    (data.partials[index] || []).forEach(function (id, k) { order[id] = k + 1; });
    boxes.forEach(function (box) {
      var id = box.getAttribute('data-id');
      var position = order[id];
      box.classList.toggle('linearized', position !== undefined);
      box.classList.toggle('stuck', position === undefined && box.classList.contains('window'));
      box.querySelector('.order').textContent = position === undefined ? '' : String(position);
    });
    buttons.forEach(function (button, k) { button.classList.toggle('active', k === index); });
  }
  buttons.forEach(function (button, k) { button.addEventListener('click', function () { select(k); }); });
  boxes.forEach(function (box) {
    box.addEventListener('mouseenter', function () {
      var op = data.ops[box.getAttribute('data-id')];
      details.textContent = '#' + op.id + '  client ' + op.client + '  [' + op.call + ' → ' + op.ret + ']  ' + op.status + '\\n' + op.description;
    });
  });
})();
`;

function opBox(op: TimelineOp, layout: TimelineLayout, order: Map<number, number>): string {
  const span = Math.max(1, layout.to - layout.from);
  const left = ((op.start - layout.from) / span) * 100;
  const width = Math.max(0.4, ((op.end - op.start) / span) * 100);
  const position = order.get(op.op.id);
  const classes = ['op', op.inWindow ? 'window' : 'context'];
  if (op.pending) classes.push('pending');
  if (op.clipped) classes.push('clipped');
  if (op.failing) classes.push('failing');
  if (position !== undefined) classes.push('linearized');
  else if (op.inWindow) classes.push('stuck');
  const title = `#${op.op.id} ${op.description} [${op.op.call} → ${op.pending ? '?' : op.end}]`;
  return (
    `<div class="${classes.join(' ')}" data-id="${op.op.id}" title="${escapeHtml(title)}" ` +
    `style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%;top:${op.row * ROW_HEIGHT + 3}px">` +
    `<span class="order">${position ?? ''}</span>#${op.op.id} ${escapeHtml(op.description)}</div>`
  );
}

function statusOf(op: TimelineOp): string {
  if (op.failing) return 'failing response (in illegal window)';
  if (op.inWindow) return op.pending ? 'in illegal window, unknown outcome' : 'in illegal window';
  return op.pending ? 'context, unknown outcome' : 'context';
}

export function renderFailureHtml(failure: CheckFailure, options: HtmlRenderOptions = {}): string {
  const layout = layoutFailure(failure, options);
  const title = options.title ?? `Linearizability violation: ${failure.partition}`;
  const span = Math.max(1, layout.to - layout.from);
  const pct = (t: number) => (((t - layout.from) / span) * 100).toFixed(3);
  const firstPartial = failure.partialLinearization[0] ?? [];
  const order = new Map(firstPartial.map((op, i) => [op.id, i + 1]));

  const bandFrom = Number.isFinite(failure.windowTime.from) ? failure.windowTime.from : layout.from;
  const band = `<div class="band" style="left:${pct(bandFrom)}%;width:${(((failure.windowTime.to - bandFrom) / span) * 100).toFixed(3)}%"></div>`;
  const ticks = Array.from({ length: 6 }, (_, i) => Math.round(layout.from + (span * i) / 5))
    .map((t) => `<span class="tick" style="left:${pct(t)}%">${t}</span>`)
    .join('');

  const lanes = layout.lanes
    .map(
      (lane) =>
        `<div class="lane"><div class="lane-label">${escapeHtml(lane.client)}</div>` +
        `<div class="track" style="height:${lane.rows * ROW_HEIGHT}px">${band}${lane.ops.map((op) => opBox(op, layout, order)).join('')}</div></div>`,
    )
    .join('\n');

  const buttons = failure.partialLinearization
    .map((partial, i) => `<button type="button"${i === 0 ? ' class="active"' : ''}>#${i + 1}: ${partial.length} of ${failure.window.length} ops</button>`)
    .join('');

  const rows = [...layout.ops]
    .sort((a, b) => a.op.call - b.op.call || a.op.id - b.op.id)
    .map(
      (op) =>
        `<tr${op.failing ? ' class="failing"' : ''}><td>#${op.op.id}</td><td>${escapeHtml(op.op.client)}</td>` +
        `<td>${op.op.call}</td><td>${op.pending ? '?' : op.end}</td><td class="desc">${escapeHtml(op.description)}</td><td>${statusOf(op)}</td></tr>`,
    )
    .join('\n');

  const data = {
    ops: Object.fromEntries(
      layout.ops.map((op) => [
        op.op.id,
        { id: op.op.id, client: op.op.client, call: op.op.call, ret: op.pending ? '?' : op.end, description: op.description, status: statusOf(op) },
      ]),
    ),
    partials: failure.partialLinearization.map((partial) => partial.map((op) => op.id)),
  };

  const windowFrom = Number.isFinite(failure.windowTime.from) ? `t=${failure.windowTime.from}` : 'the initial empty store';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="message">${escapeHtml(failure.message)}</div>
<p>Illegal window: ${failure.window.length} operations from ${escapeHtml(windowFrom)} to t=${failure.windowTime.to} (shaded). Keys: ${escapeHtml(failure.keys.join(', ') || '(none)')}.</p>
<div class="legend"><span><i style="background:#d7f2dc;border-color:#2e7d32"></i>in the selected partial linearization (badge: position)</span><span><i style="background:#ffe9c2;border-color:#e69500"></i>window op left out</span><span><i style="background:#ffd6d6;border-color:#c62828"></i>failing response</span><span><i style="background:#eef1f5;border-color:#9aa7b8"></i>context</span><span>dotted right edge: unknown outcome; dotted left edge: called earlier</span></div>
<div class="controls">Longest partial linearizations: ${buttons || '(none)'}</div>
<div class="timeline">
<div class="axis"><div class="lane-label"></div><div class="track">${ticks}</div></div>
${lanes}
</div>
<div id="details">Hover over an operation for details.</div>
<table>
<thead><tr><th>op</th><th>client</th><th>call</th><th>return</th><th>operation</th><th>status</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<script type="application/json" id="failure-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
