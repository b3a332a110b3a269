import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFailureHtml, renderFailureText } from '../../check/linearizability/render.ts';
import { sequenceMarkdown, renderSequenceDiagram } from '../../trace/mermaid-sequence.ts';
import { traceItems } from '../../trace/message-flow.ts';
import { parseTrace } from '../../trace/trace-file.ts';
import { selectItems } from '../../trace/trace-selection.ts';
import { TRACE_ARTEFACT, type CampaignProfile, type RunReport } from '../types.ts';
import { DEFAULT_LEAD_MS, failingWindow, linearizabilityFailure } from './failing-window.ts';
import { counterexampleReadme, type ReplayCommand } from './readme.ts';

export interface CounterexampleOptions<S> {
  profile: CampaignProfile<S>;
  /** The folder to write (created if missing). */
  dir: string;
  /** The scenario to report (the shrunk one): it is re-run with a trace. */
  scenario: S;
  plant?: string;
  replay: ReplayCommand[];
  /** Lines saying how it was found (campaign seed and runs, property test and seed…). */
  foundBy: string[];
  /** How much before the first violation the sequence diagram shows. */
  leadMs?: number;
  notes?: string[];
}

export interface CounterexampleFolder {
  dir: string;
  files: string[];
  /** The traced re-run's report (what README.md lists). */
  report: RunReport;
}

/**
 * Writes a counterexample folder: README.md, scenario.json, schedule.json, trace.jsonl (the scenario
 * re-run with tracing), sequence.md (the failing window as a Mermaid sequence diagram) and, for a
 * linearizability failure, the checker's linearizability.txt and .html timelines.
 */
export function writeCounterexample<S>(options: CounterexampleOptions<S>): CounterexampleFolder {
  const { profile, dir, scenario, plant } = options;
  const report = profile.run(scenario, { plant, trace: true });
  const trace = report.artefacts?.[TRACE_ARTEFACT] ?? '';
  const items = traceItems(parseTrace(trace));
  const endAt = items.reduce((last, item) => Math.max(last, item.kind === 'note' ? item.t : item.sentAt), 0);
  const window = failingWindow(report, endAt, options.leadMs ?? DEFAULT_LEAD_MS);
  const files = new Map<string, { text: string; what: string }>();
  files.set('scenario.json', { text: `${JSON.stringify(scenario, null, 2)}\n`, what: `the shrunk scenario (replay it with \`--scenario-file\`)` });
  files.set('schedule.json', { text: `${JSON.stringify(scheduleOf(scenario), null, 2)}\n`, what: 'its fault schedule' });
  files.set(TRACE_ARTEFACT, { text: trace, what: 'the scenario re-run with tracing (JSONL, message payloads included)' });
  const diagram = renderSequenceDiagram(selectItems(items, { from: window.from, to: window.to }));
  files.set('sequence.md', {
    text: sequenceDocument(window.reason, window.from, window.to, diagram),
    what: 'a Mermaid sequence diagram of the failing window',
  });
  const linearizability = linearizabilityFailure(report);
  if (linearizability) {
    files.set('linearizability.txt', { text: renderFailureText(linearizability), what: "the linearizability checker's timeline of the illegal window" });
    files.set('linearizability.html', { text: renderFailureHtml(linearizability, { title: `${profile.name} linearizability violation` }), what: 'the same timeline, interactive' });
  }
  for (const [name, text] of Object.entries(report.artefacts ?? {})) {
    if (!files.has(name)) files.set(name, { text, what: 'an artefact of a checker' });
  }
  files.set('README.md', {
    text: counterexampleReadme({
      title: `Counterexample: ${profile.name}${plant ? ` with plant ${plant}` : ''}`,
      foundBy: options.foundBy,
      replay: options.replay,
      report,
      summary: profile.summarize(scenario),
      window,
      files: [...files].map(([name, { what }]) => [name, what]),
      notes: options.notes,
    }),
    what: 'this file',
  });
  mkdirSync(dir, { recursive: true });
  for (const [name, { text }] of files) writeFileSync(join(dir, name), text);
  return { dir, files: [...files.keys()], report };
}

/** A scenario's fault schedule, when it has one (`schedule`; the cluster profile's episodes are `faults`). */
function scheduleOf(scenario: unknown): unknown[] {
  const schedule = (scenario as { schedule?: unknown; faults?: unknown }).schedule ?? (scenario as { faults?: unknown }).faults;
  return Array.isArray(schedule) ? schedule : [];
}

function sequenceDocument(reason: string, from: number, to: number, diagram: string): string {
  return [
    `# Failing window: ${from}–${to} ms`,
    '',
    `Shows ${reason}. Widen or narrow it with`,
    '',
    '```sh',
    `kubesim trace render trace.jsonl --from ${from} --to ${to} --out sequence.md`,
    '```',
    '',
    sequenceMarkdown(diagram),
  ].join('\n');
}
