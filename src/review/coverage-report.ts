import { unexplainedGaps, type MachineCoverage } from './model-paths.ts';

/** The coverage of several machines as a plain-text table, followed by what each one left uncovered. */
export function formatCoverageReport(coverages: readonly MachineCoverage[]): string {
  const header = ['component', 'machine', 'states', 'transitions', 'paths', 'problems'];
  const rows = coverages.map((coverage) => [
    coverage.component,
    coverage.exportName,
    coverage.startError ? '-' : `${coverage.states.reached}/${coverage.states.total}`,
    coverage.startError ? '-' : `${coverage.transitions.reached}/${coverage.transitions.total}`,
    String(coverage.pathsReplayed),
    problemSummary(coverage),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  const details = coverages.flatMap(detailLines);
  return [line(header), ...rows.map(line), ...(details.length > 0 ? ['', ...details] : [])].join('\n') + '\n';
}

function problemSummary(coverage: MachineCoverage): string {
  if (coverage.startError) return 'cannot start';
  const explained = coverage.explained.length;
  const unexplained = unexplainedGaps(coverage).length;
  const parts = [
    coverage.failures.length > 0 ? `${coverage.failures.length} failed` : '',
    coverage.unrealizable.length > 0 ? `${coverage.unrealizable.length} unrealizable` : '',
    coverage.needsSamples.length > 0 ? `${coverage.needsSamples.length} need samples` : '',
    // Gaps are only worth a word once some are explained: then the unexplained ones are the news.
    explained > 0 ? `${explained} gaps explained` : '',
    explained > 0 && unexplained > 0 ? `${unexplained} unexplained` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'none';
}

function detailLines(coverage: MachineCoverage): string[] {
  const explained = new Map(coverage.explained.map((gap) => [gap.item, gap.why]));
  const unexplained = (items: string[]) => items.filter((item) => !explained.has(item));
  const sections: Array<[string, string[]]> = [
    ['start', coverage.startError ? [coverage.startError] : []],
    ['unreached states', unexplained(coverage.states.unreached)],
    ['unreached transitions', unexplained(coverage.transitions.unreached)],
    ['unreachable in isolation (reviewUnreachable)', [...explained].map(([item, why]) => `${item}\n      why: ${why}`)],
    ['failures', coverage.failures],
    ['unrealizable paths', coverage.unrealizable],
    ['events needing a reviewEvents payload', coverage.needsSamples],
  ];
  const lines = sections
    .filter(([, items]) => items.length > 0)
    .flatMap(([title, items]) => [`  ${title}:`, ...items.map((item) => `    ${item}`)]);
  return lines.length > 0 ? [`${coverage.component} (${coverage.exportName}):`, ...lines] : [];
}
