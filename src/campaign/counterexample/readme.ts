import { formatMs } from '../../trace/mermaid-sequence.ts';
import type { RunReport, Violation } from '../types.ts';
import type { FailingWindow } from './failing-window.ts';

/** A replay command and what it replays. */
export interface ReplayCommand {
  label: string;
  command: string;
}

export interface ReadmeInput {
  title: string;
  /** How it was found (campaign seed and runs, or the property test). */
  foundBy: string[];
  replay: ReplayCommand[];
  report: RunReport;
  summary: string;
  window: FailingWindow;
  files: Array<[file: string, what: string]>;
  notes?: string[];
}

const MAX_LISTED = 10;
const MAX_DETAIL_CHARS = 1_500;

/** README.md of a counterexample folder: what failed, with which values, and how to replay it. */
export function counterexampleReadme(input: ReadmeInput): string {
  const { violations } = input.report;
  const lines = [
    `# ${input.title}`,
    '',
    ...input.foundBy,
    '',
    '## Replay',
    '',
    ...input.replay.flatMap(({ label, command }) => [`${label}:`, '', '```sh', command, '```', '']),
    `## Violated invariants (${violations.length})`,
    '',
    '| # | checker | invariant | at (virtual ms) | message |',
    '| --- | --- | --- | --- | --- |',
    ...violations.slice(0, MAX_LISTED).map((v, i) => `| ${i + 1} | ${v.checker} | ${v.invariant} | ${v.at === undefined ? '' : formatMs(v.at)} | ${cell(v.message)} |`),
    ...(violations.length > MAX_LISTED ? [`| … | ${violations.length - MAX_LISTED} more | | | |`] : []),
    '',
    '### Offending values',
    '',
    ...violations.slice(0, MAX_LISTED).flatMap((v, i) => offendingValues(v, i + 1)),
    '## Scenario (shrunk)',
    '',
    '```',
    input.summary,
    '```',
    '',
    '## Files',
    '',
    ...input.files.map(([file, what]) => `- [\`${file}\`](${file}) — ${what}`),
    '',
    `The sequence diagram shows ${input.window.reason}: virtual time ${input.window.from}–${input.window.to} ms.`,
    ...(input.notes && input.notes.length > 0 ? ['', '## Notes', '', ...input.notes] : []),
  ];
  return `${lines.join('\n')}\n`;
}

function offendingValues(v: Violation, index: number): string[] {
  const head = `${index}. **${v.checker}: ${v.invariant}**${v.at !== undefined ? ` at ${formatMs(v.at)} ms` : ''} — ${v.message}`;
  if (v.detail === undefined) return [head, ''];
  if (v.checker === 'linearizability') return [head, '', '   The illegal window and its operations: see `linearizability.txt` / `linearizability.html`.', ''];
  // One line when it fits; indented when it would not read on one.
  const compact = JSON.stringify(v.detail);
  let json = compact.length <= 120 ? compact : JSON.stringify(v.detail, null, 2);
  if (json.length > MAX_DETAIL_CHARS) json = `${json.slice(0, MAX_DETAIL_CHARS)}\n… (${json.length - MAX_DETAIL_CHARS} more characters)`;
  return [head, '', '   ```json', ...json.split('\n').map((line) => `   ${line}`), '   ```', ''];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
