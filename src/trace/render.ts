import { traceItems } from './message-flow.ts';
import { renderSequenceDiagram, type SequenceOptions } from './mermaid-sequence.ts';
import { toPerfetto } from './perfetto.ts';
import { selectItems, type TraceSelection } from './trace-selection.ts';
import { parseTrace } from './trace-file.ts';

export type TraceFormat = 'mermaid' | 'perfetto';

export interface RenderTraceOptions extends TraceSelection, SequenceOptions {
  format: TraceFormat;
}

/** A JSONL trace (or the selected part of it) as a Mermaid sequence diagram or Perfetto JSON. */
export function renderTrace(jsonl: string, options: RenderTraceOptions): string {
  const items = selectItems(traceItems(parseTrace(jsonl)), options);
  if (options.format === 'perfetto') return `${JSON.stringify(toPerfetto(items))}\n`;
  return renderSequenceDiagram(items, options);
}
